"""Timing helpers shared by the benchmark scripts: medians, never single runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of ``repeats`` calls of ``run``."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def interleaved_seconds(
    runs: dict[str, Callable[[], object]], repeats: int
) -> dict[str, list[float]]:
    """Wall times of ``repeats`` rounds in which every run is called once, in turn, so a
    slow spell of a noisy machine falls on every run alike rather than on one."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return times


def rates(n: int, seconds: list[float]) -> tuple[float, float, float]:
    """``n`` items over each time in ``seconds``: the median rate, the slowest, the fastest."""
    return n / statistics.median(seconds), n / max(seconds), n / min(seconds)


def bare_forward(texts: list[str], repeats: int) -> tuple[float, str]:
    """Paragraphs per second of the encoder's forward pass alone (tokenise, run, pool),
    the reference for the encoder family's speed, and the precision it ran in."""
    from framing.models.transformer import Encoder

    encoder = Encoder(cache=None)
    encoder.forward(texts[:64])  # warm-up: the first call pays for lazy initialisation
    return len(texts) / median_seconds(lambda: encoder.forward(texts), repeats), encoder.dtype_
