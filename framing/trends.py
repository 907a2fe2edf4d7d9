"""Trends over time: frame prevalence and stance share by period and group.

Reads predictions (a JSONL file, a folder of shards, CSV or Parquet written by
``framing classify``), streams them into counts per (period, group), and writes
``trends.csv``, one PNG per plot, and ``trends.html`` holding them. A frame's
prevalence is the share of a period's articles that carry it; stance shares are
the shares of articles by predicted stance; every row carries its article count,
so thin periods are visible.
"""

from __future__ import annotations

import csv
import html
import logging
from collections import defaultdict
from pathlib import Path

from framing.data.readers import read_file
from framing.errors import FramingError
from framing.eval.report import figure_png, html_figure, html_page, html_table, pyplot

logger = logging.getLogger(__name__)

PERIODS = ("day", "week", "month", "quarter", "year")


def period_of(date: str, by: str) -> str | None:
    """The period label of an ISO date (day or month precision) or None when unusable."""
    import datetime as dt

    date = str(date or "").strip()[:10]
    try:
        day = dt.date.fromisoformat(date + "-01" if len(date) == 7 else date)
    except ValueError:
        return None
    if by == "day":
        return day.isoformat() if len(date) == 10 else None
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}" if len(date) == 10 else None
    if by == "month":
        return f"{day.year}-{day.month:02d}"
    if by == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def iter_predictions(paths: list[str], problems: list[str] | None = None):
    """Prediction records from JSONL files or shard folders, CSV or Parquet files, read
    with the corpus readers; unreadable lines are skipped and described in ``problems``."""
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files = sorted(path.glob("predictions-*.jsonl")) or sorted(path.glob("*.jsonl"))
            if not files:
                raise FramingError(f"{path}: no predictions-*.jsonl files in this folder")
        elif path.is_file():
            files = [path]
        else:
            raise FramingError(f"{path}: no such file or folder")
        for file in files:
            flat = file.suffix.lower() in {".csv", ".tsv", ".parquet"}
            for record in read_file(file, require_text=False):
                if record.error:
                    if problems is None:
                        raise FramingError(record.error)
                    problems.append(record.error)
                else:
                    yield _from_flat(record.data) if flat else record.data


def _from_flat(row: dict) -> dict:
    frames = row.get("frames") or ""
    return {**row, "frames": [f for f in str(frames).split(";") if f]}


def trends(
    paths: list[str],
    out: str | Path,
    *,
    by: str = "month",
    group: str | None = None,
    top_groups: int = 8,
) -> dict:
    """Count, write trends.csv, the PNG plots and trends.html; returns a summary."""
    if by not in PERIODS:
        raise FramingError(f"--by must be one of {', '.join(PERIODS)}, got {by!r}")
    counts: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"n": 0, "frames": defaultdict(int), "stance": defaultdict(int)}
    )
    frames_seen, stances_seen = [], []
    undated = total = 0
    problems: list[str] = []
    for p in iter_predictions(paths, problems):
        total += 1
        period = period_of(p.get("date"), by)
        if period is None:
            undated += 1
            continue
        key = (period, str(p.get(group) or "unknown") if group else "all")
        cell = counts[key]
        cell["n"] += 1
        for f in p.get("frame_scores", {}) or {}:  # codebook order first
            if f not in frames_seen:
                frames_seen.append(f)
        for f in p.get("frames", []):
            cell["frames"][f] += 1
            if f not in frames_seen:
                frames_seen.append(f)
        for s in p.get("stance_scores", {}) or {}:
            if s not in stances_seen:
                stances_seen.append(s)
        stance = p.get("stance")
        if stance is not None:  # absent for a codebook without stance
            cell["stance"][stance] += 1
            if stance not in stances_seen:
                stances_seen.append(stance)
    for problem in problems:
        logger.warning(f"skipped {problem}")
    if not counts:
        raise FramingError(
            f"no prediction with a usable date among {total} read; trends need"
            " a 'date' field (ISO day or month), e.g. --date-column in classify"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for (period, g), cell in sorted(counts.items()):
        row = {"period": period, "group": g, "articles": cell["n"]}
        row.update({f"frame.{f}": round(cell["frames"][f] / cell["n"], 4) for f in frames_seen})
        row.update({f"stance.{s}": round(cell["stance"][s] / cell["n"], 4) for s in stances_seen})
        rows.append(row)
    with (out / "trends.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plots = _plots(rows, frames_seen, stances_seen, group, top_groups, out)
    _page(out, plots, by, group, total, undated)
    return {
        "articles": total,
        "undated": undated,
        "unreadable": len(problems),
        "rows": len(rows),
        "plots": [str(p) for _, p in plots],
    }


def _plots(rows, frames, stances, group, top_groups, out: Path):
    plt = pyplot()
    periods = sorted({r["period"] for r in rows})
    totals = defaultdict(int)
    for r in rows:
        totals[r["group"]] += r["articles"]
    groups = [g for g, _ in sorted(totals.items(), key=lambda kv: -kv[1])][:top_groups]
    plots = []

    def pooled(period, keys, prefix):
        """Shares over all groups of a period, weighted by article counts."""
        cells = [r for r in rows if r["period"] == period]
        n = sum(c["articles"] for c in cells)
        return n, {k: sum(c[f"{prefix}.{k}"] * c["articles"] for c in cells) / n for k in keys}

    if not frames:  # predictions of a codebook without frames
        return plots + _stance_plots(rows, periods, groups, stances, group, out, pooled, plt)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    data = [pooled(p, frames, "frame") for p in periods]
    for f in frames:
        top.plot(periods, [d[1][f] for d in data], marker="o", label=f)
    top.set_ylabel("share of articles with the frame")
    top.legend(fontsize=8, ncol=3)
    top.set_title("Frame prevalence")
    bottom.bar(periods, [d[0] for d in data], color="grey")
    bottom.set_ylabel("articles")
    bottom.tick_params(axis="x", rotation=60)
    plots.append(("Frame prevalence over time", _save(fig, out / "frames.png")))
    return plots + _stance_plots(rows, periods, groups, stances, group, out, pooled, plt)


def _stance_plots(rows, periods, groups, stances, group, out: Path, pooled, plt):
    plots = []
    if not stances:  # predictions of a codebook without stance
        return plots
    fig, ax = plt.subplots(figsize=(10, 4))
    data = [pooled(p, stances, "stance") for p in periods]
    ax.stackplot(periods, *[[d[1][s] for d in data] for s in stances], labels=stances)
    ax.set_ylabel("share of articles")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", rotation=60)
    ax.set_title("Stance share")
    plots.append(("Stance share over time", _save(fig, out / "stance.png")))

    if group:
        fig, axes = plt.subplots(1, len(stances), figsize=(4 * len(stances), 4), sharey=True)
        for ax, s in zip(list(axes) if len(stances) > 1 else [axes], stances, strict=True):
            for g in groups:
                series = {r["period"]: r[f"stance.{s}"] for r in rows if r["group"] == g}
                ax.plot(periods, [series.get(p) for p in periods], marker=".", label=g)
            ax.set_title(f"{s} share by {group}")
            ax.tick_params(axis="x", rotation=60)
        axes[0].legend(fontsize=7) if len(stances) > 1 else axes.legend(fontsize=7)
        plots.append((f"Stance by {group}", _save(fig, out / f"stance_by_{group}.png")))
    return plots


def _save(fig, path: Path) -> Path:
    path.write_bytes(figure_png(fig))
    return path


def _page(out: Path, plots, by, group, total, undated) -> None:
    parts = [
        f"<h1>Trends by {html.escape(by)}</h1>",
        f"<p>{total} predictions read; {undated} without a usable date left out."
        + (f" Grouped by {html.escape(group)}." if group else "")
        + "</p>",
        *(html_figure(title, path.read_bytes()) for title, path in plots),
    ]
    with (out / "trends.csv").open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    parts.append("<h2>Counts and shares</h2>" + html_table(table[0], table[1:]))
    (out / "trends.html").write_text(html_page("framing trends", parts), encoding="utf-8")
