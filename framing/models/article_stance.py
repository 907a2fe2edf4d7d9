"""A learned article-stance layer on top of paragraph stance scores.

An article's stance is judged once for the whole article, and a plain average
of paragraph stances drifts towards ``neutral``: most paragraphs of a
favourable article report facts. This layer learns the article stance from a
few features of its content paragraphs' stance probabilities (the word-weighted
mean, the strongest paragraph for each label, the share of paragraphs won by
each label), with a multinomial logistic regression fitted on *out-of-fold*
paragraph scores of the training articles, so it sees scores like those of new
text rather than the over-confident scores of text the model was trained on.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

N_FOLDS = 5


def article_features(stance: np.ndarray, content: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Features of one article: (3 * n_stances,) from its paragraphs' stance scores."""
    k = stance.shape[1]
    if not content.any():
        return np.concatenate([np.full(k, 1 / k), np.zeros(k), np.zeros(k)])
    s = stance[content]
    w = words[content] / words[content].sum()
    winners = np.bincount(s.argmax(axis=1), minlength=k) / len(s)
    return np.concatenate([w @ s, s.max(axis=0), winners])


class ArticleStanceHead:
    """Multinomial logistic regression from :func:`article_features` to the article stance."""

    def __init__(self, C: float = 1.0):
        self.C = C

    def fit(self, X: np.ndarray, y: np.ndarray, n_stances: int) -> ArticleStanceHead:
        self.n_stances_ = n_stances
        self.model_ = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        self.model_.fit(X, y)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        out = np.zeros((len(X), self.n_stances_))
        out[:, self.model_.classes_] = self.model_.predict_proba(X)
        return out

    def to_dict(self) -> dict:
        return {
            "C": self.C,
            "n_stances": self.n_stances_,
            "classes": self.model_.classes_.tolist(),
            "coef": self.model_.coef_.tolist(),
            "intercept": self.model_.intercept_.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ArticleStanceHead:
        head = cls(C=data["C"])
        head.n_stances_ = data["n_stances"]
        head.model_ = LogisticRegression()
        head.model_.classes_ = np.asarray(data["classes"])
        head.model_.coef_ = np.asarray(data["coef"])
        head.model_.intercept_ = np.asarray(data["intercept"])
        return head


def fit_article_stance(model, articles, *, seed: int = 0) -> str:
    """Fit ``model.article_stance_`` on out-of-fold scores of ``articles`` (labeled).

    Families that do not learn from data are scored directly. Returns a note for
    the model card, or explains why the layer was not fitted.
    """
    from framing.eval.evaluate import as_unlabeled
    from framing.models.base import family_class
    from framing.train.train import paragraph_rows

    labels = np.array([model.stances_.index(a.stance) for a in articles])
    if len(articles) < 2 * N_FOLDS or len(np.unique(labels)) < 2:
        return "article stance: too few training articles for a learned layer; word-weighted mean"
    if not model.cross_fit_cheap:
        return (
            "article stance: word-weighted mean of paragraph stances (refitting this family"
            " five times to learn an article layer would cost too much)"
        )
    unlabeled = [as_unlabeled(a) for a in articles]
    features = np.zeros((len(articles), 3 * len(model.stances_)))
    if model.learns_frames:
        folds = KFold(n_splits=N_FOLDS, shuffle=True, random_state=seed)
        for train_idx, test_idx in folds.split(np.arange(len(articles))):
            clone = family_class(model.family)(codebook=model.codebook_, config=model.config)
            clone.fit(*paragraph_rows([articles[i] for i in train_idx]))
            clone.calibration_ = model.calibration_
            clone.boilerplate_ = getattr(model, "boilerplate_", None)
            _fill(features, clone, [unlabeled[i] for i in test_idx], test_idx)
    else:
        _fill(features, model, unlabeled, np.arange(len(articles)))
    model.article_stance_ = ArticleStanceHead().fit(features, labels, len(model.stances_))
    return (
        f"article stance: a logistic layer on out-of-fold paragraph stance scores of"
        f" {len(articles)} training articles ({N_FOLDS}-fold)"
    )


def _fill(features, model, articles, rows) -> None:
    from framing.models.article import ArticleClassifier, content_and_words

    for row, article, scores in zip(
        rows, articles, ArticleClassifier(model).score(articles), strict=True
    ):
        content, words = content_and_words(article)
        features[row] = article_features(scores.stance, content, words)
