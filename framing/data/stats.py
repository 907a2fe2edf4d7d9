"""Composition tables of a labeled corpus (``framing data stats``), as Markdown."""

from __future__ import annotations

import re
from collections import Counter

from framing.data.codebook import Codebook
from framing.data.corpus import Article


def cue_pattern(cues: tuple[str, ...]) -> re.Pattern | None:
    """A case-insensitive, word-bounded pattern matching any of a frame's cue phrases."""
    if not cues:
        return None
    alternatives = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def composition(splits: dict[str, list[Article]], codebook: Codebook) -> str:
    """Markdown tables: sizes, frames, stance, boilerplate and hard negatives per split,
    and articles per voice, country and year."""
    names = list(splits)
    every = [a for arts in splits.values() for a in arts]
    paragraphs = {n: [p for a in arts for p in a.paragraphs] for n, arts in splits.items()}
    out = ["## Size", ""]
    rows = []
    for n in names:
        arts, paras = splits[n], paragraphs[n]
        boiler = sum(p.boilerplate for p in paras)
        lengths = sorted(len(a.paragraphs) for a in arts)
        rows.append(
            [
                n,
                len(arts),
                len(paras),
                f"{boiler} ({boiler / max(len(paras), 1):.0%})",
                f"{lengths[0]}-{lengths[-1]}" if lengths else "-",
                ", ".join(f"{k} {v}" for k, v in sorted(Counter(a.origin for a in arts).items())),
            ]
        )
    out.append(
        _table(
            ["split", "articles", "paragraphs", "boilerplate", "paragraphs/article", "origin"], rows
        )
    )

    if codebook.has_frames:
        out += ["", "## Frames (paragraphs carrying each frame; articles in brackets)", ""]
        rows = []
        for f in codebook.frame_ids:
            row = [f]
            for n in names:
                np_ = sum(f in (p.frames or []) for p in paragraphs[n])
                na = sum(f in (a.frames or []) for a in splits[n])
                row.append(f"{np_} ({na})")
            rows.append(row)
        out.append(_table(["frame", *names], rows))

    if codebook.has_stance:
        out += ["", "## Stance (paragraphs; articles in brackets)", ""]
        rows = []
        for s in codebook.stance_ids:
            row = [s]
            for n in names:
                row.append(
                    f"{sum(p.stance == s for p in paragraphs[n])}"
                    f" ({sum(a.stance == s for a in splits[n])})"
                )
            rows.append(row)
        out.append(_table(["stance", *names], rows))

    if codebook.has_frames:
        out += [
            "",
            "## Hard cases (all splits)",
            "",
            "Cue without frame: the paragraph contains one of the frame's codebook cues but does"
            " not carry the frame. Frame without cue: it carries the frame with none of its"
            " cues. Boilerplate paragraphs are left out.",
            "",
        ]
        rows = []
        content = [
            p for a in every if a.paragraph_labels for p in a.paragraphs if not p.boilerplate
        ]
        for label in codebook.frames:
            pattern = cue_pattern(label.cues)
            has_cue = [bool(pattern and pattern.search(p.text)) for p in content]
            has_frame = [label.id in (p.frames or []) for p in content]
            rows.append(
                [
                    label.id,
                    sum(c and not f for c, f in zip(has_cue, has_frame, strict=True)),
                    sum(f and not c for c, f in zip(has_cue, has_frame, strict=True)),
                    sum(has_frame),
                ]
            )
        out.append(
            _table(["frame", "cue without frame", "frame without cue", "carrying frame"], rows)
        )

    for key, title in (("voice", "Voice"), ("country", "Country focus")):
        out += ["", f"## {title} (all splits)", ""]
        groups = Counter(str(a.meta.get(key, "unknown")) for a in every)
        rows = []
        for value, n in groups.most_common():
            arts = [a for a in every if str(a.meta.get(key, "unknown")) == value]
            stance = Counter(a.stance for a in arts)
            frames = Counter(f for a in arts for p in a.paragraphs for f in (p.frames or []))
            top = ", ".join(f for f, _ in frames.most_common(3))
            rows.append(
                [
                    value,
                    n,
                    sum(len(a.paragraphs) for a in arts),
                    " / ".join(str(stance.get(s, 0)) for s in codebook.stance_ids),
                    top,
                ]
            )
        out.append(
            _table(
                [
                    key,
                    "articles",
                    "paragraphs",
                    "article stance " + "/".join(codebook.stance_ids),
                    "most frequent frames",
                ],
                rows,
            )
        )
    out += ["", "## Year (all splits)", ""]
    years = Counter(str(a.meta.get("date", ""))[:4] or "unknown" for a in every)
    out.append(_table(["year", "articles"], sorted(years.items())))
    return "\n".join(out) + "\n"
