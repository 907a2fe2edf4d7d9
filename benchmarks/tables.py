"""Table helpers shared by the benchmark scripts."""

from __future__ import annotations


def ci_cell(group: dict, name: str) -> str:
    """``value [low, high]`` of a score and its 95% interval, or the value alone."""
    value, low, high = group[name], group.get(f"{name}_ci_low"), group.get(f"{name}_ci_high")
    return f"{value:.3f}" if low is None else f"{value:.3f} [{low:.2f}, {high:.2f}]"
