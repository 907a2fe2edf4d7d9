"""Table helpers shared by the benchmark scripts."""

from __future__ import annotations

import argparse

# The built-in models and the keyword floor: what the model benchmarks run by default.
BUILTIN_CANDIDATES = ["keywords", "fast", "default", "accurate"]


def candidates_parser(description: str, choices) -> argparse.ArgumentParser:
    """A benchmark's argument parser with ``--candidates`` (any of ``choices``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--candidates", nargs="+", default=BUILTIN_CANDIDATES, choices=sorted(choices)
    )
    return parser


def ci_cell(group: dict, name: str) -> str:
    """``value [low, high]`` of a score and its 95% interval, or the value alone."""
    value, low, high = group[name], group.get(f"{name}_ci_low"), group.get(f"{name}_ci_high")
    return f"{value:.3f}" if low is None else f"{value:.3f} [{low:.2f}, {high:.2f}]"
