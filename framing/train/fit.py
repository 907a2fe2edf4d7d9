"""How a model is fitted: the paragraph classifier, calibration, thresholds, the
boilerplate detector and the article-stance layer.

The model classes in :mod:`framing.models` know how to predict, save and load;
the procedures that fit their parts on a labeled corpus live here.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import numpy as np
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold

from framing.data.corpus import Article, as_unlabeled, paragraph_rows, row_owners
from framing.data.splits import split_articles
from framing.errors import FramingError
from framing.models.article import ArticleClassifier, content_and_words
from framing.models.article_stance import ArticleStanceHead, article_inputs
from framing.models.base import FramingClassifier
from framing.models.boilerplate import BoilerplateDetector
from framing.models.calibration import choose_calibration
from framing.models.ensemble import EnsembleClassifier
from framing.models.thresholds import best_thresholds

MIN_ARTICLES_TO_TUNE = 8
HOLDOUT_FRACTION = 0.15
# Fewer gold boilerplate paragraphs than this and the heuristic works alone.
MIN_BOILERPLATE = 10
# Folds of the out-of-fold paragraph scores the article-stance layer learns from.
ARTICLE_STANCE_FOLDS = 5


TUNE_LEVELS = ("auto", "paragraph", "article")


def fit_and_tune(
    model: FramingClassifier,
    train: list[Article],
    dev: list[Article] | None,
    *,
    seed: int = 0,
    tune_on: str = "auto",
) -> list[str]:
    """Fit on ``train``; on ``dev``, calibrate probabilities (when that helps) and tune
    the per-frame thresholds; then fit the boilerplate detector and the article-stance
    layer on the training articles.

    Articles may be labeled per paragraph, per article, or a mix (see
    :func:`fit_paragraphs`). ``tune_on`` chooses the level the thresholds maximise F1
    at: ``paragraph``, ``article``, or ``auto`` (article when any tuning article is
    labeled only as a whole). Without dev articles, 15% of the training articles are
    held out for tuning and the model is then refit on all of them with the tuned
    thresholds. The model also records the language of its training text
    (``language_``). Returns notes on what was done, for the model card.
    """
    if tune_on not in TUNE_LEVELS:
        raise FramingError(f"tune_on must be one of {', '.join(TUNE_LEVELS)}, got {tune_on!r}")
    notes = _fit_parts(model, train, dev, seed=seed, tune_on=tune_on)
    model.language_ = training_language(train)
    return notes


def fit_paragraphs(
    model: FramingClassifier, articles: list[Article], *, eval_set: tuple | None = None
) -> str | None:
    """Fit the paragraph classifier on labeled paragraphs and, for articles labeled only as
    a whole, by multiple-instance learning.

    An article's frame is in at least one of its paragraphs and a frame it lacks is in
    none, so every paragraph of an article is a sure negative for the frames the article
    lacks. The first fit gives each content paragraph all of its article's frames; the
    second keeps a frame only on the paragraphs the first fit scores at 0.5 or more for
    it, and always on the best-scoring one. Stance keeps the article's label (the
    article-stance layer then learns the article stance from the paragraph scores).
    Returns a note for the model card when there were article-level labels.
    """
    rows = paragraph_rows(articles)
    whole = [a for a in articles if not a.paragraph_labels]
    if not whole or not model.learns_frames:
        model.fit(*rows, eval_set=eval_set)
        return None
    # The first pass is a clone, so ``model`` is fitted once (a warm-started model keeps
    # every network it fits).
    first = clone(model).set_params(codebook=model.codebook).fit(*rows, eval_set=eval_set)
    texts, frames, stances = rows
    owners = row_owners(articles)
    rows_of: dict[str, list[int]] = {}
    for row, owner in enumerate(owners):
        rows_of.setdefault(owner, []).append(row)
    needed = [row for article in whole for row in rows_of.get(article.id, [])]
    scores = dict(zip(needed, first.predict_proba([texts[r] for r in needed]).frames, strict=True))
    index = {f: j for j, f in enumerate(first.frames_)}
    for article in whole:
        block = rows_of.get(article.id, [])
        for f in article.frames or []:
            column = np.array([scores[row][index[f]] for row in block])
            best = int(column.argmax()) if len(block) else -1
            for k, row in enumerate(block):
                if column[k] < 0.5 and k != best:
                    frames[row] = [g for g in frames[row] if g != f]
    model.fit(texts, frames, stances, eval_set=eval_set)
    return (
        f"{len(whole)} training articles labeled only as a whole: learnt by multiple-instance"
        " learning (each article frame kept on the paragraphs that carry it)"
    )


def _fit_parts(
    model: FramingClassifier,
    train: list[Article],
    dev: list[Article] | None,
    *,
    seed: int,
    tune_on: str,
) -> list[str]:
    notes = []
    if not model.tunable:
        model.fit(*paragraph_rows(train))
        return [f"{model.family} is a fixed-rule baseline: no calibration or threshold tuning"]
    if not dev and len(train) < MIN_ARTICLES_TO_TUNE:
        notes.append(fit_paragraphs(model, train))
        return [n for n in notes if n] + [
            f"only {len(train)} articles: thresholds left at 0.5 (no tuning data)"
        ]
    refit = not dev
    if refit:
        train, dev = split_articles(train, (1 - HOLDOUT_FRACTION, HOLDOUT_FRACTION), seed=seed)
        where = f"{len(dev)} held-out training articles"
    else:
        where = f"the dev split ({len(dev)} articles)"
    level = tune_on
    if level == "auto":
        level = "paragraph" if all(a.paragraph_labels for a in dev) else "article"
    labeled = [a for a in dev if a.paragraph_labels]
    dev_rows = paragraph_rows(labeled) if labeled else None
    notes.append(fit_paragraphs(model, train, eval_set=dev_rows))
    if isinstance(model, EnsembleClassifier) and not model.weights:
        notes.append(choose_member_weights(model, dev, level))
    if labeled:
        groups = row_owners(labeled)
        report = model.calibrate(*dev_rows, groups)
        kept = model.calibration_ or {}
        on = where if len(labeled) == len(dev) else f"the {len(labeled)} articles of {where}"
        on += "" if len(labeled) == len(dev) else " labeled per paragraph"
        notes.append(
            f"calibration on {on}: frames"
            f" ECE {report['frames_ece_raw']:.3f} raw vs"
            f" {report.get('frames_ece_calibrated_cv', float('nan')):.3f} Platt-scaled"
            f" (grouped CV), {'kept' if kept.get('frames') is not None else 'not kept'};"
            f" stance ECE {report['stance_ece_raw']:.3f} raw vs"
            f" {report.get('stance_ece_calibrated_cv', float('nan')):.3f} temperature-scaled,"
            f" {'kept' if kept.get('stance_temperature') is not None else 'not kept'}"
        )
    else:
        notes.append(f"no calibration: {where} has no paragraph labels")
    if level == "paragraph" and labeled:
        model.tune_thresholds(dev_rows[0], dev_rows[1])
        notes.append(f"thresholds tuned on {where} to maximise each frame's paragraph F1")
    else:
        if model.frames_:
            notes.append(calibrate_articles(model, dev))
        tune_article_thresholds(model, dev)
        notes.append(f"thresholds tuned on {where} to maximise each frame's article F1")
    if refit:
        thresholds, calibration = model.thresholds_.copy(), model.calibration_
        weights = getattr(model, "member_weights_", None)
        again = model.refit_params()
        if again:
            model.set_params(**again)
        fit_paragraphs(model, train + dev)
        model.thresholds_, model.calibration_ = thresholds, calibration
        if weights:
            model.member_weights_ = weights
        train = train + dev
        notes.append(
            "then refit on all training articles, keeping thresholds and calibration"
            + (f" (refit settings chosen on the held-out articles: {again})" if again else "")
        )
    notes.append(fit_boilerplate(model, train))
    notes.append(fit_article_stance(model, train, seed=seed))
    return [n for n in notes if n]


WEIGHT_STEP = 0.1


def _simplex(n: int, step: float = WEIGHT_STEP) -> list[np.ndarray]:
    """Every weight vector of ``n`` non-negative multiples of ``step`` that sum to 1."""
    k = round(1 / step)
    return [
        np.array(c, dtype=float) / k
        for c in itertools.product(range(k + 1), repeat=n)
        if sum(c) == k
    ]


def choose_member_weights(model: EnsembleClassifier, dev: list[Article], level: str) -> str:
    """Choose the ensemble's member weights on the held-out ``dev`` articles, separately for
    frames and stance, on a 0.1 grid: frames by macro average precision (a ranking measure:
    thresholds are tuned afterwards), at the level the thresholds are tuned at; stance by the
    log loss of the paragraphs' stance probabilities. (The log loss changes smoothly with
    the weights; the macro-F1 of the argmax, chosen before, is a step function of them that
    a hold-out of a hundred or so paragraphs makes noisy: on GVFC it picked weak members'
    weights in two folds of five.) Sets ``model.member_weights_``; returns a note for the
    model card."""
    from sklearn.metrics import average_precision_score, log_loss

    n = len(model.members_)
    grid = _simplex(n)
    frames_w = np.full(n, 1 / n)
    stance_w = np.full(n, 1 / n)
    said = []
    labeled = [a for a in dev if a.paragraph_labels]
    if model.frames_:
        if level == "paragraph" and labeled:
            texts, frames, _ = paragraph_rows(labeled)
            Y = model.encode_frames(frames)
            parts = [p.frames for p in model.member_scores(texts)]
        else:
            parts = [article_frame_scores(m, dev)[0] for m in model.members_]
            Y = model.encode_frames([a.frames or [] for a in dev])
        cols = Y.sum(axis=0) > 0
        if cols.any():

            def ap(w):
                S = sum(wi * p for wi, p in zip(w, parts, strict=True))
                return average_precision_score(Y[:, cols], S[:, cols], average="macro")

            frames_w = max(grid, key=ap)
            said.append(f"frames {_fmt(frames_w)} (macro AP {ap(frames_w):.3f})")
    if model.stances_ and labeled:
        texts, _, stances = paragraph_rows(labeled)
        y = model.encode_stances(stances)
        parts = [p.stance for p in model.member_scores(texts)]
        if len(np.unique(y)) > 1:

            def loss(w):
                P = sum(wi * p for wi, p in zip(w, parts, strict=True))
                return log_loss(y, np.clip(P, 1e-9, 1), labels=range(P.shape[1]))

            stance_w = min(grid, key=loss)
            P = sum(wi * p for wi, p in zip(stance_w, parts, strict=True))
            f1 = f1_score(y, P.argmax(axis=1), average="macro", zero_division=0)
            said.append(
                f"stance {_fmt(stance_w)} (log loss {loss(stance_w):.3f}, macro-F1 {f1:.3f})"
            )
    model.member_weights_ = {"frames": frames_w.tolist(), "stance": stance_w.tolist()}
    if not said:
        return "ensemble: equal member weights (nothing held out to choose them on)"
    return (
        f"ensemble member weights ({', '.join(model.members)}) chosen on {len(dev)} held-out"
        f" articles: {'; '.join(said)}"
    )


def _fmt(w: np.ndarray) -> str:
    return "/".join(f"{v:.1f}" for v in w)


def article_frame_scores(
    model: FramingClassifier, articles: list[Article]
) -> tuple[np.ndarray, np.ndarray]:
    """Article frame scores as prediction computes them (the strongest content paragraph's),
    and the articles' gold frames: two arrays (n_articles, n_frames)."""
    unlabeled = ArticleClassifier(model).prepare([as_unlabeled(a) for a in articles])
    scores = ArticleClassifier(model).score(unlabeled)
    S = np.zeros((len(articles), len(model.frames_)))
    for i, (article, score) in enumerate(zip(unlabeled, scores, strict=True)):
        content, _ = content_and_words(article)
        if content.any():
            S[i] = score.frames[content].max(axis=0)
    return S, model.encode_frames([a.frames or [] for a in articles])


def tune_article_thresholds(model: FramingClassifier, articles: list[Article]) -> None:
    """Per-frame thresholds that maximise article-level F1."""
    S, Y = article_frame_scores(model, articles)
    model.thresholds_ = best_thresholds(Y, S, default=model.thresholds_)


def calibrate_articles(model: FramingClassifier, articles: list[Article]) -> str:
    """Platt scaling of the frame scores fitted at article level (scaling is monotonic, so
    the strongest paragraph stays the strongest and the article score is calibrated), kept
    only when a cross-validation over the articles shows a lower calibration error; any
    paragraph-level stance calibration is kept. Returns a note for the model card."""
    kept = dict(model.calibration_ or {})
    model.calibration_ = {**kept, "frames": None} if kept else None
    S, Y = article_frame_scores(model, articles)
    n = len(articles)
    chosen = choose_calibration(Y, S, np.zeros(n, dtype=int), np.zeros((n, 0)), np.arange(n))
    report = chosen["report"]
    if chosen["frames"] is not None:
        model.calibration_ = {
            "frames": chosen["frames"].tolist(),
            "stance_temperature": kept.get("stance_temperature"),
        }
    return (
        f"article-level calibration of frame scores on {n} articles: ECE"
        f" {report['frames_ece_raw']:.3f} raw vs"
        f" {report.get('frames_ece_calibrated_cv', float('nan')):.3f} Platt-scaled (CV),"
        f" {'kept' if chosen['frames'] is not None else 'not kept'}"
    )


def fit_boilerplate(model: FramingClassifier, articles: list[Article]) -> str:
    """Train ``model.boilerplate_`` on the gold flags of the articles labeled per paragraph,
    when there are enough."""
    labeled = [a for a in articles if a.paragraph_labels]
    texts = [p.text for a in labeled for p in a.paragraphs]
    flags = [bool(p.boilerplate) for a in labeled for p in a.paragraphs]
    if sum(flags) < MIN_BOILERPLATE or sum(flags) == len(flags):
        model.boilerplate_ = None
        return "boilerplate: too few marked paragraphs to learn from; the heuristic alone"
    # Titles are content too: they teach the detector that short text can be content.
    titles = sorted({str(a.meta.get("title") or "").strip() for a in articles} - {""})
    model.boilerplate_ = BoilerplateDetector().fit(texts + titles, flags + [False] * len(titles))
    return (
        f"boilerplate: heuristic plus a detector learned from {sum(flags)} marked paragraphs"
        f" against {len(flags) - sum(flags)} content paragraphs and {len(titles)} titles"
    )


def fit_article_stance(model: FramingClassifier, articles: list[Article], *, seed: int = 0) -> str:
    """Fit ``model.article_stance_`` on out-of-fold scores of ``articles`` (labeled).

    Each fold's model is ``sklearn.base.clone(model)`` fitted on the other folds'
    paragraphs. Families that do not learn from data are scored directly.
    Returns a note for the model card, or says why the layer was not fitted.
    """
    if not model.stances_:
        return "article stance: the codebook codes no stance"
    labels = np.array([model.stances_.index(a.stance) for a in articles])
    if len(articles) < 2 * ARTICLE_STANCE_FOLDS or len(np.unique(labels)) < 2:
        return "article stance: too few training articles for a learned layer; word-weighted mean"
    if not model.cross_fit_cheap:
        return (
            "article stance: word-weighted mean of paragraph stances (refitting this family"
            " five times to learn an article layer would cost too much)"
        )
    features = article_stance_inputs(model, articles, seed=seed)
    head = ArticleStanceHead().fit(features, labels, len(model.stances_))
    model.article_stance_ = head
    if head.uses_vectors:
        return (
            f"article stance: a logistic layer (C={head.C_:g}, chosen by cross-validated log"
            f" loss) on out-of-fold paragraph stance scores and the {head.vector_dim_}-dimensional"
            f" mean embedding of {len(articles)} training articles ({ARTICLE_STANCE_FOLDS}-fold)"
        )
    return (
        f"article stance: a logistic layer on out-of-fold paragraph stance scores of"
        f" {len(articles)} training articles ({ARTICLE_STANCE_FOLDS}-fold)"
    )


def article_stance_inputs(
    model: FramingClassifier,
    articles: list[Article],
    *,
    seed: int = 0,
    inputs: Callable[[FramingClassifier, list[Article]], np.ndarray] | None = None,
) -> np.ndarray:
    """The article-stance layer's inputs for ``articles`` (labeled), from out-of-fold
    paragraph scores: each fold's model is ``sklearn.base.clone(model)`` fitted on the other
    folds' paragraphs, with ``model``'s calibration and boilerplate detector. Families that
    do not learn from data are scored directly. ``inputs(fitted model, unlabeled articles)``
    gives the rows (default :func:`layer_inputs`); a benchmark may try others."""
    inputs = inputs or layer_inputs
    unlabeled = [as_unlabeled(a) for a in articles]
    if not model.learns_frames:
        return inputs(model, unlabeled)
    rows: list = [None] * len(articles)
    folds = KFold(n_splits=ARTICLE_STANCE_FOLDS, shuffle=True, random_state=seed)
    for train_idx, test_idx in folds.split(np.arange(len(articles))):
        fold_model = clone(model).set_params(codebook=model.codebook_)
        fit_paragraphs(fold_model, [articles[i] for i in train_idx])
        fold_model.calibration_ = model.calibration_
        fold_model.boilerplate_ = model.boilerplate_
        held = inputs(fold_model, [unlabeled[i] for i in test_idx])
        for i, row in zip(test_idx, held, strict=True):
            rows[i] = row
    return np.array(rows)


def layer_inputs(model: FramingClassifier, articles: list[Article]) -> np.ndarray:
    """Article-stance inputs (:func:`~framing.models.article_stance.article_inputs`) of
    unlabeled ``articles``, scored as prediction scores them."""
    classifier = ArticleClassifier(model)
    articles = classifier.prepare(articles)
    rows = []
    for article, scores in zip(articles, classifier.score(articles), strict=True):
        content, words = content_and_words(article)
        rows.append(article_inputs(scores.stance, content, words, scores.vectors))
    return np.array(rows)


def training_language(articles: list[Article]) -> str | None:
    """The language code that most training articles give (their ``language`` field), when
    at least 90% give it; None otherwise."""
    codes = Counter(str(a.meta.get("language", "")).lower() for a in articles)
    code, n = codes.most_common(1)[0] if codes else ("", 0)
    return code if code and n >= 0.9 * len(articles) else None
