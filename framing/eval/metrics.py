"""Scores for frames (multi-label) and stance (single-label), from scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    hamming_loss,
    precision_recall_fscore_support,
)


def frame_metrics(Y_true: np.ndarray, Y_pred: np.ndarray, frame_ids: list[str]) -> dict:
    """Micro/macro/weighted F1, exact match, Hamming loss and per-frame scores.

    Parameters
    ----------
    Y_true, Y_pred : 0/1 arrays (n, n_frames).
    frame_ids : column names.
    """
    Y_true = np.asarray(Y_true, dtype=int)
    Y_pred = np.asarray(Y_pred, dtype=int)
    p, r, f, s = precision_recall_fscore_support(Y_true, Y_pred, average=None, zero_division=0)
    return {
        "micro_f1": float(f1_score(Y_true, Y_pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(Y_true, Y_pred, average="macro", zero_division=0)),
        "weighted_f1": float(f1_score(Y_true, Y_pred, average="weighted", zero_division=0)),
        "exact_match": float(accuracy_score(Y_true, Y_pred)),
        "hamming_loss": float(hamming_loss(Y_true, Y_pred)),
        "per_frame": {
            frame: {
                "precision": float(p[j]),
                "recall": float(r[j]),
                "f1": float(f[j]),
                "support": int(s[j]),
                "predicted": int(Y_pred[:, j].sum()),
            }
            for j, frame in enumerate(frame_ids)
        },
    }


def stance_metrics(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1, F_avg and the confusion matrix (rows gold, columns predicted).

    F_avg is the mean F1 of ``favorable`` and ``critical`` (SemEval-2016 Task 6),
    present when the codebook has both labels.
    """
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)) if y_true else 0.0,
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "labels": list(labels),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist() if y_true else [],
    }
    polar = [s for s in ("favorable", "critical") if s in labels]
    if len(polar) == 2:
        out["f_avg"] = float(
            f1_score(y_true, y_pred, labels=polar, average="macro", zero_division=0)
        )
    return out
