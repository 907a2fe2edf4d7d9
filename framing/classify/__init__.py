"""Batch classification: stream articles through a model into a sink.

One entry point, :func:`classify`. The input (files, folders, stdin) is read
as a stream (:mod:`~framing.classify.stream`), cut into chunks, classified by an
engine (:mod:`~framing.classify.engines`: this process, or a Dask cluster) and
written by a sink (:mod:`~framing.classify.sinks`: stdout, one JSONL/CSV/Parquet
file, or a resumable folder of shards, :mod:`~framing.classify.shards`). Every
input record ends in exactly one of predictions, errors or duplicates.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path

from filelock import FileLock, Timeout
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from framing.classify.engines import ENGINES, run_dask, run_local
from framing.classify.shards import input_fingerprint
from framing.classify.sinks import OUTPUT_SUFFIXES, FileSink, FolderSink, errors_path
from framing.classify.stream import BatchSummary, Chunk, SeenTexts, chunks, count_records
from framing.data.corpus import MAX_CHARS
from framing.data.readers import Columns, display
from framing.errors import FramingError
from framing.models.base import FramingClassifier, model_digest

__all__ = ["BatchSummary", "classify", "is_folder_output"]

SHARD_SIZE = 1000
# Articles per chunk when writing one file or stdout: small, so output streams.
FILE_CHUNK = 64
logger = logging.getLogger(__name__)


def is_folder_output(out: str | Path | None) -> bool:
    """Whether ``out`` names a shard folder (an existing folder, or a name without
    extension) rather than one output file."""
    if out is None:
        return False
    out = Path(out)
    return out.is_dir() or out.suffix == ""


@contextmanager
def _exclusive(folder: Path):
    """Hold a lock beside a shard folder, so that two runs never write into one."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder.parent / f".{folder.name}.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise FramingError(
            f"{display(folder)}: another run is writing to this folder; wait for it to end,"
            " or choose another --out"
        ) from None
    try:
        yield
    finally:
        lock.release()


def check_output_apart(inputs: list[str], out: Path, *, folder: bool) -> None:
    """Refuse an output that is one of the inputs (or its errors file is), or a shard folder
    inside an input folder (the run would read its own output)."""
    targets = [out] if folder else [out, errors_path(out)]
    for item in inputs:
        if item == "-":
            continue
        source = Path(item).resolve()
        for target in targets:
            target = target.resolve()
            if target == source:
                raise FramingError(
                    f"--out {display(target)} is also an input; nothing was written; choose"
                    " another output path"
                )
            if Path(item).is_dir() and source in target.parents:
                raise FramingError(
                    f"--out {display(target)} is inside the input folder {display(item)};"
                    " the run would read its own output; choose a path outside it"
                )


def classify(
    inputs: list[str],
    model: FramingClassifier | str | Path,
    *,
    out: str | Path | None = None,
    resume: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    shard_size: int = SHARD_SIZE,
    paragraphs: bool = False,
    columns: Columns | None = None,
    max_chars: int = MAX_CHARS,
    batch_size: int = 2048,
    pretty: bool = False,
    progress: bool = True,
) -> BatchSummary:
    """Classify every article in ``inputs`` and write one prediction per article.

    Parameters
    ----------
    inputs : files, folders (searched recursively) or '-' for stdin; JSONL, CSV,
        Parquet, .txt, .md.
    model : a fitted classifier, or a model directory (needed for a Dask engine).
    out : None for JSONL on stdout; a ``.jsonl``, ``.csv`` or ``.parquet`` file; or
        a folder (a name without extension) of resumable JSONL shards.
    resume : finish a killed run into the same ``out`` folder.
    engine : ``local`` (this process) or ``dask`` (``scheduler`` address, or a local
        cluster of ``workers`` processes); folders only.
    shard_size : input records per shard of a folder.
    paragraphs : also write each paragraph's labels.
    columns : input column names, where they differ from the defaults.
    max_chars : longer articles are reported as errors.
    batch_size : paragraphs per call of the model.
    pretty : indented JSON on stdout or in a JSONL file.
    progress : a progress bar on stderr (when stderr is a terminal).

    Bad items are reported (``logging``, and ``<out>.errors.jsonl`` or the shard
    folder's error files) and skipped; the good ones are still classified. Exact
    duplicates of an earlier article are classified once and reported.

    Examples
    --------
    >>> classify(["news/"], "models/tfidf", out="predictions.csv")  # doctest: +SKIP
    """
    folder = is_folder_output(out)
    if (resume or engine != "local") and not folder:
        raise FramingError(
            "--resume and --engine dask write a folder of shards; give --out a"
            " folder name without extension"
        )
    if engine not in ENGINES:
        raise FramingError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if shard_size < 1:
        raise FramingError(f"--shard-size must be at least 1, got {shard_size}")
    if out is not None and not folder and Path(out).suffix.lower() not in OUTPUT_SUFFIXES:
        raise FramingError(
            f"{out}: unsupported output type {Path(out).suffix!r}; use .jsonl, .csv or"
            " .parquet, or a folder name without extension"
        )
    if out is not None:
        check_output_apart(inputs, Path(out), folder=folder)
    model_dir = None
    if not isinstance(model, FramingClassifier):
        model_dir = str(Path(model).resolve())
        model = FramingClassifier.load(model_dir)  # fails here, early, on a bad folder
    if engine == "dask" and model_dir is None:
        raise FramingError("--engine dask loads the model on each worker; give a model directory")
    if folder:
        settings = {
            "inputs": input_fingerprint(inputs),
            "arguments": list(inputs),
            "model": model.describe(),
            "model_digest": model_digest(model_dir) if model_dir else None,
            "settings": {
                "shard_size": shard_size,
                "paragraphs": paragraphs,
                "max_chars": max_chars,
                "columns": vars(columns or Columns()),
            },
        }
        lock = ExitStack()
        lock.enter_context(_exclusive(Path(out)))
        sink = FolderSink(Path(out), settings, resume=resume, paragraphs=paragraphs)
        size = shard_size
    else:
        lock = nullcontext()
        sink = FileSink(out, model, pretty=pretty)
        size = FILE_CHUNK
    show = progress and sys.stderr.isatty() and out is not None
    bar = tqdm(
        total=count_records(inputs, columns) if show else None,
        initial=sink.finished_records(),
        disable=not show,
        unit=" records",
        file=sys.stderr,
        dynamic_ncols=True,
    )
    summary = BatchSummary()
    started = time.perf_counter()

    def finished(chunk: Chunk, predictions: list[dict]) -> None:
        for row in chunk.errors:
            logger.warning(f"skipped {row['place']}: {row['error']}")
        for row in chunk.duplicates:
            logger.warning(f"duplicate {row['place']}: same text as {row['duplicate_of']!r}")
        counts = chunk.counts(predictions)
        sink.write(chunk, predictions, counts)
        summary.add(counts)
        bar.update(chunk.n_records)

    with (
        lock,
        sink,
        tempfile.TemporaryDirectory(prefix="framing-seen-") as tmp,
        logging_redirect_tqdm() if show else nullcontext(),
    ):
        seen = SeenTexts(Path(tmp) / "seen.sqlite")

        def todo():  # every chunk is read (to rebuild the set of texts seen); done ones skipped
            for chunk in chunks(inputs, columns=columns, max_chars=max_chars, size=size, seen=seen):
                if sink.done(chunk.index):
                    summary.skipped_shards += 1
                else:
                    yield chunk

        try:
            if engine == "local":
                run_local(todo(), finished, model, paragraphs=paragraphs, batch_size=batch_size)
            else:
                run_dask(
                    todo(),
                    finished,
                    model_dir,
                    paragraphs=paragraphs,
                    batch_size=batch_size,
                    scheduler=scheduler,
                    workers=workers,
                )
        finally:
            seen.close()
            bar.close()
        sink.finish()
    summary.seconds = time.perf_counter() - started
    return summary
