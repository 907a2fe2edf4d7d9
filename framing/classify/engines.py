"""Where chunks are classified: in this process, or on a Dask cluster.

An engine takes the chunks still to do and calls ``finished(chunk, predictions)``
for each, in this process, in the order the predictions arrive.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from framing.classify.stream import Chunk
from framing.errors import FramingError
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier

ENGINES = ("local", "dask")
# Models loaded in this process (a Dask worker loads each model once), by directory.
_LOADED: dict[str, FramingClassifier] = {}


def worker_model(model_dir: str) -> FramingClassifier:
    """The model of ``model_dir``, loaded once per process."""
    if model_dir not in _LOADED:
        _LOADED[model_dir] = FramingClassifier.load(model_dir)
        _limit_threads_on_dask_worker()
    return _LOADED[model_dir]


def classify_chunk(
    model: FramingClassifier | str, articles: list, paragraphs: bool, batch_size: int
) -> list[dict]:
    """Prediction records for one chunk's articles; ``model`` may be a directory (loaded
    once per process, as on a Dask worker)."""
    if not isinstance(model, FramingClassifier):
        model = worker_model(model)
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


def run_local(
    todo: Iterable[Chunk],
    finished: Callable[[Chunk, list[dict]], None],
    model: FramingClassifier,
    *,
    paragraphs: bool,
    batch_size: int,
) -> None:
    """Classify the chunks one after another in this process."""
    for chunk in todo:
        finished(chunk, classify_chunk(model, chunk.articles, paragraphs, batch_size))


def run_dask(
    todo: Iterable[Chunk],
    finished: Callable[[Chunk, list[dict]], None],
    model_dir: str | Path,
    *,
    paragraphs: bool,
    batch_size: int,
    scheduler: str | None = None,
    workers: int | None = None,
) -> None:
    """Classify chunks on a Dask cluster (``scheduler``, or a local one of ``workers``
    processes), a bounded number in flight, handing each result back as it arrives."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise FramingError("--engine dask needs dask.distributed; install framing[dask]") from None
    model_dir = str(model_dir)
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
