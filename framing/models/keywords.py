"""The codebook-cue baseline: a frame is present when one of its cue phrases occurs.

It learns nothing about frames; stance is the most frequent training label. It
exists to show what the codebook's cue words alone achieve, the floor that a
trained model must clearly beat.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from framing.data.stats import cue_pattern
from framing.models.base import FramingClassifier
from framing.models.io import read_json


class KeywordsClassifier(FramingClassifier):
    """Cue matching for frames, the majority label for stance.

    Examples
    --------
    >>> m = KeywordsClassifier().fit(["a sale"], [["business"]], ["neutral"])
    >>> m.predict(["the contract was signed"])[0].frames
    ['business']
    """

    family = "keywords"
    learns_frames = False
    tunable = False

    def _patterns(self):
        return [cue_pattern(self.codebook_.frame(f).cues) for f in self.frames_]

    def _fit(self, texts, Y, y):
        if not self.stances_:
            self.stance_prior_ = np.zeros(0)
            return
        counts = np.bincount(y, minlength=len(self.stances_))
        self.stance_prior_ = counts / counts.sum()

    def _predict_proba(self, texts):
        patterns = self._patterns()
        frames = np.array(
            [[1.0 if p is not None and p.search(t) else 0.0 for p in patterns] for t in texts]
        )
        stance = np.tile(self.stance_prior_, (len(texts), 1))
        return frames, stance

    def _save(self, path: Path) -> None:
        prior = {"stance_prior": [float(v) for v in self.stance_prior_]}
        (path / "weights.json").write_text(json.dumps(prior) + "\n", encoding="utf-8")

    def _load(self, path: Path) -> None:
        prior = read_json(path / "weights.json")
        self.stance_prior_ = np.asarray(prior["stance_prior"], dtype=np.float64)
