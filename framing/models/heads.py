"""Logistic-regression heads over any feature matrix, stored as plain arrays.

Frames get one binary :class:`~sklearn.linear_model.LogisticRegression` each
(one-vs-rest, balanced class weights so rare frames are not drowned out);
stance gets one multinomial logistic regression. The fitted coefficients are
exported to, and rebuilt from, named NumPy arrays so that a model directory
holds them in safetensors rather than pickles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from framing.models.linear import constant_logistic, logistic_from_arrays


@dataclass
class LinearHeads:
    """Frame and stance heads; ``fit`` on features, then ``predict_proba``."""

    C_frames: float = 4.0
    C_stance: float = 2.0
    max_iter: int = 2000
    class_weight: str | None = "balanced"

    def fit(self, X, Y: np.ndarray, y: np.ndarray, n_stances: int) -> LinearHeads:
        self.frame_heads_ = [self._fit_binary(X, Y[:, j]) for j in range(Y.shape[1])]
        self.n_stances_ = n_stances
        classes = np.unique(y)
        if n_stances == 0:  # a codebook without stance
            self.stance_head_ = None
        elif classes.size == 1:
            self.stance_head_ = constant_logistic(int(classes[0]), X.shape[1], binary=False)
        else:
            self.stance_head_ = LogisticRegression(
                C=self.C_stance, max_iter=self.max_iter, class_weight=self.class_weight
            ).fit(X, y)
        return self

    def _fit_binary(self, X, target: np.ndarray) -> LogisticRegression:
        if target.min() == target.max():
            return constant_logistic(int(target.min()), X.shape[1], binary=True)
        return LogisticRegression(
            C=self.C_frames, max_iter=self.max_iter, class_weight=self.class_weight
        ).fit(X, target)

    def predict_proba(self, X) -> tuple[np.ndarray, np.ndarray]:
        n = X.shape[0]
        frames = (
            np.column_stack([h.predict_proba(X)[:, 1] for h in self.frame_heads_])
            if self.frame_heads_
            else np.zeros((n, 0))
        )
        stance = np.zeros((n, self.n_stances_))
        if self.stance_head_ is None:
            return frames, stance
        classes = self.stance_head_.classes_
        if classes.size == 1:  # only one stance seen in training
            stance[:, classes[0]] = 1.0
        else:
            stance[:, classes] = self.stance_head_.predict_proba(X)
        return frames, stance

    # ---------------------------------------------------------------- arrays

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        arrays = {f"{prefix}stance.n": np.array([self.n_stances_], dtype=np.int64)}
        if self.frame_heads_:  # none for a codebook without frames
            arrays[f"{prefix}frames.coef"] = np.vstack([h.coef_ for h in self.frame_heads_])
            arrays[f"{prefix}frames.intercept"] = np.concatenate(
                [h.intercept_ for h in self.frame_heads_]
            )
        if self.stance_head_ is not None:
            arrays[f"{prefix}stance.coef"] = self.stance_head_.coef_
            arrays[f"{prefix}stance.intercept"] = self.stance_head_.intercept_
            arrays[f"{prefix}stance.classes"] = self.stance_head_.classes_.astype(np.int64)
        return {k: np.ascontiguousarray(v) for k, v in arrays.items()}

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], prefix: str = "", **settings
    ) -> LinearHeads:
        heads = cls(**settings)
        coef = arrays.get(f"{prefix}frames.coef", np.zeros((0, 0)))
        intercept = arrays.get(f"{prefix}frames.intercept", np.zeros(0))
        heads.frame_heads_ = [
            logistic_from_arrays(coef[j : j + 1], intercept[j : j + 1], [0, 1])
            for j in range(coef.shape[0])
        ]
        heads.n_stances_ = int(arrays[f"{prefix}stance.n"][0])
        heads.stance_head_ = (
            logistic_from_arrays(
                arrays[f"{prefix}stance.coef"],
                arrays[f"{prefix}stance.intercept"],
                arrays[f"{prefix}stance.classes"],
            )
            if heads.n_stances_
            else None
        )
        return heads
