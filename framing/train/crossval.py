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

import json
import logging
import random
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold

from framing.data.codebook import Codebook
from framing.data.corpus import Article
from framing.data.splits import HELDOUT_ONLY, bundled_corpus_dir, corpus_codebook, load_splits
from framing.errors import FramingError
from framing.eval.evaluate import format_table, predict_corpus, score
from framing.eval.report import write_report
from framing.models.base import make_model
from framing.train.config import TrainConfig
from framing.train.fit import fit_and_tune

logger = logging.getLogger(__name__)

FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)


def _headline(metrics: dict) -> dict:
    """Frame and stance scores at paragraph level, or at article level when the articles
    carry no paragraph labels."""
    P = metrics["paragraph"] or metrics["article"]
    out = {}
    if P["frames"] is not None:  # left out for a codebook without frames
        out["frames_micro_f1"] = P["frames"]["micro_f1"]
        out["frames_macro_f1"] = P["frames"]["macro_f1"]
    if P["stance"] is not None:  # left out for a codebook without stance
        out["stance_macro_f1"] = P["stance"]["macro_f1"]
        out["article_stance_accuracy"] = metrics["article"]["stance"]["accuracy"]
    return out


def cross_validate(
    articles: list[Article],
    family: str,
    *,
    k: int = 5,
    codebook=None,
    settings: dict | None = None,
    seed: int = 0,
    fractions: tuple[float, ...] | None = FRACTIONS,
) -> dict:
    """Cross-validate ``family`` on ``articles``; returns per-fold and pooled scores, and
    the learning curve when ``fractions`` is given. Each fold's model is a
    ``sklearn.base.clone`` of one unfitted template."""
    if k < 2:
        raise FramingError(f"-k must be at least 2, got {k}")
    if len(articles) < k:
        raise FramingError(f"{len(articles)} articles cannot make {k} folds; lower -k")

    template = make_model(family, codebook=codebook, **(settings or {}))

    folds = list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.arange(len(articles))))
    per_fold, predictions, order = [], [None] * len(articles), []
    curve = {f: [] for f in fractions or ()}
    model = None
    for number, (train_idx, test_idx) in enumerate(folds, start=1):
        train = [articles[i] for i in train_idx]
        test = [articles[i] for i in test_idx]
        model = clone(template)
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
        logger.info(
            f"fold {number}/{k}: "
            + ", ".join(f"{name} {per_fold[-1][name]:.3f}" for name in _headline(metrics))
        )
        for fraction in fractions or ():
            if fraction >= 1.0:
                curve[fraction].append((len(train), _headline(metrics)))
                continue
            subset = random.Random(seed + number).sample(train, max(2, int(len(train) * fraction)))
            small = clone(template)
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
        if name in per_fold[0]
    }
    out = {
        "family": family,
        "level": "paragraph" if pooled["paragraph"] else "article",
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
                if name in per_fold[0]
            },
        }
    return out


def cross_validate_corpus(
    data: str | Path | None,
    config: TrainConfig,
    *,
    k: int = 5,
    codebook: Codebook | str | Path | None = None,
    seed: int = 0,
    learning_curve: bool = True,
) -> dict:
    """:func:`cross_validate` on a labeled corpus file or folder (its train, dev and test
    articles pooled; default: the bundled corpus) with a training configuration."""
    data = Path(data) if data is not None else bundled_corpus_dir()
    codebook = corpus_codebook(data, codebook)
    articles = [
        a
        for name, part in load_splits(data, codebook).items()
        if name not in HELDOUT_ONLY
        for a in part
    ]
    result = cross_validate(
        articles,
        config.family,
        k=k,
        codebook=codebook,
        settings=config.settings,
        seed=seed,
        fractions=FRACTIONS if learning_curve else None,
    )
    result["pooled"]["data"] = f"{k}-fold cross-validation, out-of-fold predictions"
    return result


def format_cv(result: dict) -> str:
    """A plain-text summary: means over folds, the learning curve, the pooled table."""
    lines = [
        f"{result['family']}: {result['k']}-fold cross-validation over"
        f" {result['n_articles']} articles"
    ]
    for name, v in result["mean"].items():
        lines.append(f"  {name:26} {v['mean']:.3f} ± {v['std']:.3f} (mean ± sd over folds)")
    if "learning_curve" in result:
        lc = result["learning_curve"]
        lines.append(
            f"learning curve ({result['level']} frames micro-F1 by training articles): "
            + ", ".join(
                f"{n}: {m:.3f}"
                for n, m in zip(lc["train_articles"], lc["frames_micro_f1"]["mean"], strict=True)
            )
        )
    return "\n".join([*lines, "", format_table(result["pooled"])])


def write_cv(result: dict, out: str | Path) -> list[Path]:
    """Write the pooled report (metrics.json, summary.md, report.html, learning_curve.json)
    and ``cv.json`` (folds, means, learning curve) into ``out``; returns the paths."""
    out = Path(out)
    paths = write_report(result["pooled"], out, result.get("learning_curve"))
    slim = {key: value for key, value in result.items() if key != "pooled"}
    cv_file = out / "cv.json"
    cv_file.write_text(json.dumps(slim, indent=2) + "\n", encoding="utf-8")
    return [*paths, cv_file]


def evaluate_on(model, articles: list[Article]) -> dict:
    return score(model, articles, predict_corpus(model, articles), n_boot=0)
