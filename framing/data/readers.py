"""Streaming readers for article files: JSONL, CSV, Parquet, plain text, folders, stdin.

Every reader yields :class:`Record` objects one at a time, so a reader never
holds more than one batch of a file in memory. A record is either a mapping
read from the file or an error that says where and what went wrong; a broken
line never stops the good lines around it from being read.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from framing.errors import FramingError

TEXT_SUFFIXES = {".txt", ".md"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet"}
SUPPORTED = TEXT_SUFFIXES | TABLE_SUFFIXES
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Columns:
    """Which input columns hold which article fields (for CSV, Parquet and JSONL)."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    date: str = "date"
    source: str = "source"
    paragraphs: str = "paragraphs"

    def rename(self, record: dict) -> dict:
        """Map the user's column names onto the canonical field names.

        A record that lacks a user column keeps the canonical field, so mixed
        inputs (a CSV with 'body' next to JSONL with 'text') both work.
        """
        out = dict(record)
        for user, canonical in (
            (self.id, "id"),
            (self.text, "text"),
            (self.title, "title"),
            (self.date, "date"),
            (self.source, "source"),
            (self.paragraphs, "paragraphs"),
        ):
            if user != canonical and user in out:
                out[canonical] = out.pop(user)
        return out


@dataclass
class Record:
    """One raw item read from an input: its place, and its data or what went wrong."""

    place: str
    data: dict | None = None
    error: str | None = None


def _is_binary(head: bytes) -> bool:
    return b"\x00" in head


def _decode(raw: bytes, place: str) -> tuple[str | None, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, (
            f"{place}: text is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start});"
            " re-save the file as UTF-8"
        )


def expand_inputs(inputs: list[str]) -> Iterator[str | Path]:
    """Expand folders into their supported files (sorted), keep files and '-' as they are."""
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
            )
            if not files:
                raise FramingError(
                    f"{path}: folder holds no readable files; expected .jsonl, .csv, .parquet,"
                    " .txt or .md files"
                )
            yield from files
        elif path.exists():
            yield path
        else:
            raise FramingError(f"{path}: no such file or folder; check the path")


def read_records(
    inputs: list[str] | str | Path, *, columns: Columns | None = None, text_format: str = "auto"
) -> Iterator[Record]:
    """Yield records from files, folders or '-' (stdin), one at a time.

    Parameters
    ----------
    inputs : paths of files or folders, or '-' for standard input.
    columns : the input column names, when they differ from the defaults.
    text_format : for stdin, 'jsonl', 'text' or 'auto' (JSONL when the first character is '{').
    """
    columns = columns or Columns()
    if isinstance(inputs, (str, Path)):
        inputs = [str(inputs)]
    for item in expand_inputs([str(i) for i in inputs]):
        if item == "-":
            yield from _read_stdin(columns, text_format)
            continue
        yield from read_file(Path(item), columns=columns)


def read_file(
    path: Path, *, columns: Columns | None = None, require_text: bool = True
) -> Iterator[Record]:
    """Yield the records of one file, chosen by its extension. With ``require_text``
    (articles), a table without the text column is one error record."""
    columns = columns or Columns()
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        yield Record(str(path), error=f"{path}: cannot read file ({exc.strerror})")
        return
    if not head:
        yield Record(str(path), error=f"{path}: file is empty; expected at least one article")
        return
    if suffix == ".parquet":
        yield from _read_parquet(path, columns, require_text)
        return
    if _is_binary(head):
        yield Record(
            str(path),
            error=f"{path}: looks like a binary file (NUL bytes), not text; expected UTF-8"
            " JSONL, CSV, .txt or .md, or a .parquet file",
        )
        return
    if suffix in {".jsonl", ".ndjson", ".json"}:
        with path.open("rb") as handle:
            yield from _read_jsonl(handle, str(path), columns)
    elif suffix in {".csv", ".tsv"}:
        yield from _read_csv(
            path, columns, delimiter="\t" if suffix == ".tsv" else ",", require_text=require_text
        )
    elif suffix in TEXT_SUFFIXES:
        raw = path.read_bytes()
        text, error = _decode(raw, str(path))
        if error:
            yield Record(str(path), error=error)
        else:
            yield Record(str(path), data={"id": str(path), "text": text})
    else:
        yield Record(
            str(path),
            error=f"{path}: unsupported file type {suffix or '(none)'!r}; expected one of "
            + ", ".join(sorted(SUPPORTED)),
        )


def _parse_line(raw: bytes, place: str) -> tuple[dict | None, str | None]:
    """One JSONL line as ``(object, None)``, or ``(None, error)`` saying what is wrong."""
    line, error = _decode(raw, place)
    if error:
        return None, error
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, (
            f"{place}: invalid JSON ({exc.msg} at column {exc.colno});"
            " each line must be one JSON object"
        )
    if not isinstance(data, dict):
        return None, f"{place}: expected a JSON object per line, got {type(data).__name__}"
    return data, None


def iter_jsonl(path: str | Path) -> Iterator[tuple[str, dict]]:
    """``(place, object)`` for each non-blank line of a JSONL file whose every line must be
    good (annotations, stand-off labels, predictions); FramingError names the first bad one."""
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"{path}: file not found")
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                data, error = _parse_line(raw, f"{path}:{number}")
                if error:
                    raise FramingError(error)
                yield f"{path}:{number}", data


def _read_jsonl(handle, name: str, columns: Columns) -> Iterator[Record]:
    any_line = False
    for number, raw in enumerate(handle, start=1):
        place = f"{name}:{number}"
        if not raw.strip():
            continue
        any_line = True
        data, error = _parse_line(raw, place)
        if error:
            yield Record(place, error=error)
        else:
            yield Record(place, data=columns.rename(data))
    if not any_line:
        yield Record(name, error=f"{name}: file has no articles (only blank lines)")


def _read_csv(path: Path, columns: Columns, delimiter: str, require_text: bool) -> Iterator[Record]:
    with path.open("rb") as binary:
        stream = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        try:
            reader = csv.DictReader(stream, delimiter=delimiter)
            header = reader.fieldnames or []
            if require_text and columns.text not in header and columns.paragraphs not in header:
                yield Record(
                    str(path),
                    error=f"{path}: no text column {columns.text!r} (columns are: "
                    f"{', '.join(header) or 'none'}); name it with --text-column",
                )
                return
            for row in reader:
                place = f"{path}:{reader.line_num}"
                if None in row:
                    yield Record(place, error=f"{place}: row has more fields than the header")
                    continue
                yield Record(place, data=columns.rename({k: v for k, v in row.items()}))
        except UnicodeDecodeError as exc:
            yield Record(
                str(path),
                error=f"{path}: text is not UTF-8 (byte 0x{exc.object[exc.start]:02x});"
                " re-save the file as UTF-8; rows before it were read",
            )
        except csv.Error as exc:
            yield Record(str(path), error=f"{path}: broken CSV ({exc})")


def _read_parquet(path: Path, columns: Columns, require_text: bool) -> Iterator[Record]:
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # pyarrow: ArrowInvalid, ArrowIOError
        yield Record(str(path), error=f"{path}: not a readable Parquet file ({exc})")
        return
    names = file.schema_arrow.names
    if require_text and columns.text not in names and columns.paragraphs not in names:
        yield Record(
            str(path),
            error=f"{path}: no text column {columns.text!r} (columns are: {', '.join(names)});"
            " name it with --text-column",
        )
        return
    row = 0
    for batch in file.iter_batches(batch_size=1024):
        for data in batch.to_pylist():
            row += 1
            yield Record(f"{path}:row {row}", data=columns.rename(data))


def _read_stdin(columns: Columns, text_format: str) -> Iterator[Record]:
    stream = sys.stdin.buffer
    if text_format == "auto":
        head = stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES] if hasattr(stream, "peek") else b""
        text_format = "jsonl" if head.lstrip()[:1] == b"{" else "text"
    if text_format == "jsonl":
        yield from _read_jsonl(stream, "<stdin>", columns)
        return
    raw = stream.read()
    if not raw.strip():
        yield Record("<stdin>", error="<stdin>: no input; pipe an article or JSONL into it")
        return
    text, error = _decode(raw, "<stdin>")
    if error:
        yield Record("<stdin>", error=error)
    else:
        yield Record("<stdin>", data={"text": text})
