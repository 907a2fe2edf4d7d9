"""Train and score the candidate models on the bundled corpus; print one table.

Each candidate is trained on the authored train split (thresholds tuned on dev)
and scored, at article level with 95% bootstrap intervals (resampling articles),
on three held-out sets: the authored test split, the authored headlines split
(one-sentence items) and the real seed articles (when their texts are found; at
paragraph level, as three articles say little at article level). The keyword
list is the floor every model must clear. Speed is articles per second through
the whole article pipeline (segmented text, boilerplate, title, aggregation)
over the test split: after every candidate is trained and scored, they are timed
in rounds, each round running every candidate once in turn (so a slow spell of a
noisy machine falls on all of them alike); the median over rounds is reported,
with the range.

    python benchmarks/models.py [--candidates keywords fast default accurate ensemble+finetune]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tables import candidates_parser, ci_cell
from timing import interleaved_seconds, rates

from framing.data.codebook import load_codebook
from framing.data.corpus import as_unlabeled
from framing.data.seeds import load_seeds
from framing.data.splits import bundled_corpus_dir, load_splits
from framing.errors import FramingError
from framing.eval.evaluate import evaluate
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier, make_model
from framing.train.default import BUILTINS
from framing.train.fit import fit_and_tune

# Speeds must count real encoding work, so the embedding cache is off here.
NO_CACHE = {"cache_embeddings": False}
CANDIDATES = {
    "keywords (floor)": ("keywords", {}),
    "fast = tfidf": ("tfidf", {}),
    "default = encoder": ("encoder", NO_CACHE),
    "encoder, article embedding in the stance layer": (
        "encoder",
        {**NO_CACHE, "article_embedding": True},
    ),
    "accurate = ensemble tfidf + encoder": (
        BUILTINS["accurate"].family,
        {**BUILTINS["accurate"].settings, "member_settings": {"encoder": NO_CACHE}},
    ),
    "ensemble tfidf + encoder + finetune": (
        "ensemble",
        {"members": ["tfidf", "encoder", "finetune"], "member_settings": {"encoder": NO_CACHE}},
    ),
}
SHORT = {
    "keywords": "keywords (floor)",
    "fast": "fast = tfidf",
    "default": "default = encoder",
    "default+embedding": "encoder, article embedding in the stance layer",
    "accurate": "accurate = ensemble tfidf + encoder",
    "ensemble+finetune": "ensemble tfidf + encoder + finetune",
}


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def bench(name: str, splits, real) -> dict:
    family, settings = CANDIDATES[name]
    started = time.perf_counter()
    model = make_model(family, codebook=load_codebook(), **settings)
    fit_and_tune(model, splits["train"], splits["dev"])
    train_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        model.save(tmp)
        size = _size_mb(Path(tmp))
        model = FramingClassifier.load(tmp)
    scores = {
        "test": evaluate(model, splits["test"]),
        "headlines": evaluate(model, splits["headlines"]) if splits.get("headlines") else None,
        "real": evaluate(model, real) if real else None,
    }
    clf = ArticleClassifier(model)
    unlabeled = [as_unlabeled(a) for a in splits["test"]]
    clf.predict(unlabeled[:2])  # warm-up: lazy loading is not prediction time
    return {
        **scores,
        "train_s": train_s,
        "size_mb": size,
        "run": lambda: clf.predict(unlabeled),
        "n": len(unlabeled),
    }


def main(argv=None) -> None:
    parser = candidates_parser(__doc__.splitlines()[0], SHORT)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    codebook = load_codebook()
    splits = load_splits(bundled_corpus_dir(), codebook)
    try:
        real = load_seeds(codebook)
    except FramingError as exc:
        print(f"real articles skipped: {exc}")
        real = []
    n_real = sum(len(a.paragraphs) for a in real)
    print(
        f"trained on {len(splits['train'])} authored articles (thresholds tuned on"
        f" {len(splits['dev'])} dev articles); scored on the authored test split"
        f" ({len(splits['test'])} articles), the authored headlines split"
        f" ({len(splits.get('headlines', []))} items) and {len(real)} real articles"
        f" ({n_real} paragraphs)\n"
    )
    print(
        "| model | test: article frames micro-F1 | test: article frames macro-F1 "
        "| test: article stance acc. | headlines: frames micro-F1 | headlines: stance acc. "
        "| real: paragraph frames micro-F1 | real: paragraph frames macro-F1 "
        "| real: article stance (of 3) | articles/s | train s | size MB |"
    )
    print("|---" * 12 + "|")
    results = {}
    for short in args.candidates:
        results[SHORT[short]] = bench(SHORT[short], splits, real)
        print(f"trained and scored: {SHORT[short]}", file=sys.stderr, flush=True)
    times = interleaved_seconds({n: r["run"] for n, r in results.items()}, args.repeats)
    for name, r in results.items():
        r["art_per_s"], *r["art_per_s_range"] = rates(r["n"], times[name])
    for name, r in results.items():
        T, H, R = r["test"]["article"], r["headlines"], r["real"]
        head = (
            f"| {ci_cell(H['article']['frames'], 'micro_f1')} "
            f"| {ci_cell(H['article']['stance'], 'accuracy')} "
            if H
            else "| - | - "
        )
        real_cells = (
            f"| {ci_cell(R['paragraph']['frames'], 'micro_f1')} "
            f"| {ci_cell(R['paragraph']['frames'], 'macro_f1')} "
            f"| {round(R['article']['stance']['accuracy'] * R['n_articles'])} "
            if R
            else "| - | - | - "
        )
        low, high = r["art_per_s_range"]
        print(
            f"| {name} | {ci_cell(T['frames'], 'micro_f1')} | {ci_cell(T['frames'], 'macro_f1')} "
            f"| {ci_cell(T['stance'], 'accuracy')} {head}{real_cells}"
            f"| {r['art_per_s']:.1f} ({low:.1f}-{high:.1f}) | {r['train_s']:.0f} "
            f"| {r['size_mb']:.1f} |",
            flush=True,
        )
    print(
        f"\nIntervals: 95% bootstrap over articles. Speed: articles per second over the test"
        f" split's articles, median (and range) of {args.repeats} rounds in which every model"
        " ran once in turn, on this machine, every model in this one run."
    )
    if "fast = tfidf" in results and "default = encoder" in results:
        ratio = results["fast = tfidf"]["art_per_s"] / results["default = encoder"]["art_per_s"]
        print(f"fast / default speed ratio: {ratio:.1f}")


if __name__ == "__main__":
    main()
