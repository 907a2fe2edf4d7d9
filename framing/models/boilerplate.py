"""A learned boilerplate detector, trained with every model on the gold boilerplate flags.

The heuristic of :mod:`framing.data.segment` knows common page furniture
(captions, bylines, "Related News"...) and is precise, but outlets word their
furniture in endless ways. When the training corpus marks boilerplate, a small
logistic regression on hashed character and word n-grams learns the rest; a
paragraph is treated as boilerplate when the heuristic or the detector says so.
Hashed features need no vocabulary, so the detector is two arrays in
safetensors.

The features are the words and characters only, L2-normalised: nothing measures
a paragraph's length, so a headline or a one-line summary is judged by what it
says, not by being short. (Detectors saved before this had a length feature;
they still load and run as they were trained.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from framing.models.io import read_arrays
from framing.models.linear import logistic_from_arrays

FILE = "boilerplate.safetensors"
N_FEATURES = 2**16


def _vectorizers():
    return (
        HashingVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), n_features=N_FEATURES, alternate_sign=False
        ),
        HashingVectorizer(ngram_range=(1, 2), n_features=N_FEATURES, alternate_sign=False),
    )


def _features(texts: list[str], *, length: bool = False):
    parts = [v.transform(texts) for v in _vectorizers()]
    if length:  # the length feature of detectors saved by earlier versions
        parts.append(np.array([[min(len(t.split()), 200) / 200.0] for t in texts]))
    return sparse.hstack(parts).tocsr()


class BoilerplateDetector:
    """Logistic regression on hashed n-grams; ``predict`` gives True for boilerplate."""

    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold

    def fit(self, texts: list[str], flags: list[bool]) -> BoilerplateDetector:
        self.model_ = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        self.model_.fit(_features(texts), np.asarray(flags, dtype=int))
        return self

    def predict(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=bool)
        length = self.model_.coef_.shape[1] == 2 * N_FEATURES + 1
        return self.model_.predict_proba(_features(texts, length=length))[:, 1] >= self.threshold

    def save(self, path: Path) -> None:
        save_file(
            {
                "coef": np.ascontiguousarray(self.model_.coef_),
                "intercept": self.model_.intercept_,
                "threshold": np.array([self.threshold]),
            },
            str(path / FILE),
        )

    @classmethod
    def load(cls, path: Path) -> BoilerplateDetector | None:
        """The detector saved in model directory ``path``, or None when it has none."""
        file = path / FILE
        if not file.is_file():
            return None
        arrays = read_arrays(file)
        detector = cls(threshold=float(arrays["threshold"][0]))
        detector.model_ = logistic_from_arrays(arrays["coef"], arrays["intercept"], [0, 1])
        return detector
