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
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from framing.errors import FramingError

TEXT_SUFFIXES = {".txt", ".md"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet"}
SUPPORTED = TEXT_SUFFIXES | TABLE_SUFFIXES
_SNIFF_BYTES = 8192
_CSV_FIELD_LIMIT = 2**31 - 1


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


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Unreadable:
    """An input path that could not be listed or read (a folder without permission...)."""

    place: str
    message: str


def display(path: str | Path) -> str:
    """A path as text that can always be printed and written as UTF-8 (bytes of a file name
    that are not UTF-8 are shown as ``\\xNN``)."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _is_binary(head: bytes) -> bool:
    """NUL bytes (NUL characters, for text marked as UTF-16) mean binary data."""
    if head.startswith(_UTF16_BOMS):
        return "\x00" in head[: len(head) // 2 * 2].decode("utf-16", "replace")
    return b"\x00" in head


def _decode(raw: bytes, place: str) -> tuple[str | None, str | None]:
    """Text from UTF-8 (a leading byte-order mark dropped) or BOM-marked UTF-16."""
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, f"{place}: broken UTF-16 text; re-save the file as UTF-8"
    try:
        return raw.removeprefix(_UTF8_BOM).decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, (
            f"{place}: text is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start});"
            " re-save the file as UTF-8"
        )


def _walk(folder: Path) -> Iterator[Path | Unreadable]:
    """Every supported file under ``folder``, sorted, following symbolic links to folders
    (each real folder visited once, so link loops end) and naming unreadable folders."""
    seen: set[str] = set()
    found: list[Path | Unreadable] = []

    def unreadable(exc: OSError) -> None:
        name = display(exc.filename or folder)
        found.append(Unreadable(name, f"{name}: cannot read folder ({exc.strerror})"))

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        for name in files:
            path = Path(root) / name
            if path.suffix.lower() in SUPPORTED and (path.is_file() or not path.exists()):
                found.append(path)
    return iter(sorted(found, key=lambda p: str(p) if isinstance(p, Path) else p.place))


def expand_inputs(inputs: list[str]) -> Iterator[str | Path | Unreadable]:
    """Expand folders into their supported files (sorted; symbolic links followed), keep
    files and '-' as they are; an unreadable folder is yielded as :class:`Unreadable`."""
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            files = list(_walk(path))
            if not files:
                raise FramingError(
                    f"{display(path)}: folder holds no readable files; expected .jsonl, .csv,"
                    " .parquet, .txt or .md files"
                )
            yield from files
        elif path.exists():
            yield path
        else:
            raise FramingError(f"{display(path)}: no such file or folder; check the path")


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
        elif isinstance(item, Unreadable):
            yield Record(item.place, error=item.message)
        else:
            yield from read_file(Path(item), columns=columns)


def read_file(
    path: Path, *, columns: Columns | None = None, require_text: bool = True
) -> Iterator[Record]:
    """Yield the records of one file, chosen by its extension. With ``require_text``
    (articles), a table without the text column is one error record."""
    columns = columns or Columns()
    suffix = path.suffix.lower()
    name = display(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        yield Record(name, error=f"{name}: cannot read file ({exc.strerror})")
        return
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        yield Record(name, error=f"{name}: file is empty; expected at least one article")
        return
    if suffix == ".parquet":
        yield from _read_parquet(path, columns, require_text)
        return
    if _is_binary(head):
        yield Record(
            name,
            error=f"{name}: looks like a binary file (NUL bytes), not text; expected UTF-8"
            " JSONL, CSV, .txt or .md, or a .parquet file",
        )
        return
    if head.startswith(_UTF16_BOMS) and suffix in TABLE_SUFFIXES:
        # Rare enough to read whole: re-encode as UTF-8 and read it as usual.
        text, error = _decode(path.read_bytes(), name)
        if error:
            yield Record(name, error=error)
            return
        data = io.BytesIO(text.encode("utf-8", "surrogatepass"))
    else:
        data = None
    if suffix in {".jsonl", ".ndjson", ".json"}:
        with data or path.open("rb") as handle:
            yield from _read_jsonl(handle, name, columns)
    elif suffix in {".csv", ".tsv"}:
        yield from _read_csv(
            data or path,
            name,
            columns,
            delimiter="\t" if suffix == ".tsv" else ",",
            require_text=require_text,
        )
    elif suffix in TEXT_SUFFIXES:
        text, error = _decode(path.read_bytes(), name)
        if error:
            yield Record(name, error=error)
        else:
            yield Record(name, data={"id": name, "text": text})
    else:
        yield Record(
            name,
            error=f"{name}: unsupported file type {suffix or '(none)'!r}; expected one of "
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
    except RecursionError:
        return None, f"{place}: JSON nested too deeply to read; flatten the record"
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


def _read_csv(
    source: Path | io.BytesIO, name: str, columns: Columns, delimiter: str, require_text: bool
) -> Iterator[Record]:
    path = name
    # A field may be as long as an article (the default limit, 131,072 characters, would
    # end the file there without a word); --max-chars decides what is too long.
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    with source if isinstance(source, io.BytesIO) else source.open("rb") as binary:
        # Bytes that are not UTF-8 become lone surrogates, so the row that holds them is
        # reported (see framing.data.corpus) and the rows after it are still read.
        stream = io.TextIOWrapper(
            binary, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
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
        except csv.Error as exc:
            yield Record(path, error=f"{path}: broken CSV ({exc}); rows before it were read")


def _read_parquet(source: Path, columns: Columns, require_text: bool) -> Iterator[Record]:
    import pyarrow.parquet as pq

    path = display(source)
    try:
        file = pq.ParquetFile(source)
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
    if sys.stdin is None or sys.stdin.closed:
        yield Record("<stdin>", error="<stdin>: standard input is closed; pipe the input in")
        return
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
