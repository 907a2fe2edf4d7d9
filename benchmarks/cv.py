"""Grouped cross-validation of the built-in models on the bundled corpus: one table.

Each candidate is cross-validated over the same folds of whole articles
(``framing.train.crossval.cross_validate``: the train, dev and test splits
pooled, the headlines split left out; in each fold the model is trained on the
other folds with 15% of them held out for thresholds and calibration, then refit,
as ``framing train`` does without a dev split). The out-of-fold predictions of
all articles are pooled and scored once, with 95% bootstrap intervals over
articles; the spread of the per-fold scores is printed beside them.

    python benchmarks/cv.py [--candidates keywords fast default accurate] [-k 5]
"""

from __future__ import annotations

import time

from tables import candidates_parser, ci_cell

from framing.data.codebook import load_codebook
from framing.data.splits import HELDOUT_ONLY, bundled_corpus_dir, load_splits
from framing.train.crossval import cross_validate
from framing.train.default import BUILTINS

CANDIDATES = {
    "keywords": ("keywords (floor)", "keywords", {}),
    **{
        name: (f"{name} = {spec.family}", spec.family, spec.settings)
        for name, spec in BUILTINS.items()
    },
}


def main(argv=None) -> None:
    parser = candidates_parser(__doc__.splitlines()[0], CANDIDATES)
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    codebook = load_codebook()
    splits = load_splits(bundled_corpus_dir(), codebook)
    articles = [a for name, part in splits.items() if name not in HELDOUT_ONLY for a in part]
    print(
        f"{args.k}-fold cross-validation grouped by article over {len(articles)} authored"
        f" articles ({sum(len(a.paragraphs) for a in articles)} paragraphs), the same folds"
        " for every model; pooled out-of-fold predictions, 95% bootstrap intervals over"
        " articles; ± is the standard deviation over folds\n"
    )
    print(
        "| model | paragraph frames micro-F1 | paragraph frames macro-F1 "
        "| article frames micro-F1 | article frames macro-F1 | article stance acc. "
        "| article stance macro-F1 | fold sd (article stance acc.) | minutes |"
    )
    print("|---" * 9 + "|")
    for name in args.candidates:
        label, family, settings = CANDIDATES[name]
        started = time.perf_counter()
        result = cross_validate(
            articles,
            family,
            k=args.k,
            codebook=codebook,
            settings=settings,
            seed=args.seed,
            fractions=None,
        )
        minutes = (time.perf_counter() - started) / 60
        P, A = result["pooled"]["paragraph"], result["pooled"]["article"]
        sd = result["mean"].get("article_stance_accuracy", {}).get("std", float("nan"))
        print(
            f"| {label} | {ci_cell(P['frames'], 'micro_f1')} | {ci_cell(P['frames'], 'macro_f1')} "
            f"| {ci_cell(A['frames'], 'micro_f1')} | {ci_cell(A['frames'], 'macro_f1')} "
            f"| {ci_cell(A['stance'], 'accuracy')} | {ci_cell(A['stance'], 'macro_f1')} "
            f"| {sd:.3f} | {minutes:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
