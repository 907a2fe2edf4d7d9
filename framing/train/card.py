"""The model card written beside every saved model (README.md in the model directory)."""

from __future__ import annotations

from pathlib import Path

from framing.models.base import FramingClassifier

CARD_FILE = "README.md"


def _score_line(name: str, metrics: dict) -> str:
    origin = ", ".join(f"{n} {o}" for o, n in sorted(metrics["origin"].items()))
    P, A = metrics["paragraph"], metrics["article"]
    para = (
        f"{P['frames']['micro_f1']:.3f} | {P['frames']['macro_f1']:.3f} "
        f"| {P['stance']['macro_f1']:.3f}"
        if P
        else "- | - | -"
    )
    return (
        f"| {name} | {metrics['n_articles']} ({origin}) | {metrics['n_paragraphs']} "
        f"| {para} | {A['frames']['micro_f1']:.3f} | {A['stance']['accuracy']:.3f} |"
    )


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
        f"- codebook: {cb.name} version {cb.version} ({len(cb.frames)} frames,"
        f" stance labels {', '.join(cb.stance_ids)})",
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
            "| split | articles | paragraphs | para frames micro-F1 | para frames macro-F1 "
            "| para stance macro-F1 | article frames micro-F1 | article stance accuracy |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *[_score_line(name, m) for name, m in scores.items()],
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
