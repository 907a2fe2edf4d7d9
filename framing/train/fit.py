"""How a model is fitted: the paragraph classifier, calibration, thresholds, the
boilerplate detector and the article-stance layer.

The model classes in :mod:`framing.models` know how to predict, save and load;
the procedures that fit their parts on a labeled corpus live here.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold

from framing.data.corpus import Article, as_unlabeled, paragraph_rows
from framing.data.splits import split_articles
from framing.models.article import ArticleClassifier, content_and_words
from framing.models.article_stance import ArticleStanceHead, article_features
from framing.models.base import FramingClassifier
from framing.models.boilerplate import BoilerplateDetector

MIN_ARTICLES_TO_TUNE = 8
HOLDOUT_FRACTION = 0.15
# Fewer gold boilerplate paragraphs than this and the heuristic works alone.
MIN_BOILERPLATE = 10
# Folds of the out-of-fold paragraph scores the article-stance layer learns from.
ARTICLE_STANCE_FOLDS = 5


def fit_and_tune(
    model: FramingClassifier, train: list[Article], dev: list[Article] | None, *, seed: int = 0
) -> list[str]:
    """Fit on ``train``; on ``dev``, calibrate probabilities (when that helps) and tune
    the per-frame thresholds; then fit the boilerplate detector and the article-stance
    layer on the training articles.

    Without dev articles, 15% of the training articles are held out for tuning
    and the model is then refit on all of them with the tuned thresholds. The
    model also records the language of its training text (``language_``).
    Returns notes on what was done, for the model card.
    """
    notes = _fit_parts(model, train, dev, seed=seed)
    model.language_ = training_language(train)
    return notes


def _fit_parts(
    model: FramingClassifier, train: list[Article], dev: list[Article] | None, *, seed: int
) -> list[str]:
    notes = []
    if not model.tunable:
        model.fit(*paragraph_rows(train))
        return [f"{model.family} is a fixed-rule baseline: no calibration or threshold tuning"]
    if not dev and len(train) < MIN_ARTICLES_TO_TUNE:
        model.fit(*paragraph_rows(train))
        return [f"only {len(train)} articles: thresholds left at 0.5 (no tuning data)"]
    refit = not dev
    if refit:
        train, dev = split_articles(train, (1 - HOLDOUT_FRACTION, HOLDOUT_FRACTION), seed=seed)
        where = f"{len(dev)} held-out training articles"
    else:
        where = f"the dev split ({len(dev)} articles)"
    dev_rows = paragraph_rows(dev)
    model.fit(*paragraph_rows(train), eval_set=dev_rows)
    groups = [a.id for a in dev for _ in a.paragraphs]
    report = model.calibrate(*dev_rows, groups)
    model.tune_thresholds(dev_rows[0], dev_rows[1])
    kept = model.calibration_ or {}
    notes.append(
        f"calibration on {where}: frames ECE {report['frames_ece_raw']:.3f} raw vs"
        f" {report.get('frames_ece_calibrated_cv', float('nan')):.3f} Platt-scaled (grouped CV),"
        f" {'kept' if kept.get('frames') is not None else 'not kept'}; stance ECE"
        f" {report['stance_ece_raw']:.3f} raw vs"
        f" {report.get('stance_ece_calibrated_cv', float('nan')):.3f} temperature-scaled,"
        f" {'kept' if kept.get('stance_temperature') is not None else 'not kept'}"
    )
    notes.append(f"thresholds tuned on {where} to maximise each frame's F1")
    if refit:
        thresholds, calibration = model.thresholds_.copy(), model.calibration_
        model.fit(*paragraph_rows(train + dev))
        model.thresholds_, model.calibration_ = thresholds, calibration
        train = train + dev
        notes.append("then refit on all training articles, keeping thresholds and calibration")
    notes.append(fit_boilerplate(model, train))
    notes.append(fit_article_stance(model, train, seed=seed))
    return notes


def training_language(articles: list[Article]) -> str | None:
    """The language code that most training articles give (their ``language`` field), when
    at least 90% give it; None otherwise."""
    codes = Counter(str(a.meta.get("language", "")).lower() for a in articles)
    code, n = codes.most_common(1)[0] if codes else ("", 0)
    return code if code and n >= 0.9 * len(articles) else None


def fit_boilerplate(model: FramingClassifier, articles: list[Article]) -> str:
    """Train ``model.boilerplate_`` on the articles' gold flags when there are enough."""
    texts = [p.text for a in articles for p in a.paragraphs]
    flags = [bool(p.boilerplate) for a in articles for p in a.paragraphs]
    if sum(flags) < MIN_BOILERPLATE or sum(flags) == len(flags):
        model.boilerplate_ = None
        return "boilerplate: too few marked paragraphs to learn from; the heuristic alone"
    model.boilerplate_ = BoilerplateDetector().fit(texts, flags)
    return f"boilerplate: heuristic plus a detector learned from {sum(flags)} marked paragraphs"


def fit_article_stance(model: FramingClassifier, articles: list[Article], *, seed: int = 0) -> str:
    """Fit ``model.article_stance_`` on out-of-fold scores of ``articles`` (labeled).

    Each fold's model is ``sklearn.base.clone(model)`` fitted on the other folds'
    paragraphs. Families that do not learn from data are scored directly.
    Returns a note for the model card, or says why the layer was not fitted.
    """
    labels = np.array([model.stances_.index(a.stance) for a in articles])
    if len(articles) < 2 * ARTICLE_STANCE_FOLDS or len(np.unique(labels)) < 2:
        return "article stance: too few training articles for a learned layer; word-weighted mean"
    if not model.cross_fit_cheap:
        return (
            "article stance: word-weighted mean of paragraph stances (refitting this family"
            " five times to learn an article layer would cost too much)"
        )
    unlabeled = [as_unlabeled(a) for a in articles]
    features = np.zeros((len(articles), 3 * len(model.stances_)))
    if model.learns_frames:
        folds = KFold(n_splits=ARTICLE_STANCE_FOLDS, shuffle=True, random_state=seed)
        for train_idx, test_idx in folds.split(np.arange(len(articles))):
            fold_model = clone(model).set_params(codebook=model.codebook_)
            fold_model.fit(*paragraph_rows([articles[i] for i in train_idx]))
            fold_model.calibration_ = model.calibration_
            fold_model.boilerplate_ = model.boilerplate_
            _fill(features, fold_model, [unlabeled[i] for i in test_idx], test_idx)
    else:
        _fill(features, model, unlabeled, np.arange(len(articles)))
    model.article_stance_ = ArticleStanceHead().fit(features, labels, len(model.stances_))
    return (
        f"article stance: a logistic layer on out-of-fold paragraph stance scores of"
        f" {len(articles)} training articles ({ARTICLE_STANCE_FOLDS}-fold)"
    )


def _fill(features, model, articles, rows) -> None:
    for row, article, scores in zip(
        rows, articles, ArticleClassifier(model).score(articles), strict=True
    ):
        content, words = content_and_words(article)
        features[row] = article_features(scores.stance, content, words)
