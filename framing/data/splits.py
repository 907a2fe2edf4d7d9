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

from framing.data.codebook import Codebook, load_codebook
from framing.data.corpus import Article, dataset_records, labeled_from_records, load_labeled
from framing.errors import FramingError

# Extra held-out splits: read, checked and scored, never trained or cross-validated on.
HELDOUT_ONLY = ("headlines",)
SPLITS = ("train", "dev", "test", *HELDOUT_ONLY)
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
    if is_saved_dataset(path):
        return load_saved_dataset(path, codebook)
    if path.is_dir():
        files = split_files(path)
        if not files:
            raise FramingError(
                f"{path}: corpus folder has no train/dev/test files; expected train.jsonl"
                " (and optionally dev.jsonl, test.jsonl) or pass a single corpus file"
            )
        return {name: load_labeled(file, codebook) for name, file in files.items()}
    return {"all": load_labeled(path, codebook)}


def corpus_codebook(data: Path, codebook: Codebook | str | Path | None) -> Codebook:
    """The codebook to read ``data`` with: the one given, else a corpus folder's own
    ``codebook.yaml``, else the bundled codebook."""
    if isinstance(codebook, Codebook):
        return codebook
    if codebook is None and data.is_dir() and (data / "codebook.yaml").is_file():
        codebook = data / "codebook.yaml"
    return load_codebook(codebook)


def is_saved_dataset(path: Path) -> bool:
    """Whether ``path`` is a folder written by ``Dataset.save_to_disk`` (or of a DatasetDict)."""
    return path.is_dir() and any(
        (path / name).is_file() for name in ("dataset_dict.json", "state.json")
    )


def load_saved_dataset(path: Path, codebook: Codebook) -> dict[str, list[Article]]:
    """Read a corpus saved with ``datasets``: a DatasetDict gives its splits (``validation``
    is read as ``dev``), a single Dataset gives ``{'all': [...]}``."""
    from datasets import DatasetDict, load_from_disk

    loaded = load_from_disk(str(path))
    parts = dict(loaded) if isinstance(loaded, DatasetDict) else {"all": loaded}
    out = {}
    for name, dataset in parts.items():
        key = "dev" if name == "validation" else name
        articles, problems = labeled_from_records(
            dataset_records(dataset, f"{path}[{name}]"), codebook
        )
        if problems:
            raise FramingError(f"{problems[0]} ({len(problems)} problems in all)")
        out[key] = articles
    return out


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
