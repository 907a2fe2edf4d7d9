"""Compare two models on the same articles with a paired bootstrap."""

from __future__ import annotations

import json
from pathlib import Path

from framing.data.corpus import Article
from framing.data.heldout import load_heldout
from framing.errors import FramingError
from framing.eval.bootstrap import paired_comparison
from framing.eval.evaluate import predict_corpus, units
from framing.models.base import FramingClassifier


def compare(
    model_a: FramingClassifier,
    model_b: FramingClassifier,
    articles: list[Article],
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """Differences B minus A of the headline metrics, at paragraph and article level, each
    with a 95% interval and a p-value from the same bootstrap resamples of articles."""
    if model_a.frames_ != model_b.frames_ or model_a.stances_ != model_b.stances_:
        raise FramingError(
            "the two models use different labels; compare models trained on the same codebook"
        )
    a = units(model_a, articles, predict_corpus(model_a, articles))
    b = units(model_b, articles, predict_corpus(model_b, articles))
    return {
        "a": model_a.describe(),
        "b": model_b.describe(),
        "n_articles": len(articles),
        "n_paragraphs": sum(len(x.paragraphs) for x in articles),
        "bootstrap": {"replicates": n_boot, "level": 0.95, "unit": "article", "seed": seed},
        **{
            level: paired_comparison(a[level][0], b[level][0], n_boot=n_boot, seed=seed)
            if a[level] is not None
            else None
            for level in ("paragraph", "article")
        },
    }


def compare_heldout(
    model_a: FramingClassifier,
    model_b: FramingClassifier,
    data: str | Path | None = None,
    split: str = "test",
    *,
    seeds: str | Path | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """:func:`compare` on held-out articles chosen by
    :func:`framing.data.heldout.load_heldout`; ``result['data']`` says which."""
    articles, label = load_heldout(data, split, model_a.codebook_, seeds=seeds)
    result = compare(model_a, model_b, articles, n_boot=n_boot, seed=seed)
    result["data"] = label
    return result


def write_comparison(result: dict, out: str | Path) -> Path:
    """Write ``comparison.json`` into the folder ``out``; returns its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "comparison.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


def format_comparison(result: dict) -> str:
    lines = [
        *([f"data: {result['data']}"] if "data" in result else []),
        f"A: {result['a']}",
        f"B: {result['b']}",
        f"{result['n_articles']} articles, {result['n_paragraphs']} paragraphs;"
        " paired bootstrap over articles, 95% intervals",
        "",
        f"{'level':10}{'metric':18}{'A':>8}{'B':>8}{'B - A':>9}{'95% CI':>20}{'p':>8}",
    ]
    for level in ("paragraph", "article"):
        for name, r in (result[level] or {}).items():
            ci = f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
            lines.append(
                f"{level:10}{name:18}{r['a']:8.3f}{r['b']:8.3f}{r['difference']:+9.3f}"
                f"{ci:>20}{r['p_value']:8.3f}"
            )
    return "\n".join(lines)
