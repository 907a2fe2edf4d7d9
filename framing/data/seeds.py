"""Stand-off annotations of real articles whose text we may not redistribute.

The labels of the real (``origin: real``) articles live in
``corpus/seeds.standoff.jsonl``; their text stays in the user's folder of seed
files. Each annotation line names the seed file and, for every paragraph that
:func:`framing.data.segment.segment` finds in it, the paragraph's index, a hash
of its text and its labels, as the Media Frames Corpus does. Joining checks
every hash, so a changed text or a changed segmentation fails loudly instead of
pairing labels with the wrong paragraphs.
"""

from __future__ import annotations

import os
from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.corpus import Article, parse_labeled
from framing.data.readers import iter_jsonl
from framing.data.segment import paragraph_hash, segment
from framing.data.splits import bundled_corpus_dir
from framing.errors import FramingError

STANDOFF_FILE = "seeds.standoff.jsonl"


def default_seeds_dir() -> Path | None:
    """Where the seed texts are: $FRAMING_SEEDS, else ../shared/seeds next to the
    working folder or next to the source checkout; None when none exists."""
    env = os.environ.get("FRAMING_SEEDS")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2]
    for candidate in (Path.cwd().parent / "shared" / "seeds", checkout.parent / "shared" / "seeds"):
        if candidate.is_dir():
            return candidate
    return None


def standoff_path() -> Path:
    return bundled_corpus_dir() / STANDOFF_FILE


def read_standoff(path: str | Path | None = None) -> list[dict]:
    return [record for _, record in iter_jsonl(Path(path) if path else standoff_path())]


def join_seed(record: dict, text: str, place: str, codebook: Codebook) -> Article:
    """Attach one stand-off record's labels to the paragraphs of its seed text."""
    found = segment(text)
    labels = record.get("paragraphs", [])
    if len(found) != len(labels):
        raise FramingError(
            f"{place}: the text splits into {len(found)} paragraphs but the annotation has"
            f" {len(labels)}; the seed file or the segmentation changed, re-annotate it"
        )
    paragraphs = []
    for i, (para, label) in enumerate(zip(found, labels, strict=True)):
        if label.get("hash") != paragraph_hash(para.text):
            raise FramingError(
                f"{place}: paragraph {i} has hash {paragraph_hash(para.text)}, the annotation"
                f" expects {label.get('hash')}; the seed file or the segmentation changed,"
                " restore the file or re-annotate it"
            )
        paragraphs.append(
            {
                "text": para.text,
                "frames": label.get("frames", []),
                "stance": label.get("stance"),
                "boilerplate": label.get("boilerplate", False),
            }
        )
    full = {k: v for k, v in record.items() if k not in {"file", "paragraphs"}}
    full["paragraphs"] = paragraphs
    article, problems = parse_labeled(full, place, codebook)
    if article is None:
        raise FramingError(str(problems[0]))
    return article


def load_seeds(
    codebook: Codebook, seeds_dir: str | Path | None = None, standoff: str | Path | None = None
) -> list[Article]:
    """The real seed articles with their labels, joined from stand-off annotations.

    Raises FramingError when the seed folder is missing, a file is missing, or
    a paragraph hash does not match.
    """
    seeds_dir = Path(seeds_dir) if seeds_dir else default_seeds_dir()
    if seeds_dir is None or not seeds_dir.is_dir():
        raise FramingError(
            f"seed folder {seeds_dir or '../shared/seeds'} not found; pass --seeds DIR or set"
            " FRAMING_SEEDS to the folder holding the seed .txt files"
        )
    articles = []
    for record in read_standoff(standoff):
        path = seeds_dir / record["file"]
        if not path.is_file():
            raise FramingError(f"{path}: seed file named in the annotations is missing")
        articles.append(join_seed(record, path.read_text(encoding="utf-8"), str(path), codebook))
    return articles
