"""Where predictions go: stdout, one file (JSONL, CSV or Parquet), or a shard folder.

Every sink takes one chunk at a time (its predictions, and the bad items and
duplicates set aside), so memory stays bounded whatever the size of the input.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from framing.classify.shards import ShardFolder, jsonl
from framing.classify.stream import Chunk
from framing.errors import FramingError
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


class FileSink:
    """Predictions to stdout (JSONL) or one JSONL, CSV or Parquet file; bad items and
    duplicates to ``<out>.errors.jsonl`` beside it (created only when there are any)."""

    def __init__(self, out: str | Path | None, model: FramingClassifier, *, pretty: bool):
        self.out = Path(out) if out is not None else None
        self.writer = PredictionWriter(out, model, pretty=pretty)
        self._errors = None

    def __enter__(self):
        self.writer.__enter__()
        return self

    def done(self, index: int) -> bool:
        return False

    def finished_records(self) -> int:
        return 0

    def write(self, chunk: Chunk, predictions: list[dict]) -> None:
        rows = chunk.errors + chunk.duplicates
        if rows and self.out is not None:
            if self._errors is None:
                self._errors = errors_path(self.out).open("w", encoding="utf-8")
            self._errors.write(jsonl(rows))
            self._errors.flush()
        self.writer.write(predictions)

    def finish(self) -> None:
        pass

    def __exit__(self, *exc):
        if self._errors is not None:
            self._errors.close()
        return self.writer.__exit__(*exc)


class FolderSink:
    """A resumable folder of JSONL shards with a manifest (:mod:`framing.classify.shards`)."""

    def __init__(self, out: Path, settings: dict, *, resume: bool, paragraphs: bool):
        self.folder = ShardFolder(out, settings, resume=resume)
        self.paragraphs = paragraphs

    def __enter__(self):
        return self

    def done(self, index: int) -> bool:
        return self.folder.done(index)

    def finished_records(self) -> int:
        return self.folder.finished_records()

    def write(self, chunk: Chunk, predictions: list[dict]) -> None:
        self.folder.write(chunk, predictions, self.paragraphs)

    def finish(self) -> None:
        self.folder.finish()

    def __exit__(self, *exc):
        return False
