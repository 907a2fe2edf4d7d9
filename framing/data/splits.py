"""Corpus folders with train/dev/test splits, and splitting by article.

A corpus is either one labeled file (JSONL, CSV, Parquet) or a folder holding
``train``, ``dev`` and ``test`` files of those formats. Splits are always made
by article, never by paragraph, so no article's text is on both sides.
"""

from __future__ import annotations

import random
from collections import Counter
from importlib import resources
from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.corpus import Article, load_labeled
from framing.errors import FramingError

SPLITS = ("train", "dev", "test")
_SUFFIXES = (".jsonl", ".csv", ".parquet")


def bundled_corpus_dir() -> Path:
    """The folder of the corpus that ships with the package."""
    return Path(str(resources.files("framing.data").joinpath("corpus")))


def split_files(path: Path) -> dict[str, Path]:
    """The split files present in a corpus folder, by split name."""
    found = {}
    for name in SPLITS:
        for suffix in _SUFFIXES:
            candidate = path / f"{name}{suffix}"
            if candidate.is_file():
                found[name] = candidate
                break
    return found


def load_splits(path: str | Path, codebook: Codebook) -> dict[str, list[Article]]:
    """Read a corpus: ``{'train': [...], 'dev': [...], 'test': [...]}`` for a folder, or
    ``{'all': [...]}`` for a single file."""
    path = Path(path)
    if path.is_dir():
        files = split_files(path)
        if not files:
            raise FramingError(
                f"{path}: corpus folder has no train/dev/test files; expected train.jsonl"
                " (and optionally dev.jsonl, test.jsonl) or pass a single corpus file"
            )
        return {name: load_labeled(file, codebook) for name, file in files.items()}
    return {"all": load_labeled(path, codebook)}


def split_articles(
    articles: list[Article], fractions: tuple[float, ...] = (0.7, 0.15, 0.15), *, seed: int = 0
) -> list[list[Article]]:
    """Split articles into parts of the given fractions, stratified by frame.

    A greedy form of iterative stratification (Sechidis et al., 2011): articles
    carrying the rarest frames are placed first, each into the part that most
    lacks that frame relative to its target, so every frame is spread over the
    parts as evenly as their sizes allow. Deterministic for a given seed.
    """
    if abs(sum(fractions) - 1.0) > 1e-6:
        raise FramingError(f"split fractions must sum to 1, got {fractions}")
    rng = random.Random(seed)
    pool = list(articles)
    rng.shuffle(pool)
    n_parts = len(fractions)
    frame_totals = Counter(f for a in pool for f in set(a.frames or []))
    want_frames = [{f: n * frac for f, n in frame_totals.items()} for frac in fractions]
    want_size = [len(pool) * frac for frac in fractions]
    parts: list[list[Article]] = [[] for _ in fractions]

    def rarity(article: Article) -> float:
        counts = [frame_totals[f] for f in set(article.frames or [])]
        return min(counts) if counts else float("inf")

    for article in sorted(pool, key=rarity):
        frames = set(article.frames or [])
        if frames:
            rare = min(frames, key=lambda f: frame_totals[f])
            gaps = [want_frames[k][rare] for k in range(n_parts)]
        else:
            gaps = list(want_size)
        best = max(range(n_parts), key=lambda k: (gaps[k], want_size[k], -k))
        parts[best].append(article)
        want_size[best] -= 1
        for f in frames:
            want_frames[best][f] -= 1
    return parts
