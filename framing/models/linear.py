"""Logistic regressions rebuilt from stored arrays.

Every linear part of a model (frame and stance heads, the boilerplate
detector, the article-stance layer) is saved as its coefficients in
safetensors or JSON, never pickled; this is the one place that turns those
arrays back into a fitted :class:`~sklearn.linear_model.LogisticRegression`.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression


def logistic_from_arrays(coef, intercept, classes) -> LogisticRegression:
    """A fitted-looking LogisticRegression with the given ``coef_``, ``intercept_`` and
    ``classes_`` (shapes as scikit-learn gives them: (1 or n_classes, n_features), ...)."""
    model = LogisticRegression()
    model.classes_ = np.asarray(classes)
    model.coef_ = np.atleast_2d(np.asarray(coef))
    model.intercept_ = np.atleast_1d(np.asarray(intercept))
    model.n_features_in_ = model.coef_.shape[1]
    return model


def constant_logistic(label: int, n_features: int, *, binary: bool, logit: float = 9.0):
    """A "head" that always answers ``label``: for a frame never (or always) seen in
    training (``binary``), or a stance head when only one stance was seen."""
    if binary:
        sign = 1.0 if label == 1 else -1.0
        return logistic_from_arrays(np.zeros((1, n_features)), [sign * logit], [0, 1])
    return logistic_from_arrays(np.zeros((1, n_features)), [0.0], [label])
