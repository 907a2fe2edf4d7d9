"""Zero-shot labels from the codebook alone: no labeled data needed.

Each frame is described by several short texts: its name and definition, and
each cue phrase. A paragraph's score for a frame is the highest cosine
similarity between the paragraph's embedding and those descriptions, mapped to
(0, 1) with a logistic curve centred on ``center``. Stance compares the
paragraph with each stance label's definition (target included) through a
softmax. With no data the default thresholds hold; given dev data,
``framing train`` tunes the per-frame thresholds on it like any family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.special import expit, softmax

from framing.data.codebook import Codebook, load_codebook
from framing.errors import FramingError
from framing.models.base import FramingClassifier
from framing.models.encoder import EncoderMixin
from framing.models.transformer import DEFAULT_ENCODER


class ZeroShotClassifier(EncoderMixin, FramingClassifier):
    """Frames and stance by similarity to the codebook's own words.

    Examples
    --------
    >>> model = ZeroShotClassifier().fit([], [], [])  # doctest: +SKIP
    >>> model.predict(["Tajik villages were shelled and homes destroyed"])  # doctest: +SKIP
    """

    family = "zeroshot"
    learns_frames = False

    def __init__(
        self,
        *,
        codebook: Codebook | None = None,
        encoder: str = DEFAULT_ENCODER,
        dtype: str = "auto",
        batch_size: int = 32,
        max_length: int = 256,
        device: str = "auto",
        cache_embeddings: bool = True,
        center: float = 0.35,
        scale: float = 0.05,
        stance_temperature: float = 0.02,
    ):
        super().__init__(codebook=codebook)
        self.encoder = encoder
        self.dtype = dtype
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.cache_embeddings = cache_embeddings
        self.center = center  # cosine similarity that maps to probability 0.5
        self.scale = scale  # cosine difference that moves the logit by one
        self.stance_temperature = stance_temperature

    def _check_settings(self) -> None:
        super()._check_settings()
        self._check_encoder_settings()
        if self.scale <= 0 or self.stance_temperature <= 0:
            raise FramingError("scale and stance_temperature must be positive")

    def fit(self, texts=(), frames=(), stances=(), *, eval_set=None):
        """Build the label descriptions from the codebook; labeled data is optional."""
        if len(texts):
            return super().fit(texts, frames, stances)
        self._check_settings()
        self._start(self.codebook or load_codebook())
        self._fit([], None, None)
        return self

    def _descriptions(self):
        cb = self.codebook_
        frame_texts, owners = [], []
        for j, label in enumerate(cb.frames):
            for text in (f"{label.name}: {label.definition}", label.name, *label.cues):
                frame_texts.append(text)
                owners.append(j)
        target = cb.stance_target or "the topic"
        stance_texts = [f"{s.id} towards {target}: {s.definition}" for s in cb.stances]
        return frame_texts, np.asarray(owners), stance_texts

    def _fit(self, texts, Y, y):
        frame_texts, self.owners_, stance_texts = self._descriptions()
        self.frame_vectors_ = self.embed(frame_texts)
        self.stance_vectors_ = self.embed(stance_texts)

    def _predict_proba(self, texts):
        X = self.embed(texts)
        sims = X @ self.frame_vectors_.T
        best = np.full((len(texts), len(self.frames_)), -1.0)
        for j in range(len(self.frames_)):
            best[:, j] = sims[:, self.owners_ == j].max(axis=1)
        frames = expit((best - self.center) / self.scale)
        if not self.stances_:  # a codebook without stance
            return frames, np.zeros((len(texts), 0))
        stance = softmax((X @ self.stance_vectors_.T) / self.stance_temperature, axis=1)
        return frames, stance

    def _save(self, path: Path) -> None:
        pass  # everything is derived from the saved codebook and config

    def _load(self, path: Path) -> None:
        self._fit([], None, None)
