"""Per-frame decision thresholds that maximise F1 on held-out data."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve

LOWEST, HIGHEST = 0.02, 0.98


def best_threshold(y_true: np.ndarray, scores: np.ndarray, default: float = 0.5) -> float:
    """The threshold that maximises F1 for one frame.

    The cut is placed halfway between the lowest score kept and the next lower
    score, so a small shift in probabilities does not flip decisions; it is
    clipped to [0.02, 0.98]. Without a positive example, ``default`` is kept.

    Examples
    --------
    >>> best_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.3, 0.6, 0.8]))
    0.45
    """
    y_true = np.asarray(y_true)
    if y_true.sum() == 0:
        return float(default)
    precision, recall, cuts = precision_recall_curve(y_true, scores)
    precision, recall = precision[:-1], recall[:-1]
    f1 = np.divide(
        2 * precision * recall,
        precision + recall,
        out=np.zeros_like(precision),
        where=(precision + recall) > 0,
    )
    best = int(np.flatnonzero(f1 == f1.max())[-1])  # ties: the highest cut, fewer false alarms
    cut = cuts[best]
    lower = np.asarray(scores)[np.asarray(scores) < cut]
    threshold = (cut + lower.max()) / 2 if lower.size else cut / 2
    return float(np.clip(threshold, LOWEST, HIGHEST))


def best_thresholds(Y: np.ndarray, proba: np.ndarray, default=0.5) -> np.ndarray:
    """Per-column :func:`best_threshold` for a multi-label problem (n, n_labels)."""
    default = np.broadcast_to(np.asarray(default, dtype=np.float64), (Y.shape[1],))
    return np.array([best_threshold(Y[:, j], proba[:, j], default[j]) for j in range(Y.shape[1])])
