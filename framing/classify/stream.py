"""The input side of classification: records read, parsed, de-duplicated and cut into
chunks, and the counts a run reports.

The input is streamed and cut into chunks of ``size`` input records (good or
bad), so chunk boundaries depend on the input alone and a resumed run sees the
same chunks. Exact duplicates (same whitespace-normalised text) are set aside
after their first occurrence; the set of texts seen lives in SQLite on disk,
so memory does not grow with the number of articles.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from framing.data.corpus import Article, iter_unlabeled
from framing.data.readers import Columns, expand_inputs, read_records
from framing.data.text import text_hash
from framing.models.article import NO_PARAGRAPH_SCORED, OTHER_LANGUAGE

COUNTS = (
    "records",
    "articles",
    "paragraphs",
    "errors",
    "duplicates",
    "unscored",
    "other_language",
)


@dataclass
class Chunk:
    """One chunk of input: the good articles, and what was set aside."""

    index: int
    articles: list[Article] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    n_records: int = 0

    def counts(self, predictions: list[dict]) -> dict[str, int]:
        """What the chunk holds and what its predictions warn of, as written to a manifest
        and added to the summary."""

        def warned(prefix: str) -> int:
            return sum(
                any(w.startswith(prefix) for w in p.get("warnings", ())) for p in predictions
            )

        return {
            "records": self.n_records,
            "articles": len(self.articles),
            "paragraphs": sum(len(a.paragraphs) for a in self.articles),
            "errors": len(self.errors),
            "duplicates": len(self.duplicates),
            "unscored": warned(NO_PARAGRAPH_SCORED),
            "other_language": warned(OTHER_LANGUAGE),
        }


class SeenTexts:
    """The set of article texts seen so far, on disk (SQLite), keyed by a text hash."""

    def __init__(self, path: Path):
        self.path = path
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE seen (hash BLOB PRIMARY KEY, id TEXT)")

    def first_id(self, article: Article) -> str | None:
        """The id of an earlier article with the same text, recording this one if new."""
        digest = bytes.fromhex(text_hash(article.text))[:16]
        row = self.db.execute("SELECT id FROM seen WHERE hash = ?", (digest,)).fetchone()
        if row:
            return row[0]
        self.db.execute("INSERT INTO seen VALUES (?, ?)", (digest, article.id))
        return None

    def close(self) -> None:
        self.db.commit()
        self.db.close()
        self.path.unlink(missing_ok=True)


def chunks(
    inputs: list[str],
    *,
    columns: Columns | None,
    max_chars: int,
    size: int,
    seen: SeenTexts | None,
) -> Iterator[Chunk]:
    """Cut the input stream into chunks of ``size`` records, parsed and de-duplicated."""
    chunk = Chunk(0)
    for article, problem in iter_unlabeled(inputs, columns=columns, max_chars=max_chars):
        chunk.n_records += 1
        if problem is not None:
            chunk.errors.append({"place": problem.place, "error": problem.message})
        else:
            first = seen.first_id(article) if seen is not None else None
            if first is None:
                chunk.articles.append(article)
            else:
                chunk.duplicates.append(
                    {"id": article.id, "duplicate_of": first, "place": article.place}
                )
        if chunk.n_records >= size:
            yield chunk
            chunk = Chunk(chunk.index + 1)
    if chunk.n_records:
        yield chunk


def count_records(inputs: list[str], columns: Columns | None = None) -> int | None:
    """How many input records there are (a cheap pass, for progress), or None for stdin.

    A file that cannot be read counts once: its error is reported when it is read.
    """
    total = 0
    for item in expand_inputs(inputs):
        if item == "-":
            return None
        path = Path(item)
        suffix = path.suffix.lower()
        try:
            if suffix == ".parquet":
                import pyarrow.parquet as pq

                total += pq.ParquetFile(path).metadata.num_rows
            elif suffix in {".jsonl", ".ndjson", ".json"}:
                with path.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            elif suffix in {".csv", ".tsv"}:
                total += sum(1 for _ in read_records([str(path)], columns=columns))
            else:
                total += 1
        except (OSError, ValueError):  # pyarrow's errors for a broken file are ValueErrors
            total += 1
    return total


@dataclass
class BatchSummary:
    """What a classification run did: counts over all chunks, and its time."""

    records: int = 0
    articles: int = 0
    paragraphs: int = 0
    errors: int = 0
    duplicates: int = 0
    unscored: int = 0
    other_language: int = 0
    skipped_shards: int = 0
    seconds: float = 0.0

    def add(self, counts: dict[str, int]) -> None:
        """Add one chunk's :meth:`Chunk.counts`."""
        for key, value in counts.items():
            setattr(self, key, getattr(self, key) + value)

    def line(self) -> str:
        """The one-line summary printed after a run."""
        if self.records and not self.articles:
            return (
                f"nothing classified: all {self.records:,} input records were errors or duplicates"
            )
        rate = self.articles / self.seconds if self.seconds > 0 else 0.0
        parts = [
            f"classified {self.articles:,} articles ({self.paragraphs:,} paragraphs) in"
            f" {self.seconds:.1f} s, {rate:.1f} articles/s"
        ]
        if self.errors:
            parts.append(f"{self.errors:,} skipped with errors")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} exact duplicates classified once")
        if self.unscored:
            parts.append(f"{self.unscored:,} with no paragraph scored (see their warnings)")
        if self.other_language:
            parts.append(f"{self.other_language:,} not in the model's language")
        if self.skipped_shards:
            parts.append(f"{self.skipped_shards} shards already done")
        return ", ".join(parts)
