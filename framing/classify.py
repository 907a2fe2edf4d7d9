"""Batch classification: read articles, predict, write one prediction per article.

Input is streamed and classified in batches of articles, so memory stays
bounded; bad items are reported and skipped while the good ones are written.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

from framing.batch import BatchSummary, Progress, SeenTexts, chunks, count_records
from framing.data.corpus import MAX_CHARS
from framing.data.readers import Columns
from framing.errors import FramingError
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier

OUTPUT_SUFFIXES = {".jsonl", ".csv", ".parquet"}


def flat_row(prediction: dict, frames: list[str], stances: list[str]) -> dict:
    """A prediction as one flat row for CSV and Parquet: lists joined, scores as columns."""
    row = {
        "id": prediction["id"],
        "frames": ";".join(prediction["frames"]),
        "primary_frame": prediction["primary_frame"] or "",
        "stance": prediction["stance"],
    }
    row.update({f"frame_score.{f}": prediction["frame_scores"][f] for f in frames})
    row.update({f"stance_score.{s}": prediction["stance_scores"][s] for s in stances})
    row["evidence"] = json.dumps(prediction["evidence"])
    if "paragraphs" in prediction:
        row["paragraphs"] = json.dumps(prediction["paragraphs"], ensure_ascii=False)
    row["model"] = prediction["model"]
    return row


class PredictionWriter:
    """Writes predictions as JSONL (default), CSV or Parquet, by the path's extension."""

    def __init__(self, out: str | Path | None, model: FramingClassifier, *, pretty=False):
        self.out = Path(out) if out else None
        self.indent = 2 if pretty else None
        self.model = model
        self.kind = self.out.suffix.lower() if self.out else ".jsonl"
        if self.kind not in OUTPUT_SUFFIXES:
            raise FramingError(
                f"{out}: unsupported output type {self.kind!r}; use .jsonl, .csv or .parquet"
            )
        self._handle = None
        self._csv = None
        self._parquet = None

    def __enter__(self):
        if self.out is not None:
            self.out.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == ".jsonl":
            self._handle = self.out.open("w", encoding="utf-8") if self.out else sys.stdout
        elif self.kind == ".csv":
            self._handle = self.out.open("w", encoding="utf-8", newline="")
        return self

    def write(self, predictions: list[dict]) -> None:
        if not predictions:
            return
        if self.kind == ".jsonl":
            for p in predictions:
                self._handle.write(json.dumps(p, ensure_ascii=False, indent=self.indent) + "\n")
            self._handle.flush()
            return
        rows = [flat_row(p, self.model.frames_, self.model.stances_) for p in predictions]
        if self.kind == ".csv":
            if self._csv is None:
                self._csv = csv.DictWriter(self._handle, fieldnames=list(rows[0]))
                self._csv.writeheader()
            self._csv.writerows(rows)
            self._handle.flush()
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pylist(rows)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.out, table.schema)
            self._parquet.write_table(table.cast(self._parquet.schema))

    def __exit__(self, *exc):
        if self._parquet is not None:
            self._parquet.close()
        if self._handle is not None and self._handle is not sys.stdout:
            self._handle.close()
        return False


def errors_path(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".errors.jsonl")


def classify(
    inputs: list[str],
    model: FramingClassifier,
    *,
    out: str | Path | None = None,
    columns: Columns | None = None,
    paragraphs: bool = False,
    batch_articles: int = 64,
    max_chars: int = MAX_CHARS,
    pretty: bool = False,
    quiet: bool = True,
    log=None,
) -> BatchSummary:
    """Classify every article in ``inputs`` and write the predictions to one file or stdout.

    Parameters
    ----------
    inputs : files, folders or '-' for stdin (JSONL, CSV, Parquet, .txt, .md).
    model : a fitted paragraph classifier.
    out : output path (.jsonl, .csv, .parquet); None writes JSONL to stdout.
    paragraphs : also write each paragraph's labels.
    pretty : indent JSON output for reading (no longer one line per article).
    quiet : no progress line on stderr.

    Bad items are reported through ``log`` and, when ``out`` is given, to
    ``<out>.errors.jsonl``; the good ones are still classified. Exact duplicates
    of an earlier article are classified once and reported. For resumable runs
    into a folder of shards, and for Dask, see :func:`framing.batch.classify_to_folder`.
    """
    log = log or (lambda message: print(message, file=sys.stderr))
    classifier = ArticleClassifier(model)
    summary = BatchSummary()
    started = time.perf_counter()
    error_file = None
    progress = Progress(None if quiet else count_records(inputs, columns), quiet=quiet)

    def report(kind: str, row: dict) -> None:
        nonlocal error_file
        if kind == "error":
            log(f"\rskipped {row['place']}: {row['error']}")
        else:
            log(f"\rduplicate {row['place']}: same text as {row['duplicate_of']!r}")
        if out is not None:
            if error_file is None:
                Path(out).parent.mkdir(parents=True, exist_ok=True)
                error_file = errors_path(out).open("w", encoding="utf-8")
            error_file.write(json.dumps(row, ensure_ascii=False) + "\n")
            error_file.flush()

    try:
        with (
            tempfile.TemporaryDirectory(prefix="framing-seen-") as tmp,
            PredictionWriter(out, model, pretty=pretty) as writer,
        ):
            seen = SeenTexts(Path(tmp) / "seen.sqlite")
            try:
                for chunk in chunks(
                    inputs,
                    columns=columns,
                    max_chars=max_chars,
                    shard_size=batch_articles,
                    seen=seen,
                ):
                    for row in chunk.errors:
                        report("error", row)
                    for row in chunk.duplicates:
                        report("duplicate", row)
                    writer.write(classifier.predict(chunk.articles, paragraphs=paragraphs))
                    summary.add(chunk.counts())
                    progress.add(chunk.n_records)
            finally:
                seen.close()
    finally:
        progress.close()
        if error_file is not None:
            error_file.close()
        summary.seconds = time.perf_counter() - started
    return summary
