"""The learned article-stance layer on top of paragraph scores.

An article's stance is judged once for the whole article, and a plain average
of paragraph stances drifts towards ``neutral``: most paragraphs of a
favourable article report facts. This layer learns the article stance from what
carries it:

- the content paragraphs' stance probabilities, the title counted as a content
  paragraph: their word-weighted mean, the strongest paragraph for each label
  (the most evaluative ones), and the share of paragraphs won by each label
  (:func:`article_features`);
- optionally, for families that embed text (an encoder with
  ``article_embedding`` on, alone or in an ensemble), the **article's own
  representation**: the word-weighted mean of the content paragraphs'
  embeddings, L2-normalised, which sees how the whole article is written, not
  only what each paragraph's stance head made of it.

A multinomial logistic regression maps them to the article stance. With a
representation the features are standardised and the regularisation is chosen
by cross-validated log loss on the training articles; without one the layer is
the nine features with C=1. The paragraph probabilities are *out-of-fold* scores
of the training articles, so the layer sees scores like those of new text rather
than the over-confident scores of text the model was trained on
(:func:`framing.train.fit.fit_article_stance` does the fitting).
``benchmarks/article_stance.py`` compares these choices, and the lead's (the
title's) own stance scores as more features, which gained nothing measurable.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from framing.errors import FramingError
from framing.models.linear import logistic_from_arrays

# The layer's inputs: "stance" is the nine features of :func:`article_features`;
# "stance+vector" adds the article's representation.
LAYOUTS = ("stance", "stance+vector")
# Inverse regularisation strengths tried for a layer with a representation
# (standardised features).
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def article_features(stance: np.ndarray, content: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Features of one article: (3 * n_stances,) from its paragraphs' stance scores."""
    k = stance.shape[1]
    if not content.any():
        return np.concatenate([np.full(k, 1 / k), np.zeros(k), np.zeros(k)])
    s = stance[content]
    w = words[content] / words[content].sum()
    winners = np.bincount(s.argmax(axis=1), minlength=k) / len(s)
    return np.concatenate([w @ s, s.max(axis=0), winners])


def article_vector(vectors: np.ndarray, content: np.ndarray, words: np.ndarray) -> np.ndarray:
    """The article's representation: the word-weighted mean of its content paragraphs'
    vectors, L2-normalised (zeros when nothing is content)."""
    if not content.any():
        return np.zeros(vectors.shape[1])
    w = words[content] / words[content].sum()
    v = w @ vectors[content]
    return v / max(float(np.linalg.norm(v)), 1e-12)


def article_inputs(
    stance: np.ndarray, content: np.ndarray, words: np.ndarray, vectors: np.ndarray | None
) -> np.ndarray:
    """Everything the layer uses for one article: :func:`article_features`, then the
    article's representation when ``vectors`` are given."""
    features = article_features(stance, content, words)
    if vectors is None:
        return features
    return np.concatenate([features, article_vector(vectors, content, words)])


class ArticleStanceHead:
    """Multinomial logistic regression from :func:`article_inputs` to the article stance.

    Parameters
    ----------
    C : inverse regularisation; None means 1.0 without a representation, and a choice
        from :data:`C_GRID` by cross-validated log loss with one.
    """

    def __init__(self, C: float | None = None):
        self.C = C

    def fit(self, X: np.ndarray, y: np.ndarray, n_stances: int) -> ArticleStanceHead:
        """Fit on rows of :func:`article_inputs` (every row with, or every row without, a
        representation)."""
        self.n_stances_ = n_stances
        self.vector_dim_ = X.shape[1] - 3 * n_stances
        options = {"max_iter": 3000, "class_weight": "balanced"}
        if not self.uses_vectors:
            self.mean_, self.scale_ = np.zeros(X.shape[1]), np.ones(X.shape[1])
            self.C_ = float(self.C if self.C is not None else 1.0)
            self.model_ = LogisticRegression(C=self.C_, **options).fit(X, y)
            return self
        scaler = StandardScaler().fit(X)
        self.mean_, self.scale_ = scaler.mean_, scaler.scale_
        Z = scaler.transform(X)
        smallest = int(np.bincount(y).min(initial=0)) if len(y) else 0
        if self.C is None and smallest >= 3 and len(np.unique(y)) > 1:
            folds = StratifiedKFold(n_splits=min(5, smallest), shuffle=True, random_state=0)
            search = LogisticRegressionCV(
                Cs=list(C_GRID), cv=folds, scoring="neg_log_loss", **options
            )
            self.C_ = float(search.fit(Z, y).C_[0])
        else:
            self.C_ = float(self.C if self.C is not None else 0.1)
        self.model_ = LogisticRegression(C=self.C_, **options).fit(Z, y)
        return self

    @property
    def uses_vectors(self) -> bool:
        """Whether the layer reads the article's representation."""
        return self.vector_dim_ > 0

    def inputs(self, stance, content, words, vectors) -> np.ndarray:
        """This layer's input row for one article (see :func:`article_inputs`)."""
        if self.uses_vectors and vectors is None:
            raise FramingError(
                "the article-stance layer reads the article's representation, but the model"
                " gave no paragraph vectors; retrain the model"
            )
        return article_inputs(stance, content, words, vectors if self.uses_vectors else None)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.mean_) / self.scale_
        out = np.zeros((len(X), self.n_stances_))
        out[:, self.model_.classes_] = self.model_.predict_proba(Z)
        return out

    def to_dict(self) -> dict:
        """The layer as JSON values (the scaling only when it reads a representation)."""
        data = {
            "layout": LAYOUTS[1] if self.uses_vectors else LAYOUTS[0],
            "C": self.C_,
            "n_stances": self.n_stances_,
            "classes": self.model_.classes_.tolist(),
            "coef": self.model_.coef_.tolist(),
            "intercept": self.model_.intercept_.tolist(),
        }
        if self.uses_vectors:
            data["vector_dim"] = self.vector_dim_
            data["mean"] = np.asarray(self.mean_).tolist()
            data["scale"] = np.asarray(self.scale_).tolist()
        return data

    @classmethod
    def from_dict(cls, data: dict, *, place: str = "article_stance") -> ArticleStanceHead:
        """Rebuild the layer from :meth:`to_dict`; FramingError names a missing or
        ill-shaped key."""
        layout = data.get("layout", "stance")
        keys = ["C", "n_stances", "classes", "coef", "intercept"]
        if layout != "stance":
            keys += ["vector_dim", "mean", "scale"]
        for key in keys:
            if key not in data:
                raise FramingError(f"{place}: key {key!r} is missing; retrain the model")
        if layout not in LAYOUTS:
            raise FramingError(
                f"{place}: layout {layout!r} is not one of {', '.join(LAYOUTS)}; retrain the model"
            )
        head = cls(C=data["C"])
        head.C_ = data["C"]
        head.n_stances_ = int(data["n_stances"])
        head.model_ = logistic_from_arrays(data["coef"], data["intercept"], data["classes"])
        width = head.model_.coef_.shape[1]
        if layout == "stance":
            head.vector_dim_ = 0
            head.mean_, head.scale_ = np.zeros(width), np.ones(width)
            expected = 3 * head.n_stances_
        else:
            head.vector_dim_ = int(data["vector_dim"])
            head.mean_ = np.asarray(data["mean"], dtype=np.float64)
            head.scale_ = np.asarray(data["scale"], dtype=np.float64)
            expected = 3 * head.n_stances_ + head.vector_dim_
        if width != expected or head.mean_.shape != (width,) or head.scale_.shape != (width,):
            raise FramingError(
                f"{place}: expected {expected} features, found coefficients for {width} and"
                f" {head.mean_.size} means; the file is damaged, retrain the model"
            )
        return head
