"""The model card written beside every saved model (README.md in the model directory)."""

from __future__ import annotations

from pathlib import Path

from framing.models.base import FramingClassifier

CARD_FILE = "README.md"


# Score columns of the card: (heading, level, group, metric); stance ones only for a
# codebook that codes stance.
_COLUMNS = (
    ("para frames micro-F1", "paragraph", "frames", "micro_f1"),
    ("para frames macro-F1", "paragraph", "frames", "macro_f1"),
    ("para stance macro-F1", "paragraph", "stance", "macro_f1"),
    ("article frames micro-F1", "article", "frames", "micro_f1"),
    ("article stance accuracy", "article", "stance", "accuracy"),
)


def _score_table(scores: dict, has_stance: bool) -> list[str]:
    columns = [c for c in _COLUMNS if (has_stance or c[2] != "stance")]
    if not any((m["article"] or {}).get("frames") for m in scores.values()):
        columns = [c for c in columns if c[2] != "frames"]
    lines = [
        "| split | articles | paragraphs | " + " | ".join(c[0] for c in columns) + " |",
        "| --- " * (3 + len(columns)) + "|",
    ]
    for name, metrics in scores.items():
        origin = ", ".join(f"{n} {o}" for o, n in sorted(metrics["origin"].items()))
        cells = []
        for _, level, group, metric in columns:
            block = (metrics[level] or {}).get(group)
            cells.append("-" if not block else f"{block[metric]:.3f}")
        lines.append(
            f"| {name} | {metrics['n_articles']} ({origin}) | {metrics['n_paragraphs']} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


def write_card(
    path: Path,
    model: FramingClassifier,
    *,
    data: str,
    sizes: dict,
    scores: dict,
    notes: list[str],
    seconds: float,
    trained_on: str,
) -> Path:
    """Write ``README.md`` describing how the model in ``path`` was made and how it scored."""
    from framing import __version__

    cb = model.codebook_
    lines = [
        f"# framing model: {model.family}",
        "",
        f"- family: `{model.family}`",
        f"- settings: `{model.settings()}`",
        f"- codebook: {cb.name} version {cb.version} ({len(cb.frames) or 'no'} frames, "
        + (f"stance labels {', '.join(cb.stance_ids)})" if cb.has_stance else "no stance)"),
        f"- trained: {trained_on} with framing {__version__}, in {seconds:.1f} s",
        f"- training data: `{data}`",
        "",
        "| split | articles | paragraphs |",
        "| --- | --- | --- |",
        *[f"| {name} | {s['articles']} | {s['paragraphs']} |" for name, s in sizes.items()],
        "",
        *[f"- {note}" for note in notes],
        "",
        "## Scores",
        "",
    ]
    if scores:
        lines += [
            "Measured on held-out splits only (never on the training split). The dev split"
            " also tuned the thresholds and the calibration, so its scores are optimistic;"
            " the test split played no part in training.",
            "",
            *_score_table(scores, model.codebook_.has_stance),
        ]
    else:
        lines.append("No held-out split was given, so no score is reported.")
    lines += [
        "",
        "Per-frame thresholds: "
        + ", ".join(f"{f} {t:.2f}" for f, t in zip(model.frames_, model.thresholds_, strict=True)),
        "",
    ]
    card = path / CARD_FILE
    card.write_text("\n".join(lines), encoding="utf-8")
    return card
