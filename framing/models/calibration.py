"""Probability calibration, applied only when it helps.

Frames get Platt scaling per frame (a logistic regression on the logit of the
model's probability); stance gets temperature scaling. Both are fitted on dev
paragraphs, and kept only when a grouped cross-validation on those paragraphs
(folds by article, so paragraphs of one article never score the calibrator
that saw them) shows a lower expected calibration error than the raw scores.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit, log_softmax, logit, softmax
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

_EPS = 1e-6


def ece(y_true: np.ndarray, proba: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error of binary probabilities: the mean gap between
    confidence and frequency over equal-width bins, weighted by bin size."""
    y_true = np.asarray(y_true, dtype=float).ravel()
    proba = np.asarray(proba, dtype=float).ravel()
    if proba.size == 0:
        return 0.0
    bins = np.minimum((proba * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            total += in_bin.sum() * abs(y_true[in_bin].mean() - proba[in_bin].mean())
    return float(total / proba.size)


def stance_ece(y_index: np.ndarray, proba: np.ndarray, n_bins: int = 10) -> float:
    """Top-label calibration error: confidence of the predicted label vs its accuracy."""
    if len(proba) == 0:
        return 0.0
    predicted = proba.argmax(axis=1)
    return ece(predicted == np.asarray(y_index), proba.max(axis=1), n_bins)


def _logit(p: np.ndarray) -> np.ndarray:
    return logit(np.clip(p, _EPS, 1 - _EPS))


def fit_platt(Y: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Per-frame (slope, intercept) on the logit; identity for frames with one class."""
    params = np.tile([1.0, 0.0], (P.shape[1], 1))
    for j in range(P.shape[1]):
        if 0 < Y[:, j].sum() < len(Y):
            lr = LogisticRegression(C=1.0).fit(_logit(P[:, [j]]), Y[:, j])
            params[j] = [lr.coef_[0, 0], lr.intercept_[0]]
    return params


def apply_platt(P: np.ndarray, params: np.ndarray) -> np.ndarray:
    return expit(_logit(P) * params[:, 0] + params[:, 1])


def fit_temperature(y: np.ndarray, P: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the stance labels."""
    logp = np.log(np.clip(P, _EPS, 1.0))

    def nll(t: float) -> float:
        return -float(log_softmax(logp / t, axis=1)[np.arange(len(y)), y].mean())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def apply_temperature(P: np.ndarray, t: float) -> np.ndarray:
    return softmax(np.log(np.clip(P, _EPS, 1.0)) / t, axis=1)


def choose_calibration(
    Y: np.ndarray, P: np.ndarray, y: np.ndarray, S: np.ndarray, groups: np.ndarray, folds: int = 5
) -> dict:
    """Fit calibrators on dev scores and keep each one only if it lowers the
    cross-validated ECE. Returns ``{'frames': params or None, 'stance_temperature':
    t or None, 'report': {...}}``."""
    n_folds = min(folds, len(np.unique(groups)))
    has_stance = S.shape[1] > 0
    report = {
        "frames_ece_raw": ece(Y, P),
        "stance_ece_raw": stance_ece(y, S) if has_stance else 0.0,
    }
    out = {"frames": None, "stance_temperature": None, "report": report}
    if n_folds < 2:
        return out
    frames_cv = np.zeros_like(P)
    stance_cv = np.zeros_like(S)
    for train, test in GroupKFold(n_splits=n_folds).split(P, groups=groups):
        frames_cv[test] = apply_platt(P[test], fit_platt(Y[train], P[train]))
        if has_stance:
            stance_cv[test] = apply_temperature(S[test], fit_temperature(y[train], S[train]))
    report["frames_ece_calibrated_cv"] = ece(Y, frames_cv)
    report["stance_ece_calibrated_cv"] = stance_ece(y, stance_cv) if has_stance else 0.0
    if report["frames_ece_calibrated_cv"] < report["frames_ece_raw"]:
        out["frames"] = fit_platt(Y, P)
    if has_stance and report["stance_ece_calibrated_cv"] < report["stance_ece_raw"]:
        out["stance_temperature"] = fit_temperature(y, S)
    return out
