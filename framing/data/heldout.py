"""Choosing the labeled articles a model is scored on."""

from __future__ import annotations

from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.corpus import Article, load_labeled
from framing.data.seeds import STANDOFF_FILE, load_seeds, standoff_path
from framing.data.splits import bundled_corpus_dir, split_files
from framing.errors import FramingError


def load_heldout(
    data: str | Path | None,
    split: str,
    codebook: Codebook,
    *,
    seeds: str | Path | None = None,
) -> tuple[list[Article], str]:
    """The articles to score and a label saying which they are.

    Parameters
    ----------
    data : a labeled corpus file, or a folder with train/dev/test files
        (default: the bundled corpus).
    split : for a folder, ``train``, ``dev``, ``test``, or ``real``: the real
        articles annotated stand-off (the folder's ``seeds.standoff.jsonl``, else
        the bundled one), joined with their texts from ``seeds``. Ignored for a file.
    codebook : the labels to check against.
    seeds : the folder of real seed texts, for ``split='real'``.

    Returns
    -------
    (articles, label), e.g. ``([...], "corpus/test.jsonl")``.
    """
    data = Path(data) if data is not None else bundled_corpus_dir()
    if split == "real":
        standoff = data / STANDOFF_FILE if data.is_dir() else None
        if standoff is None or not standoff.is_file():
            standoff = standoff_path()
        return load_seeds(codebook, seeds, standoff), f"real articles ({standoff.name})"
    if data.is_dir():
        files = split_files(data)
        if split not in files:
            raise FramingError(
                f"{data}: no {split} split; found {', '.join(files) or 'none'};"
                " choose one of them with --split"
            )
        return load_labeled(files[split], codebook), f"{data.name}/{files[split].name}"
    return load_labeled(data, codebook), str(data)
