"""Sharded, resumable batch classification, in one process or on a Dask cluster.

The input is streamed and cut into chunks of ``shard_size`` input records (good
or bad), so chunk boundaries depend on the input alone. Each chunk becomes one
shard in the output folder::

    predictions-000000.jsonl   one prediction per article
    paragraphs-000000.jsonl    one row per paragraph (with --paragraphs)
    errors-000000.jsonl        bad items and why
    duplicates-000000.jsonl    exact duplicates of an earlier article
    manifest.json              inputs, model, settings, finished shards

Shard files are written to a temporary name and renamed, and the manifest is
rewritten the same way after each shard, so a run killed at any point leaves
only finished shards behind; ``--resume`` reads the input again from the start,
skips the finished shards and classifies the rest, giving the same files as an
uninterrupted run. Exact duplicates (same whitespace-normalised text) are
classified once; the set of texts seen lives in SQLite on disk, so memory does
not grow with the number of articles.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from framing.data.corpus import MAX_CHARS, Article, iter_unlabeled
from framing.data.readers import Columns, expand_inputs, read_records
from framing.errors import FramingError

MANIFEST = "manifest.json"
SHARD_SIZE = 1000
FORMAT_VERSION = 1


@dataclass
class Chunk:
    """One shard's worth of input: the good articles, and what was set aside."""

    index: int
    articles: list[Article] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    n_records: int = 0

    def counts(self) -> dict[str, int]:
        """What the chunk holds, as written to the manifest and added to the summary."""
        return {
            "records": self.n_records,
            "articles": len(self.articles),
            "paragraphs": sum(len(a.paragraphs) for a in self.articles),
            "errors": len(self.errors),
            "duplicates": len(self.duplicates),
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
        digest = hashlib.sha256(" ".join(article.text.split()).encode("utf-8")).digest()[:16]
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
    shard_size: int,
    seen: SeenTexts | None,
) -> Iterator[Chunk]:
    """Cut the input stream into chunks of ``shard_size`` records, parsed and de-duplicated."""
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
        if chunk.n_records >= shard_size:
            yield chunk
            chunk = Chunk(chunk.index + 1)
    if chunk.n_records:
        yield chunk


def count_records(inputs: list[str], columns: Columns | None = None) -> int | None:
    """How many input records there are (a cheap pass), or None for stdin."""
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
                total += max(sum(1 for _ in read_records([str(path)], columns=columns)), 0)
            else:
                total += 1
        except Exception:  # an unreadable file counts once; its error is reported later
            total += 1
    return total


def input_fingerprint(inputs: list[str]) -> list[dict]:
    out = []
    for item in expand_inputs(inputs):
        if item == "-":
            raise FramingError(
                "cannot write a resumable folder from stdin; save the input to"
                " a file first, or write to a single --out file"
            )
        stat = Path(item).stat()
        out.append(
            {"path": str(Path(item).resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        )
    return out


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


class ShardFolder:
    """The output folder: shard files and the manifest that says which are finished."""

    def __init__(self, folder: Path, settings: dict, *, resume: bool):
        self.folder = folder
        path = folder / MANIFEST
        if path.is_file():
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if not resume:
                raise FramingError(
                    f"{folder}: holds the output of an earlier run; pass --resume to finish it,"
                    " or choose another --out"
                )
            for key in ("inputs", "settings", "model"):
                if manifest.get(key) != settings.get(key):
                    raise FramingError(
                        f"{folder}: --resume with different {key} than the run that wrote it;"
                        f" use the same {key}, or another --out"
                    )
            self.manifest = manifest
        else:
            if folder.exists() and any(folder.iterdir()):
                raise FramingError(
                    f"{folder}: folder is not empty and holds no {MANIFEST};"
                    " choose a new or empty --out folder"
                )
            folder.mkdir(parents=True, exist_ok=True)
            self.manifest = {"format": FORMAT_VERSION, **settings, "shards": {}, "complete": False}
            self._save()

    def done(self, index: int) -> bool:
        return f"{index:06d}" in self.manifest["shards"]

    def finished_articles(self) -> int:
        return sum(s["records"] for s in self.manifest["shards"].values())

    def write(self, chunk: Chunk, predictions: list[dict], paragraphs: bool) -> dict:
        name = f"{chunk.index:06d}"
        rows = []
        if paragraphs:
            for p in predictions:
                for row in p.pop("paragraphs", []):
                    rows.append({"article_id": p["id"], **row})
        _atomic_write(self.folder / f"predictions-{name}.jsonl", _jsonl(predictions))
        if paragraphs:
            _atomic_write(self.folder / f"paragraphs-{name}.jsonl", _jsonl(rows))
        if chunk.errors:
            _atomic_write(self.folder / f"errors-{name}.jsonl", _jsonl(chunk.errors))
        if chunk.duplicates:
            _atomic_write(self.folder / f"duplicates-{name}.jsonl", _jsonl(chunk.duplicates))
        counts = chunk.counts()
        self.manifest["shards"][name] = counts
        self._save()
        return counts

    def finish(self, seconds: float) -> None:
        shards = self.manifest["shards"].values()
        self.manifest["totals"] = {
            k: sum(s[k] for s in shards)
            for k in ("records", "articles", "paragraphs", "errors", "duplicates")
        }
        self.manifest["complete"] = True
        self._save()

    def _save(self) -> None:
        ordered = dict(self.manifest)
        ordered["shards"] = dict(sorted(self.manifest["shards"].items()))
        _atomic_write(self.folder / MANIFEST, json.dumps(ordered, indent=2) + "\n")


class Progress:
    """Articles done, rate and time left on stderr, at most every ``every`` seconds."""

    def __init__(
        self, total: int | None, *, start: int = 0, quiet: bool = False, every: float = 2.0
    ):
        self.total, self.done, self.quiet, self.every = total, start, quiet, every
        self.started = time.perf_counter()
        self.first = start
        self.last = 0.0

    def add(self, n: int, *, force: bool = False) -> None:
        self.done += n
        now = time.perf_counter()
        if self.quiet or (not force and now - self.last < self.every):
            return
        self.last = now
        rate = (self.done - self.first) / max(now - self.started, 1e-9)
        line = f"{self.done:,}"
        if self.total:
            left = (self.total - self.done) / rate if rate > 0 else float("inf")
            eta = f", about {_duration(left)} left" if left != float("inf") else ""
            line += f"/{self.total:,} ({100 * self.done / self.total:.0f}%)"
        else:
            eta = ""
        print(f"\r{line} items, {rate:.1f}/s{eta}   ", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if not self.quiet and self.last:
            print(file=sys.stderr)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# ---------------------------------------------------------------- engines

_WORKER_MODELS: dict[str, object] = {}


def classify_chunk(
    model_dir: str, articles: list[Article], paragraphs: bool, batch_size: int
) -> list[dict]:
    """Classify one chunk; the model is loaded once per process (or Dask worker)."""
    from framing.models.article import ArticleClassifier
    from framing.models.base import FramingClassifier

    model = _WORKER_MODELS.get(model_dir)
    if model is None:
        model = _WORKER_MODELS[model_dir] = FramingClassifier.load(model_dir)
        _limit_threads_on_dask_worker()
    return ArticleClassifier(model, batch_size=batch_size).predict(articles, paragraphs=paragraphs)


def _limit_threads_on_dask_worker() -> None:
    """Give torch only this worker's threads, so workers do not fight over the cores."""
    try:
        from distributed import get_worker

        threads = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        return
    if "torch" in sys.modules:  # only encoder-based models bring torch in
        sys.modules["torch"].set_num_threads(max(1, threads))


@dataclass
class BatchSummary:
    records: int = 0
    articles: int = 0
    paragraphs: int = 0
    errors: int = 0
    duplicates: int = 0
    skipped_shards: int = 0
    seconds: float = 0.0

    def add(self, counts: dict[str, int]) -> None:
        """Add one chunk's :meth:`Chunk.counts`."""
        for key, value in counts.items():
            setattr(self, key, getattr(self, key) + value)

    def line(self) -> str:
        rate = self.articles / self.seconds if self.seconds > 0 else 0.0
        parts = [
            f"classified {self.articles:,} articles ({self.paragraphs:,} paragraphs) in"
            f" {self.seconds:.1f} s, {rate:.1f} articles/s"
        ]
        if self.errors:
            parts.append(f"{self.errors:,} skipped with errors")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} exact duplicates classified once")
        if self.skipped_shards:
            parts.append(f"{self.skipped_shards} shards already done")
        return ", ".join(parts)


def classify_to_folder(
    inputs: list[str],
    model_dir: str | Path,
    out: str | Path,
    *,
    resume: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    shard_size: int = SHARD_SIZE,
    paragraphs: bool = False,
    columns: Columns | None = None,
    max_chars: int = MAX_CHARS,
    batch_size: int = 256,
    quiet: bool = False,
    log=None,
) -> BatchSummary:
    """Classify every article in ``inputs`` into a folder of JSONL shards (see the module
    docstring), in this process (``engine='local'``) or on Dask (``engine='dask'``)."""
    from framing.models.base import FramingClassifier

    log = log or (lambda message: print(message, file=sys.stderr))
    if engine not in {"local", "dask"}:
        raise FramingError(f"unknown engine {engine!r}; expected local or dask")
    if shard_size < 1:
        raise FramingError(f"--shard-size must be at least 1, got {shard_size}")
    out = Path(out)
    model_dir = str(Path(model_dir).resolve())
    model = FramingClassifier.load(model_dir)  # fails early, here, on a bad model folder
    settings = {
        "inputs": input_fingerprint(inputs),
        "model": model.describe(),
        "settings": {
            "shard_size": shard_size,
            "paragraphs": paragraphs,
            "max_chars": max_chars,
            "columns": vars(columns or Columns()),
        },
    }
    folder = ShardFolder(out, settings, resume=resume)
    _WORKER_MODELS[model_dir] = model
    summary = BatchSummary()
    progress = Progress(
        count_records(inputs, columns), start=folder.finished_articles(), quiet=quiet
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="framing-seen-") as tmp:
        seen = SeenTexts(Path(tmp) / "seen.sqlite")

        def todo():  # every chunk is read (to rebuild the set of texts seen); done ones skipped
            for c in chunks(
                inputs, columns=columns, max_chars=max_chars, shard_size=shard_size, seen=seen
            ):
                if folder.done(c.index):
                    summary.skipped_shards += 1
                else:
                    yield c

        def finished(chunk: Chunk, predictions: list[dict]) -> None:
            counts = folder.write(chunk, predictions, paragraphs)
            summary.add(counts)
            for error in chunk.errors:
                log(f"\rskipped {error['place']}: {error['error']}")
            progress.add(counts["records"])

        try:
            if engine == "local":
                for chunk in todo():
                    finished(
                        chunk, classify_chunk(model_dir, chunk.articles, paragraphs, batch_size)
                    )
            else:
                _run_dask(todo(), finished, model_dir, paragraphs, batch_size, scheduler, workers)
        finally:
            seen.close()
            progress.close()
    summary.seconds = time.perf_counter() - started
    folder.finish(summary.seconds)
    return summary


def _run_dask(todo, finished, model_dir, paragraphs, batch_size, scheduler, workers) -> None:
    """Classify chunks on a Dask cluster, a bounded number in flight, writing as they finish."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise FramingError("--engine dask needs dask.distributed; install framing[dask]") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 2))
        window = 2 * n_workers
        pending = as_completed()
        chunks_by_key = {}

        def submit(chunk):
            future = client.submit(
                classify_chunk, model_dir, chunk.articles, paragraphs, batch_size, pure=False
            )
            chunks_by_key[future.key] = chunk
            pending.add(future)

        for chunk in todo:
            submit(chunk)
            if pending.count() >= window:
                future = next(pending)
                finished(chunks_by_key.pop(future.key), future.result())
        for future in pending:
            finished(chunks_by_key.pop(future.key), future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
