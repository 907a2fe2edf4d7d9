"""Evaluation reports: ``metrics.json``, a Markdown summary and one self-contained HTML page.

The HTML page embeds its plots as PNG data (no external files, no scripts from
elsewhere): per-frame F1 with 95% intervals, the stance confusion matrices, the
reliability diagram, the learning curve when there is one, and tables of
scores by metadata and of the most confident errors.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np

from framing.eval.evaluate import format_table, write_metrics

STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
    "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
    "figure{display:inline-block;margin:1em}pre{background:#f6f6f6;padding:1em}"
)
# Marks the page once every plot has decoded, so a headless browser can check it.
_RENDERED = (
    "window.addEventListener('load',()=>{const imgs=[...document.images];"
    "document.body.dataset.plots=imgs.length;"
    "document.body.dataset.rendered=imgs.filter(i=>i.complete&&i.naturalWidth>0)"
    ".length;});"
)


def figure_png(fig) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    plt = pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def html_figure(title: str, png: bytes) -> str:
    """An ``<figure>`` holding the PNG inline (data URI) with its caption."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(title)}" class="plot" '
        f'src="data:image/png;base64,{data}"><figcaption>{html.escape(title)}'
        "</figcaption></figure>"
    )


def html_page(title: str, sections: list[str]) -> str:
    """One self-contained page (styles and images inline, no outside requests)."""
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}</title><style>{STYLE}</style></head><body>{''.join(sections)}"
        f"<script>{_RENDERED}</script></body></html>"
    )


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_frame_f1(metrics: dict) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    for offset, level, color in ((-0.2, "paragraph", "#3b6ea5"), (0.2, "article", "#d08c2f")):
        if not metrics[level]:
            continue
        per = metrics[level]["frames"]["per_frame"]
        names = list(per)
        f1 = np.array([per[f]["f1"] for f in names])
        low = np.array([per[f].get("f1_ci_low", per[f]["f1"]) for f in names])
        high = np.array([per[f].get("f1_ci_high", per[f]["f1"]) for f in names])
        x = np.arange(len(names)) + offset
        ax.bar(x, f1, width=0.4, color=color, label=level)
        ax.errorbar(x, f1, yerr=[f1 - low, high - f1], fmt="none", ecolor="black", capsize=3)
    ax.set_xticks(np.arange(len(names)), names, rotation=35, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1 (95% CI)")
    ax.legend()
    ax.set_title("Per-frame F1")
    return figure_png(fig)


def plot_confusion(metrics: dict) -> bytes:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for ax, level in zip(axes, ("paragraph", "article"), strict=True):
        if not metrics[level] or not metrics[level]["stance"]:
            ax.set_axis_off()
            ax.set_title(f"no {level}-level stance labels")
            continue
        stance = metrics[level]["stance"]
        matrix = np.array(stance["confusion"]) if stance["confusion"] else np.zeros((1, 1))
        ax.imshow(matrix, cmap="Blues")
        labels = stance["labels"]
        ax.set_xticks(range(len(labels)), labels, rotation=30)
        ax.set_yticks(range(len(labels)), labels)
        for (i, j), v in np.ndenumerate(matrix):
            ax.text(
                j,
                i,
                int(v),
                ha="center",
                va="center",
                color="white" if v > matrix.max() / 2 else "black",
            )
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(f"Stance, {level} level")
    return figure_png(fig)


def plot_reliability(metrics: dict) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    for name, color in (("frames", "#3b6ea5"), ("stance", "#c0392b")):
        level = metrics["paragraph"] or metrics["article"]
        curve = level.get("reliability", {}).get(name)
        if curve and level.get(name):
            ax.plot(
                curve["mean_predicted"],
                curve["fraction_positive"],
                marker="o",
                color=color,
                label=f"{name} (ECE {level[name]['ece']:.3f})",
            )
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("Reliability (" + ("paragraphs" if metrics["paragraph"] else "articles") + ")")
    ax.legend()
    return figure_png(fig)


def plot_learning_curve(curve: dict) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    sizes = curve["train_articles"]
    for key, label in (
        ("frames_micro_f1", "frames micro-F1"),
        ("frames_macro_f1", "frames macro-F1"),
        ("stance_macro_f1", "stance macro-F1"),
    ):
        if key not in curve:  # not in the codebook
            continue
        mean = np.array(curve[key]["mean"])
        std = np.array(curve[key]["std"])
        ax.plot(sizes, mean, marker="o", label=label)
        ax.fill_between(sizes, mean - std, mean + std, alpha=0.2)
    ax.set_xlabel("training articles")
    ax.set_ylabel("paragraph-level score (mean ± sd over folds)")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title("Learning curve")
    return figure_png(fig)


def _cell(group: dict | None, name: str) -> str:
    return "-" if group is None or group.get(name) is None else f"{group[name]:.3f}"


def summary_markdown(metrics: dict, learning_curve: dict | None = None) -> str:
    lines = ["# Evaluation summary", "", "```", format_table(metrics), "```", ""]
    breakdown = metrics.get("breakdown", {})
    for field, groups in breakdown.items():
        lines += [
            f"## By {field}",
            "",
            "| value | articles | paragraphs | paragraph frames "
            "micro-F1 | paragraph stance macro-F1 | article stance accuracy |",
            "|---|---|---|---|---|---|",
        ]
        for value, g in groups.items():
            lines.append(
                f"| {value} | {g['n_articles']} | {g['n_paragraphs']} "
                f"| {_cell(g['paragraph'], 'frames_micro_f1')} "
                f"| {_cell(g['paragraph'], 'stance_macro_f1')} "
                f"| {_cell(g['article'], 'stance_accuracy')} |"
            )
        lines.append("")
    if learning_curve:
        lines += [
            "## Learning curve",
            "",
            "| training articles | frames micro-F1 | frames macro-F1 | stance macro-F1 |",
            "|---|---|---|---|",
        ]
        for i, n in enumerate(learning_curve["train_articles"]):
            lines.append(
                f"| {n} | {learning_curve['frames_micro_f1']['mean'][i]:.3f} "
                f"| {learning_curve['frames_macro_f1']['mean'][i]:.3f} "
                f"| {learning_curve['stance_macro_f1']['mean'][i]:.3f} |"
            )
    return "\n".join(lines) + "\n"


def html_table(header: list[str], rows: list[list]) -> str:
    """An HTML table; every cell is escaped text."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_html(metrics: dict, learning_curve: dict | None = None) -> str:
    """One self-contained page: headline table, plots, breakdowns and error tables."""
    plots = [
        *([("Per-frame F1", plot_frame_f1(metrics))] if metrics["article"]["frames"] else []),
        ("Stance confusion", plot_confusion(metrics)),
        ("Reliability diagram", plot_reliability(metrics)),
    ]
    if learning_curve:
        plots.append(("Learning curve", plot_learning_curve(learning_curve)))
    sections = [
        f"<h1>Evaluation report</h1><p>{html.escape(str(metrics.get('data', '')))}</p>",
        f"<pre>{html.escape(format_table(metrics))}</pre>",
        *(html_figure(title, png) for title, png in plots),
    ]
    for field, groups in metrics.get("breakdown", {}).items():
        rows = [
            [
                value,
                g["n_articles"],
                g["n_paragraphs"],
                _cell(g["paragraph"], "frames_micro_f1"),
                _cell(g["paragraph"], "stance_macro_f1"),
                _cell(g["article"], "stance_accuracy"),
            ]
            for value, g in groups.items()
        ]
        sections.append(
            f"<h2>By {html.escape(field)}</h2>"
            + html_table(
                [
                    "value",
                    "articles",
                    "paragraphs",
                    "paragraph frames micro-F1",
                    "paragraph stance macro-F1",
                    "article stance accuracy",
                ],
                rows,
            )
        )
    sections.append("<h2>Most confident errors</h2>")
    for frame, errors in metrics.get("errors", {}).items():
        rows = [
            [kind.replace("_", " ")[:-1], e["article"], e["paragraph"], e["score"], e["text"][:300]]
            for kind in ("false_positives", "false_negatives")
            for e in errors[kind]
        ]
        if rows:
            sections.append(
                f"<h3>{html.escape(frame)}</h3>"
                + html_table(["error", "article", "paragraph", "score", "text"], rows)
            )
    return html_page("framing evaluation", sections)


def write_report(metrics: dict, out: str | Path, learning_curve: dict | None = None) -> list[Path]:
    """Write metrics.json, summary.md and report.html into ``out``; returns their paths."""
    out = Path(out)
    paths = [write_metrics(metrics, out)]
    summary = out / "summary.md"
    summary.write_text(summary_markdown(metrics, learning_curve), encoding="utf-8")
    page = out / "report.html"
    page.write_text(report_html(metrics, learning_curve), encoding="utf-8")
    if learning_curve:
        curve = out / "learning_curve.json"
        curve.write_text(json.dumps(learning_curve, indent=2) + "\n", encoding="utf-8")
        paths.append(curve)
    return [*paths, summary, page]
