"""Active learning against random order, simulated on the bundled corpus; and how long a
pick takes on a pool of 10,000 paragraphs.

Simulation: the authored train split is the pool, its gold labels revealed one article
at a time, in the order ``framing annotate`` would ask for them (the same value and
diversity functions; zero-shot scores before the first model, then a tfidf model
retrained every ``--retrain-every`` articles) or in random order. At 50, 100, 200 and
400 labeled paragraphs a tfidf model trained on the labels so far (thresholds on 15%
of them, as ``framing train`` does) is scored on the authored dev split: paragraph
frames macro-F1, mean of ``--seeds`` runs. Writes a table and, with ``--plot``, a PNG.

    python benchmarks/annotate.py [--seeds 3] [--plot annotate-curve.png]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import median_seconds

from framing.annotate.active import article_vectors, choose, paragraph_value
from framing.annotate.project import Project
from framing.data.codebook import load_codebook
from framing.data.corpus import as_unlabeled
from framing.data.splits import bundled_corpus_dir, load_splits
from framing.eval.evaluate import evaluate
from framing.models.base import make_model
from framing.train.fit import fit_and_tune

BUDGETS = (50, 100, 200, 400)


def _score(train, dev) -> float:
    model = make_model("tfidf", codebook=load_codebook())
    fit_and_tune(model, train, None)
    return evaluate(model, dev, n_boot=0)["paragraph"]["frames"]["macro_f1"]


def _values(model, other, pool) -> np.ndarray:
    texts = [p.text for a in pool for p in a.paragraphs]
    scores = model.predict_proba(texts)
    second = other.predict_proba(texts).frames if other is not None else None
    per = paragraph_value(scores.frames, model.thresholds_, scores.stance, second)
    out, start = [], 0
    for a in pool:
        out.append(per[start : start + len(a.paragraphs)].mean())
        start += len(a.paragraphs)
    return np.array(out)


def simulate(pool, dev, *, active: bool, seed: int, retrain_every: int, zeroshot) -> dict:
    rng = random.Random(seed)
    texts = [p.text for a in pool for p in a.paragraphs]
    sizes = [len(a.paragraphs) for a in pool]
    vectors = article_vectors(np.asarray(zeroshot.embed(texts), dtype=np.float64), sizes)
    order, labeled_paragraphs, results = [], 0, {}
    remaining = list(range(len(pool)))
    model, values = None, _values(zeroshot, None, pool) if active else None
    while remaining and labeled_paragraphs < BUDGETS[-1]:
        if active:
            pick = choose(values, np.array(remaining), vectors, np.array(order, dtype=int))
        else:
            pick = rng.choice(remaining)
        remaining.remove(pick)
        order.append(pick)
        before = labeled_paragraphs
        labeled_paragraphs += len(pool[pick].paragraphs)
        for budget in BUDGETS:
            if before < budget <= labeled_paragraphs:
                results[budget] = _score([pool[i] for i in order], dev)
        if active and len(order) % retrain_every == 0 and len(order) >= 4:
            model = make_model("tfidf", codebook=load_codebook())
            fit_and_tune(model, [pool[i] for i in order], None)
            values = _values(model, zeroshot, pool)
    return results


def pick_speed(pool, repeats: int) -> tuple[int, float, float]:
    """Paragraphs in a pool of about 10,000; seconds to score it once (tfidf, with the
    zero-shot family for disagreement and its encoder for diversity); median seconds of
    one pick after that."""
    codebook = load_codebook()
    articles, n = [], 0
    while n < 10_000:
        for a in pool:
            copy = as_unlabeled(a)
            copy.id = f"{a.id}-{len(articles)}"
            articles.append(copy)
            n += len(a.paragraphs)
            if n >= 10_000:
                break
    model = make_model("tfidf", codebook=codebook)
    fit_and_tune(model, pool[:40], None)
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(tmp, codebook, model=model, random_share=0.0, overlap=0.0)
        project.add(articles)
        project.second = make_model("zeroshot", codebook=codebook).fit()
        started = time.perf_counter()
        project._score_pool()
        scoring = time.perf_counter() - started
        count = iter(range(10**6))
        pick = median_seconds(lambda: project.next_article(f"a{next(count)}"), repeats)
        project.store.close()
    return n, scoring, pick


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--retrain-every", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args(argv)
    codebook = load_codebook()
    splits = load_splits(bundled_corpus_dir(), codebook)
    pool, dev = splits["train"], splits["dev"]
    n, scoring, pick = pick_speed(pool, args.repeats)
    print(
        f"pick speed: pool of {n} paragraphs; scoring the pool once per model {scoring:.2f} s"
        f" (tfidf); one pick {1000 * pick:.1f} ms (median of {args.repeats})\n"
    )
    zeroshot = make_model("zeroshot", codebook=codebook).fit()
    curves = {"random order": [], "active learning": []}
    for seed in range(args.seeds):
        for name, active in (("random order", False), ("active learning", True)):
            curves[name].append(
                simulate(
                    pool,
                    dev,
                    active=active,
                    seed=seed,
                    retrain_every=args.retrain_every,
                    zeroshot=zeroshot,
                )
            )
            print(f"seed {seed} {name}: {curves[name][-1]}", flush=True)
    print(
        f"\nDev frames macro-F1 (paragraph level, {len(dev)} authored dev articles) after N"
        f" labeled paragraphs of the authored train split; mean ± sd of {args.seeds} seeds\n"
    )
    print("| order | " + " | ".join(f"{b} paragraphs" for b in BUDGETS) + " |")
    print("|---" * (len(BUDGETS) + 1) + "|")
    for name, runs in curves.items():
        cells = []
        for b in BUDGETS:
            values = [r[b] for r in runs if b in r]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):.3f} ± {sd:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.plot:
        from framing.eval.report import pyplot

        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5, 3.2))
        for name, runs in curves.items():
            ax.plot(
                BUDGETS, [statistics.mean(r[b] for r in runs) for b in BUDGETS], "o-", label=name
            )
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(BUDGETS, [str(b) for b in BUDGETS])
        ax.set_xlabel("labeled paragraphs")
        ax.set_ylabel("dev frames macro-F1")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
