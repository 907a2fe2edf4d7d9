"""Inter-annotator agreement between two independent annotation passes.

The passes live in ``corpus/annotations/pass1.jsonl`` and ``pass2.jsonl``:
one line per doubly annotated article (``id``, article ``stance``, and per
paragraph ``index``, ``frames``, ``stance``, ``boilerplate``). Agreement is
Krippendorff's alpha (nominal) from the ``krippendorff`` package: per frame
(present or absent in each paragraph), for paragraph stance, for boilerplate
and for article stance, with raw percent agreement beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from framing.data.codebook import Codebook
from framing.data.readers import iter_jsonl
from framing.errors import FramingError


@dataclass(frozen=True)
class Agreement:
    """Alpha and raw agreement for one label, over ``n`` units."""

    label: str
    alpha: float
    observed: float
    n: int
    positives: tuple[int, int] = (0, 0)


def _read(path: Path) -> dict[str, dict]:
    if not Path(path).is_file():
        raise FramingError(f"{path}: annotation pass not found")
    return {record["id"]: record for _, record in iter_jsonl(path)}


def _alpha(a: list, b: list) -> float:
    import krippendorff

    values = sorted(set(a) | set(b))
    if len(values) < 2:
        return 1.0  # both passes used one value throughout: perfect, if uninformative
    codes = {v: i for i, v in enumerate(values)}
    data = np.array([[codes[x] for x in a], [codes[x] for x in b]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _row(label: str, a: list, b: list, positive=None) -> Agreement:
    observed = float(np.mean([x == y for x, y in zip(a, b, strict=True)])) if a else 0.0
    positives = (a.count(positive), b.count(positive)) if positive is not None else (0, 0)
    return Agreement(label, _alpha(a, b), observed, len(a), positives)


def agreement(
    pass1: str | Path, pass2: str | Path, codebook: Codebook, *, ids: set[str] | None = None
) -> list[Agreement]:
    """Alpha per frame, for paragraph stance, boilerplate and article stance.

    Parameters
    ----------
    pass1, pass2 : the two annotation files.
    ids : restrict to these article ids (e.g. the real ones); default all shared ids.
    """
    return agreement_between(_read(Path(pass1)), _read(Path(pass2)), codebook, ids=ids)


def agreement_between(
    first: dict[str, dict], second: dict[str, dict], codebook: Codebook, *, ids=None
) -> list[Agreement]:
    """:func:`agreement` on two passes already read: ``{article_id: record}`` each, a record
    holding ``paragraphs`` (``frames``, ``stance``, ``boilerplate``) and ``stance``."""
    shared = sorted(set(first) & set(second))
    if ids is not None:
        shared = [i for i in shared if i in ids]
    if not shared:
        raise FramingError("the two annotation passes share no article id")
    para1, para2, art1, art2 = [], [], [], []
    for article_id in shared:
        p1, p2 = first[article_id]["paragraphs"], second[article_id]["paragraphs"]
        if len(p1) != len(p2):
            raise FramingError(
                f"article {article_id}: pass 1 has {len(p1)} paragraphs, pass 2 has {len(p2)}"
            )
        para1 += p1
        para2 += p2
        art1.append(first[article_id]["stance"])
        art2.append(second[article_id]["stance"])
    rows = []
    for frame in codebook.frame_ids:
        a = [frame in p["frames"] for p in para1]
        b = [frame in p["frames"] for p in para2]
        rows.append(_row(frame, a, b, positive=True))
    rows.append(
        _row("stance (paragraph)", [p["stance"] for p in para1], [p["stance"] for p in para2])
    )
    rows.append(
        _row(
            "boilerplate",
            [bool(p["boilerplate"]) for p in para1],
            [bool(p["boilerplate"]) for p in para2],
            positive=True,
        )
    )
    rows.append(_row("stance (article)", art1, art2))
    return rows


def format_agreement(rows: list[Agreement]) -> str:
    lines = [f"{'label':24}{'alpha':>8}{'agree':>8}{'units':>7}{'pos 1/2':>10}"]
    for r in rows:
        pos = f"{r.positives[0]}/{r.positives[1]}" if any(r.positives) else ""
        lines.append(f"{r.label:24}{r.alpha:8.3f}{r.observed:8.3f}{r.n:7d}{pos:>10}")
    return "\n".join(lines)
