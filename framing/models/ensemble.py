"""An ensemble: the average of several families' probabilities.

TF-IDF sees the exact words, the sentence encoder sees paraphrases; averaging
their probabilities (then tuning thresholds on the average) is often better
than either alone. Each member is saved in its own sub-folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from framing.data.codebook import Codebook
from framing.errors import FramingError
from framing.models.base import FramingClassifier, family_class, make_model


class EnsembleClassifier(FramingClassifier):
    """Weighted mean of member probabilities; thresholds tuned on the mean."""

    family = "ensemble"

    def __init__(
        self,
        *,
        codebook: Codebook | None = None,
        members: tuple[str, ...] = ("tfidf", "encoder"),
        weights: tuple[float, ...] = (),
        member_settings: dict | None = None,
    ):
        super().__init__(codebook=codebook)
        self.members = members
        self.weights = weights
        self.member_settings = member_settings

    def _check_settings(self) -> None:
        super()._check_settings()
        if len(self.members) < 2:
            raise FramingError(f"an ensemble needs two or more members, got {list(self.members)}")
        if "ensemble" in self.members:
            raise FramingError("an ensemble cannot contain an ensemble")
        for name in self.members:
            family_class(name)
        if self.weights and len(self.weights) != len(self.members):
            raise FramingError(
                f"give one weight per member: {len(self.members)} members,"
                f" {len(self.weights)} weights"
            )
        if self.member_settings is not None and not isinstance(self.member_settings, dict):
            raise FramingError("member_settings must be a table of settings by member family")

    def _weights(self) -> np.ndarray:
        w = np.asarray(self.weights or [1.0] * len(self.members), dtype=float)
        return w / w.sum()

    def _fit(self, texts, Y, y):
        self.members_ = []
        for name in self.members:
            settings = (self.member_settings or {}).get(name, {})
            member = make_model(name, codebook=self.codebook_, **settings)
            frames = [[f for f, on in zip(self.frames_, row, strict=True) if on] for row in Y]
            stances = [self.stances_[k] for k in y]
            self.members_.append(member.fit(texts, frames, stances))

    def _predict_proba(self, texts):
        w = self._weights()
        parts = [m.predict_proba(texts) for m in self.members_]
        frames = sum(wi * p.frames for wi, p in zip(w, parts, strict=True))
        stance = sum(wi * p.stance for wi, p in zip(w, parts, strict=True))
        return frames, stance

    def _save(self, path: Path) -> None:
        for name, member in zip(self.members, self.members_, strict=True):
            member.save(path / name)

    def _load(self, path: Path) -> None:
        self.members_ = [FramingClassifier.load(path / name) for name in self.members]

    def describe(self) -> str:
        return f"{super().describe()} [{' + '.join(m.describe() for m in self.members_)}]"
