"""k-fold cross-validation grouped by article, and a learning curve.

Folds are made of whole articles (``KFold`` over articles), so no article's
paragraphs are on both sides. In each fold the family is trained on the other
folds (thresholds and calibration tuned on an internal hold-out of those
articles, as ``framing train`` does without a dev split) and scored on the
fold. The pooled out-of-fold predictions are scored once more with bootstrap
intervals. The learning curve retrains on growing shares of each fold's
training articles and scores on the same held-out fold.
"""

from __future__ import annotations

import random

import numpy as np
from sklearn.model_selection import KFold

from framing.data.corpus import Article
from framing.errors import FramingError
from framing.eval.evaluate import predict_corpus, score
from framing.models.base import family_class
from framing.train.train import fit_and_tune

FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)


def _headline(metrics: dict) -> dict:
    P = metrics["paragraph"]
    return {
        "frames_micro_f1": P["frames"]["micro_f1"],
        "frames_macro_f1": P["frames"]["macro_f1"],
        "stance_macro_f1": P["stance"]["macro_f1"],
        "article_stance_accuracy": metrics["article"]["stance"]["accuracy"],
    }


def cross_validate(
    articles: list[Article],
    family: str,
    *,
    k: int = 5,
    codebook=None,
    settings: dict | None = None,
    seed: int = 0,
    fractions: tuple[float, ...] | None = FRACTIONS,
    log=lambda message: None,
) -> dict:
    """Cross-validate ``family`` on ``articles``; returns per-fold and pooled scores, and
    the learning curve when ``fractions`` is given."""
    if k < 2:
        raise FramingError(f"-k must be at least 2, got {k}")
    if len(articles) < k:
        raise FramingError(f"{len(articles)} articles cannot make {k} folds; lower -k")

    def make():
        return family_class(family)(codebook=codebook, **(settings or {}))

    folds = list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.arange(len(articles))))
    per_fold, predictions, order = [], [None] * len(articles), []
    curve = {f: [] for f in fractions or ()}
    model = None
    for number, (train_idx, test_idx) in enumerate(folds, start=1):
        train = [articles[i] for i in train_idx]
        test = [articles[i] for i in test_idx]
        model = make()
        fit_and_tune(model, train, None, seed=seed)
        fold_predictions = predict_corpus(model, test)
        for i, p in zip(test_idx, fold_predictions, strict=True):
            predictions[i] = p
        order.extend(test_idx)
        metrics = score(model, test, fold_predictions, n_boot=0)
        per_fold.append(
            {
                "fold": number,
                "n_train_articles": len(train),
                "n_test_articles": len(test),
                **_headline(metrics),
            }
        )
        log(f"fold {number}/{k}: frames micro-F1 {per_fold[-1]['frames_micro_f1']:.3f}")
        for fraction in fractions or ():
            if fraction >= 1.0:
                curve[fraction].append((len(train), _headline(metrics)))
                continue
            subset = random.Random(seed + number).sample(train, max(2, int(len(train) * fraction)))
            small = make()
            fit_and_tune(small, subset, None, seed=seed)
            curve[fraction].append((len(subset), _headline(evaluate_on(small, test))))
    pooled = score(model, articles, predictions)
    summary = {
        name: {
            "mean": float(np.mean([f[name] for f in per_fold])),
            "std": float(np.std([f[name] for f in per_fold])),
        }
        for name in (
            "frames_micro_f1",
            "frames_macro_f1",
            "stance_macro_f1",
            "article_stance_accuracy",
        )
    }
    out = {
        "family": family,
        "k": k,
        "seed": seed,
        "n_articles": len(articles),
        "folds": per_fold,
        "mean": summary,
        "pooled": pooled,
    }
    if fractions:
        out["learning_curve"] = {
            "fractions": list(curve),
            "train_articles": [int(np.mean([n for n, _ in curve[f]])) for f in curve],
            **{
                name: {
                    "mean": [float(np.mean([h[name] for _, h in curve[f]])) for f in curve],
                    "std": [float(np.std([h[name] for _, h in curve[f]])) for f in curve],
                }
                for name in ("frames_micro_f1", "frames_macro_f1", "stance_macro_f1")
            },
        }
    return out


def evaluate_on(model, articles: list[Article]) -> dict:
    return score(model, articles, predict_corpus(model, articles), n_boot=0)
