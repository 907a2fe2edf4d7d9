"""Train and score every model family on the bundled corpus; print one table.

Each family is trained on the authored train split (thresholds tuned on dev)
and scored on the authored test split and, separately, on the real articles
(when their texts are found). Prediction speed is the median of several runs
over the same paragraphs.

    python benchmarks/models.py [--families tfidf keywords] [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from timing import bare_forward, median_seconds

from framing.data.codebook import load_codebook
from framing.data.seeds import load_seeds
from framing.data.splits import bundled_corpus_dir, load_splits
from framing.errors import FramingError
from framing.eval.evaluate import evaluate
from framing.models.article import ArticleClassifier
from framing.models.base import FAMILIES, FramingClassifier, family_class
from framing.train.fit import fit_and_tune


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# Speeds must count real encoding work, so the embedding cache is off here.
NO_CACHE = {
    "encoder": {"cache_embeddings": False},
    "zeroshot": {"cache_embeddings": False},
    "ensemble": {"member_settings": {"encoder": {"cache_embeddings": False}}},
}


def bench(family: str, splits, real, repeats: int) -> dict:
    codebook = load_codebook()
    started = time.perf_counter()
    model = family_class(family)(codebook=codebook, **NO_CACHE.get(family, {}))
    fit_and_tune(model, splits["train"], splits["dev"])
    train_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        model.save(tmp)
        size = _size_mb(Path(tmp))
        model = FramingClassifier.load(tmp)
    test = evaluate(model, splits["test"])
    real_metrics = evaluate(model, real) if real else None
    texts = [p.text for a in splits["test"] for p in a.paragraphs]
    model.predict_proba(texts[:16])  # warm-up: lazy loading is not prediction time
    paragraph_seconds = median_seconds(lambda: model.predict_proba(texts), repeats)
    clf = ArticleClassifier(model)
    article_seconds = median_seconds(lambda: clf.predict(splits["test"]), repeats)
    return {
        "family": family,
        "test": test,
        "real": real_metrics,
        "train_s": train_s,
        "para_per_s": len(texts) / paragraph_seconds,
        "art_per_s": len(splits["test"]) / article_seconds,
        "size_mb": size,
    }


def _cells(m: dict | None) -> str:
    if m is None:
        return "| - | - | - | - "
    P, A = m["paragraph"], m["article"]
    return (
        f"| {P['frames']['micro_f1']:.3f} | {P['frames']['macro_f1']:.3f} "
        f"| {P['stance']['macro_f1']:.3f} | {A['stance']['accuracy']:.3f} "
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=sorted(FAMILIES))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    codebook = load_codebook()
    splits = load_splits(bundled_corpus_dir(), codebook)
    try:
        real = load_seeds(codebook)
    except FramingError as exc:
        print(f"real articles skipped: {exc}")
        real = []
    n_test = sum(len(a.paragraphs) for a in splits["test"])
    n_real = sum(len(a.paragraphs) for a in real)
    print(
        f"authored test: {len(splits['test'])} articles, {n_test} paragraphs;"
        f" real: {len(real)} articles, {n_real} paragraphs;"
        f" trained on {len(splits['train'])} authored articles, thresholds tuned on dev"
    )
    print()
    print(
        "| family | test frames micro-F1 | test frames macro-F1 | test stance macro-F1 "
        "| test article stance acc. | real frames micro-F1 | real frames macro-F1 "
        "| real stance macro-F1 | real article stance acc. | train s | paragraphs/s "
        "| articles/s | size MB |"
    )
    print("|---" * 13 + "|")
    speeds = {}
    for family in args.families:
        r = bench(family, splits, real, args.repeats)
        speeds[family] = r["para_per_s"]
        print(
            f"| {family} {_cells(r['test'])}{_cells(r['real'])}| {r['train_s']:.1f} "
            f"| {r['para_per_s']:.0f} | {r['art_per_s']:.0f} | {r['size_mb']:.1f} |",
            flush=True,
        )
    if "encoder" in speeds:
        texts = [p.text for a in splits["test"] for p in a.paragraphs]
        bare, dtype = bare_forward(texts, args.repeats)
        print(
            f"\nencoder family prediction: {speeds['encoder']:.0f} paragraphs/s; bare encoder"
            f" forward pass ({dtype}) on the same {len(texts)} paragraphs: {bare:.0f}"
            f" paragraphs/s; ratio {speeds['encoder'] / bare:.2f} (target >= 0.85)"
        )
    print(
        "\nF1 at paragraph level; article stance accuracy at article level. Speeds are medians"
        f" of {args.repeats} runs over the authored test split on this machine."
    )


if __name__ == "__main__":
    main()
