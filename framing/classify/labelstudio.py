"""Articles out to Label Studio, with a model's predictions as pre-annotations."""

from __future__ import annotations

from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.corpus import iter_unlabeled
from framing.data.labelstudio import to_label_studio, write_label_studio
from framing.errors import FramingError
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier


def export_label_studio(
    inputs: list[str],
    codebook: Codebook,
    out: str | Path,
    *,
    model: FramingClassifier | None = None,
) -> tuple[Path, int, list[str]]:
    """Write the labeling configuration and tasks for the articles in ``inputs`` into folder
    ``out``; with ``model``, its predictions go in as pre-annotations (its codebook must be
    ``codebook``). Returns the folder, the number of tasks and the problems with inputs."""
    if model is not None and model.codebook_.frame_ids != codebook.frame_ids:
        raise FramingError(
            "the model's frames differ from the codebook's; give the codebook the model was"
            " trained with, or no --model"
        )
    articles, problems = [], []
    for article, problem in iter_unlabeled(inputs):
        if problem is not None:
            problems.append(str(problem))
        else:
            articles.append(article)
    predictions = None
    if model is not None and articles:
        predictions = ArticleClassifier(model).predict(articles, paragraphs=True)
    config, tasks = to_label_studio(articles, codebook, predictions)
    return write_label_studio(config, tasks, out), len(tasks), problems
