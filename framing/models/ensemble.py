"""An ensemble: the average of several families' probabilities.

TF-IDF sees the exact words, the sentence encoder sees paraphrases; averaging
their probabilities (then tuning thresholds on the average) is often better
than either alone. Each member is saved in its own sub-folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from framing.errors import FramingError
from framing.models.base import FramingClassifier, family_class


@dataclass(frozen=True)
class EnsembleConfig:
    """Member families, their weights, and settings per member."""

    members: tuple[str, ...] = ("tfidf", "encoder")
    weights: tuple[float, ...] = ()
    member_settings: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "members", tuple(self.members))
        object.__setattr__(self, "weights", tuple(self.weights))
        if len(self.members) < 2:
            raise FramingError(f"an ensemble needs two or more members, got {self.members}")
        if "ensemble" in self.members:
            raise FramingError("an ensemble cannot contain an ensemble")
        if self.weights and len(self.weights) != len(self.members):
            raise FramingError(
                f"give one weight per member: {len(self.members)} members,"
                f" {len(self.weights)} weights"
            )


class EnsembleClassifier(FramingClassifier):
    """Weighted mean of member probabilities; thresholds tuned on the mean."""

    family = "ensemble"
    Config = EnsembleConfig

    def _weights(self) -> np.ndarray:
        w = np.asarray(self.config.weights or [1.0] * len(self.config.members), dtype=float)
        return w / w.sum()

    def _fit(self, texts, Y, y):
        self.members_ = []
        for name in self.config.members:
            settings = self.config.member_settings.get(name, {})
            member = family_class(name)(codebook=self.codebook_, **settings)
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
        for name, member in zip(self.config.members, self.members_, strict=True):
            member.save(path / name)
        (path / "members.json").write_text(json.dumps(list(self.config.members)) + "\n")

    def _load(self, path: Path) -> None:
        self.members_ = [FramingClassifier.load(path / name) for name in self.config.members]

    def describe(self) -> str:
        return f"{super().describe()} [{' + '.join(m.describe() for m in self.members_)}]"
