"""An ensemble: the weighted average of several families' probabilities.

TF-IDF sees the exact words, the sentence encoder sees paraphrases, a fine-tuned
transformer sees both; averaging their probabilities (then tuning thresholds on
the average) is often better than any alone. The member weights are the
``weights`` setting, or, once training has chosen them on held-out data, the
fitted ``member_weights_`` (one set for frames, one for stance). Each member is
saved in its own sub-folder; fitted weights in ``member_weights.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from framing.data.codebook import Codebook
from framing.errors import FramingError
from framing.models.base import FramingClassifier, family_class, make_model
from framing.models.io import read_json

WEIGHTS_FILE = "member_weights.json"


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

    @property
    def cross_fit_cheap(self) -> bool:
        return all(family_class(name).cross_fit_cheap for name in self.members)

    def _weights(self, part: str = "frames") -> np.ndarray:
        fitted = getattr(self, "member_weights_", None)
        w = np.asarray(
            fitted[part] if fitted else self.weights or [1.0] * len(self.members), dtype=float
        )
        return w / w.sum()

    def _labels(self, Y, y):
        frames = [[f for f, on in zip(self.frames_, row, strict=True) if on] for row in Y]
        return frames, [self.stances_[k] for k in y] if self.stances_ else [""] * len(Y)

    def _fit(self, texts, Y, y):
        # A member whose settings ask for a warm start refits the member already fitted.
        fitted = dict(zip(self.members, getattr(self, "members_", None) or [], strict=False))
        self.members_ = []
        self.member_weights_ = None
        eval_set = self._eval_set
        if eval_set is not None:  # members that stop early see the held-out rows too
            eval_set = (eval_set[0], *self._labels(eval_set[1], eval_set[2]))
        for name in self.members:
            settings = (self.member_settings or {}).get(name, {})
            if settings.get("warm_start") and name in fitted:
                member = fitted[name].set_params(**settings)
            else:
                member = make_model(name, codebook=self.codebook_, **settings)
            self.members_.append(member.fit(texts, *self._labels(Y, y), eval_set=eval_set))

    def member_scores(self, texts):
        """Each member's probabilities for ``texts`` (a list of Scores, in member order)."""
        return [m.predict_proba(texts) for m in self.members_]

    def _predict_proba(self, texts):
        parts = self.member_scores(texts)
        wf, ws = self._weights("frames"), self._weights("stance")
        frames = sum(wi * p.frames for wi, p in zip(wf, parts, strict=True))
        stance = sum(wi * p.stance for wi, p in zip(ws, parts, strict=True))
        # The first member that embeds text gives the ensemble's representation.
        vectors = next((p.vectors for p in parts if p.vectors is not None), None)
        return frames, stance, vectors

    def refit_params(self) -> dict:
        """The members' own refit settings (a fine-tuned member's chosen epoch count)."""
        settings = {name: dict(s) for name, s in (self.member_settings or {}).items()}
        changed = False
        for name, member in zip(self.members, getattr(self, "members_", []), strict=False):
            extra = member.refit_params()
            if extra:
                settings[name] = {**settings.get(name, {}), **extra}
                changed = True
        return {"member_settings": settings} if changed else {}

    def _save(self, path: Path) -> None:
        for name, member in zip(self.members, self.members_, strict=True):
            member.save(path / name)
        if self.member_weights_:
            (path / WEIGHTS_FILE).write_text(json.dumps(self.member_weights_, indent=2))

    def _load(self, path: Path) -> None:
        self.members_ = [FramingClassifier.load(path / name) for name in self.members]
        self.member_weights_ = None
        if (path / WEIGHTS_FILE).exists():
            weights = read_json(path / WEIGHTS_FILE)
            n = len(self.members)
            if not (
                isinstance(weights, dict)
                and all(
                    isinstance(weights.get(k), list)
                    and len(weights[k]) == n
                    and all(isinstance(v, int | float) and v >= 0 for v in weights[k])
                    and sum(weights[k]) > 0
                    for k in ("frames", "stance")
                )
            ):
                raise FramingError(
                    f"{path / WEIGHTS_FILE}: expected {{'frames': [...], 'stance': [...]}} with"
                    f" {n} non-negative weights each; the file is damaged, retrain the model"
                )
            self.member_weights_ = weights

    def describe(self) -> str:
        w = self._weights("frames")
        parts = [f"{m.describe()} x{wi:.2f}" for m, wi in zip(self.members_, w, strict=True)]
        return f"{super().describe()} [{' + '.join(parts)}]"
