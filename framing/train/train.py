"""Train a model family on a labeled corpus, tune its thresholds, save it with a card."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from framing.data.codebook import Codebook, load_codebook
from framing.data.corpus import Article
from framing.data.splits import load_splits, split_articles
from framing.errors import FramingError
from framing.models.base import FramingClassifier, family_class

MIN_ARTICLES_TO_TUNE = 8
HOLDOUT_FRACTION = 0.15


@dataclass
class TrainResult:
    """What a training run produced and measured."""

    model: FramingClassifier
    path: Path | None
    sizes: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def paragraph_rows(articles: list[Article]) -> tuple[list[str], list[list[str]], list[str]]:
    texts, frames, stances = [], [], []
    for article in articles:
        for p in article.paragraphs:
            texts.append(p.text)
            frames.append(list(p.frames or []))
            stances.append(p.stance)
    return texts, frames, stances


def fit_and_tune(
    model: FramingClassifier, train: list[Article], dev: list[Article] | None, *, seed: int = 0
) -> list[str]:
    """Fit on ``train`` and tune thresholds on ``dev``.

    Without dev articles, 15% of the training articles are held out for tuning
    and the model is then refit on all of them with the tuned thresholds.
    Returns notes on what was done, for the model card.
    """
    notes = []
    if dev:
        dev_rows = paragraph_rows(dev)
        model.fit(*paragraph_rows(train), eval_set=dev_rows)
        texts, frames, _ = dev_rows
        model.tune_thresholds(texts, frames)
        notes.append(f"thresholds tuned on the dev split ({len(dev)} articles)")
    elif len(train) >= MIN_ARTICLES_TO_TUNE:
        fit_part, holdout = split_articles(
            train, (1 - HOLDOUT_FRACTION, HOLDOUT_FRACTION), seed=seed
        )
        model.fit(*paragraph_rows(fit_part))
        texts, frames, _ = paragraph_rows(holdout)
        model.tune_thresholds(texts, frames)
        thresholds = model.thresholds_.copy()
        model.fit(*paragraph_rows(train))
        model.thresholds_ = thresholds
        notes.append(
            f"thresholds tuned on {len(holdout)} held-out training articles,"
            " then refit on all training articles"
        )
    else:
        model.fit(*paragraph_rows(train))
        notes.append(f"only {len(train)} articles: thresholds left at 0.5 (no tuning data)")
    return notes


def train(
    data: str | Path,
    out: str | Path | None,
    *,
    family: str = "tfidf",
    codebook: Codebook | str | Path | None = None,
    settings: dict | None = None,
    seed: int = 0,
    log=None,
) -> TrainResult:
    """Train ``family`` on the corpus at ``data`` and save it to ``out``.

    Parameters
    ----------
    data : a labeled corpus file, or a folder with train (and dev, test) files.
    out : the model directory to write (replaced atomically); None to not save.
    family : a model family name (see ``framing.models.base.FAMILIES``).
    codebook : a Codebook or codebook path; default: the corpus folder's
        ``codebook.yaml`` if it has one, else the bundled codebook.
    settings : family settings overriding the defaults.

    Examples
    --------
    >>> result = train("corpus.jsonl", "models/tfidf")  # doctest: +SKIP
    """
    from framing.eval.evaluate import evaluate
    from framing.models.card import write_card

    log = log or (lambda message: print(message, file=sys.stderr))
    data = Path(data)
    if not isinstance(codebook, Codebook):
        if codebook is None and data.is_dir() and (data / "codebook.yaml").is_file():
            codebook = data / "codebook.yaml"
        codebook = load_codebook(codebook)
    splits = load_splits(data, codebook)
    train_articles = splits.get("train") or splits.get("all")
    if not train_articles:
        raise FramingError(f"{data}: no training articles found")
    real = [a.id for a in train_articles if a.origin == "real"]
    if real:
        log(
            f"note: {len(real)} training articles have origin 'real'; scores on real text"
            " must then come from other articles"
        )
    started = time.perf_counter()
    model = family_class(family)(codebook=codebook, **(settings or {}))
    notes = fit_and_tune(model, train_articles, splits.get("dev"), seed=seed)
    seconds = time.perf_counter() - started
    sizes = {
        name: {"articles": len(arts), "paragraphs": sum(len(a.paragraphs) for a in arts)}
        for name, arts in splits.items()
    }
    scores = {
        name: evaluate(model, arts)
        for name, arts in splits.items()
        if name in ("dev", "test") and arts
    }
    result = TrainResult(model, None, sizes, scores, seconds, notes)
    if out is not None:
        out = Path(out)
        if out.exists() and not (out / "config.json").is_file() and any(out.iterdir()):
            raise FramingError(
                f"{out}: folder exists and is not a model directory; choose a new --out path"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            model.save(staging)
            write_card(
                staging,
                model,
                data=str(data),
                sizes=sizes,
                scores=scores,
                notes=notes,
                seconds=seconds,
                trained_on=date.today().isoformat(),
            )
            if out.exists():
                shutil.rmtree(out)
            staging.rename(out)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        result.path = out
    return result
