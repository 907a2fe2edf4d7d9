"""The learned article-stance layer on top of paragraph stance scores.

An article's stance is judged once for the whole article, and a plain average
of paragraph stances drifts towards ``neutral``: most paragraphs of a
favourable article report facts. This layer learns the article stance from a
few features of its content paragraphs' stance probabilities (the word-weighted
mean, the strongest paragraph for each label, the share of paragraphs won by
each label), with a multinomial logistic regression fitted on *out-of-fold*
paragraph scores of the training articles, so it sees scores like those of new
text rather than the over-confident scores of text the model was trained on
(:func:`framing.train.fit.fit_article_stance` does the fitting).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from framing.errors import FramingError
from framing.models.linear import logistic_from_arrays


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
    def from_dict(cls, data: dict, *, place: str = "article_stance") -> ArticleStanceHead:
        """Rebuild the layer from :meth:`to_dict`; FramingError names a missing key."""
        for key in ("C", "n_stances", "classes", "coef", "intercept"):
            if key not in data:
                raise FramingError(f"{place}: key {key!r} is missing; retrain the model")
        head = cls(C=data["C"])
        head.n_stances_ = int(data["n_stances"])
        head.model_ = logistic_from_arrays(data["coef"], data["intercept"], data["classes"])
        return head
