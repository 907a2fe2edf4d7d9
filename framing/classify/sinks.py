"""Where predictions go: stdout, one file (JSONL, CSV or Parquet), or a shard folder.

Every sink takes one chunk at a time (its predictions, and the bad items and
duplicates set aside), so memory stays bounded whatever the size of the input.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
from pathlib import Path

from framing.classify.shards import ShardFolder, jsonl
from framing.classify.stream import Chunk
from framing.data.readers import display
from framing.errors import FramingError
from framing.models.base import FramingClassifier

OUTPUT_SUFFIXES = {".jsonl", ".csv", ".parquet"}
logger = logging.getLogger(__name__)


# Input metadata with a column of its own in CSV and Parquet output; other fields go
# into the "meta" column as JSON, so every row has the same columns.
FLAT_META = ("title", "date", "source", "url")
_PREDICTION_KEYS = {
    "id",
    "paragraphs_scored",
    "frames",
    "frame_scores",
    "primary_frame",
    "stance",
    "stance_scores",
    "evidence",
    "evidence_text",
    "title_scored",
    "title_labels",
    "warnings",
    "paragraphs",
    "model",
}


def flat_row(prediction: dict, frames: list[str], stances: list[str]) -> dict:
    """A prediction as one flat row for CSV and Parquet: lists joined, scores as columns."""
    row = {"id": prediction["id"]}
    if "frames" in prediction:  # left out for a codebook without frames
        row["frames"] = ";".join(prediction["frames"])
        row["primary_frame"] = prediction["primary_frame"] or ""
    if "stance" in prediction:  # left out for a codebook without stance
        row["stance"] = prediction["stance"]
    row["paragraphs_scored"] = prediction["paragraphs_scored"]
    row["warnings"] = " | ".join(prediction.get("warnings", []))
    row.update({f"frame_score.{f}": prediction["frame_scores"][f] for f in frames})
    row.update({f"stance_score.{s}": prediction["stance_scores"][s] for s in stances})
    row["title_scored"] = bool(prediction.get("title_scored", False))
    if "evidence" in prediction:
        row["evidence"] = json.dumps(prediction["evidence"])
        row["evidence_text"] = json.dumps(prediction["evidence_text"], ensure_ascii=False)
    if "paragraphs" in prediction:
        row["paragraphs"] = json.dumps(prediction["paragraphs"], ensure_ascii=False)
        title = prediction.get("title_labels")
        row["title_labels"] = "" if title is None else json.dumps(title, ensure_ascii=False)
    for key in FLAT_META:
        value = prediction.get(key)
        row[key] = "" if value is None else str(value)
    other = {
        k: v for k, v in prediction.items() if k not in _PREDICTION_KEYS and k not in FLAT_META
    }
    row["meta"] = json.dumps(other, ensure_ascii=False, allow_nan=False) if other else ""
    row["model"] = prediction["model"]
    return row


def is_predictions_file(path: Path) -> bool:
    """Whether ``path`` is empty or holds predictions that framing wrote (so it may be
    replaced by a new run); anything else is the user's and is never overwritten."""
    if path.stat().st_size == 0:
        return True
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            names = set(pq.ParquetFile(path).schema_arrow.names)
            return {"id", "paragraphs_scored", "model"} <= names
        with path.open("rb") as handle:
            first = handle.readline().decode("utf-8")
        if suffix == ".csv":
            header = first.rstrip("\r\n").split(",")
            return header[0] == "id" and "paragraphs_scored" in header and header[-1] == "model"
        if suffix == ".jsonl":
            record = json.loads(first)
            return isinstance(record, dict) and (
                str(record.get("model", "")).startswith("framing ")
                or {"place", "error"} <= set(record)
                or {"place", "duplicate_of"} <= set(record)
            )
    except (OSError, ValueError):
        return False
    return False


def _kind(out: Path | None) -> str:
    return out.suffix.lower() if out is not None else ".jsonl"


class PredictionWriter:
    """Writes predictions as JSONL (default), CSV or Parquet, by the path's extension."""

    def __init__(
        self,
        out: str | Path | None,
        model: FramingClassifier,
        *,
        pretty: bool = False,
        kind: str | None = None,
    ):
        self.out = Path(out) if out else None
        self.indent = 2 if pretty else None
        self.model = model
        self.kind = kind or _kind(self.out)
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
                self._handle.write(
                    json.dumps(p, ensure_ascii=False, allow_nan=False, indent=self.indent) + "\n"
                )
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


def partial_path(out: Path) -> Path:
    """Where the predictions of a run that did not finish are kept."""
    return out.with_name(out.stem + ".partial" + out.suffix)


class FileSink:
    """Predictions to stdout (JSONL) or one JSONL, CSV or Parquet file; bad items and
    duplicates to ``<out>.errors.jsonl`` beside it.

    Files are written under temporary names and renamed into place when the run ends;
    a run that fails or is interrupted keeps what it wrote as ``<out>.partial.<ext>``.
    An existing file is replaced only when framing wrote it.
    """

    def __init__(self, out: str | Path | None, model: FramingClassifier, *, pretty: bool):
        self.out = Path(out) if out is not None else None
        self.tmp = self.errors_tmp = None
        if self.out is not None:
            for path in (self.out, errors_path(self.out)):
                if path.exists() and (path.is_dir() or not is_predictions_file(path)):
                    raise FramingError(
                        f"--out: {display(path)} exists and was not written by framing;"
                        " nothing was overwritten; choose another output path"
                    )
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = self.out.with_name(f".{self.out.name}.{os.getpid()}.tmp")
            self.errors_tmp = self.tmp.with_name(self.tmp.name + ".errors")
        self.writer = PredictionWriter(self.tmp, model, pretty=pretty, kind=_kind(self.out))
        self._errors = None
        self._finished = False

    def __enter__(self):
        self.writer.__enter__()
        return self

    def done(self, index: int) -> bool:
        return False

    def finished_records(self) -> int:
        return 0

    def write(self, chunk: Chunk, predictions: list[dict], counts: dict) -> None:
        rows = chunk.errors + chunk.duplicates
        if rows and self.out is not None:
            if self._errors is None:
                self._errors = self.errors_tmp.open("w", encoding="utf-8")
            self._errors.write(jsonl(rows))
            self._errors.flush()
        self.writer.write(predictions)

    def finish(self) -> None:
        self._finished = True

    def __exit__(self, *exc):
        if self._errors is not None:
            self._errors.close()
        self.writer.__exit__(*exc)
        if self.out is None:
            return False
        errors = errors_path(self.out)
        if self._finished:
            os.replace(self.tmp, self.out)
            if self._errors is not None:
                os.replace(self.errors_tmp, errors)
            elif errors.exists():  # a former run's errors, not this one's
                errors.unlink()
        else:
            if self.tmp.exists():
                os.replace(self.tmp, partial_path(self.out))
                logger.warning(
                    f"the run did not finish; what it classified is in"
                    f" {display(partial_path(self.out))}"
                )
            if self._errors is not None:
                os.replace(self.errors_tmp, partial_path(errors))
        return False


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

    def write(self, chunk: Chunk, predictions: list[dict], counts: dict) -> None:
        self.folder.write(chunk, predictions, counts, self.paragraphs)

    def finish(self) -> None:
        self.folder.finish()

    def __exit__(self, *exc):
        return False
