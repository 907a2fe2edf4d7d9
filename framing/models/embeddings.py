"""Frozen sentence-encoder embeddings with logistic-regression heads.

The strongest family that trains in seconds on a laptop CPU: each paragraph is
embedded once by a frozen encoder (cached on disk, so retraining heads or
evaluating again does not re-encode), then one logistic regression per frame
and a multinomial one for stance are fitted on the embeddings. Saved as
``weights.safetensors``; the encoder itself is named in ``config.json`` and
loaded from its own folder or package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safetensors.numpy import load_file, save_file

from framing.errors import FramingError
from framing.models.base import FramingClassifier
from framing.models.encoder import DEFAULT_ENCODER, shared_encoder
from framing.models.heads import LinearHeads


@dataclass(frozen=True)
class EncoderSettings:
    """Settings shared by every family that embeds text with a sentence encoder."""

    encoder: str = DEFAULT_ENCODER
    dtype: str = "auto"
    batch_size: int = 64
    max_length: int = 256
    device: str = "auto"
    cache_embeddings: bool = True

    def __post_init__(self):
        if self.dtype not in {"auto", "bfloat16", "float32"}:
            raise FramingError(f"dtype must be auto, bfloat16 or float32, got {self.dtype!r}")
        if self.batch_size < 1 or self.max_length < 8:
            raise FramingError(
                f"batch_size must be >= 1 and max_length >= 8, got {self.batch_size},"
                f" {self.max_length}"
            )


@dataclass(frozen=True)
class EncoderConfig(EncoderSettings):
    """Settings of the encoder family."""

    C_frames: float = 16.0  # chosen on the bundled dev split (see benchmarks/models.py)
    C_stance: float = 4.0

    def __post_init__(self):
        super().__post_init__()
        if self.C_frames <= 0 or self.C_stance <= 0:
            raise FramingError("C_frames and C_stance must be positive")


class EncoderMixin:
    """Gives a family a lazily loaded, process-wide shared encoder."""

    def _encoder(self):
        c = self.config
        return shared_encoder(
            c.encoder,
            dtype=c.dtype,
            batch_size=c.batch_size,
            max_length=c.max_length,
            device=c.device,
            cache=c.cache_embeddings,
        )

    def embed(self, texts: list[str]):
        return self._encoder().encode(texts)

    def describe(self) -> str:
        base = super().describe()
        return f"{base} [{self.config.encoder}, {self._encoder().dtype_}]"


class EncoderClassifier(EncoderMixin, FramingClassifier):
    """Logistic-regression heads on frozen mean-pooled sentence embeddings.

    Examples
    --------
    >>> model = EncoderClassifier(encoder="all-MiniLM-L6-v2")  # doctest: +SKIP
    >>> model.fit(texts, frames, stances).predict(["ANKA drones built"])  # doctest: +SKIP
    """

    family = "encoder"
    Config = EncoderConfig

    def _fit(self, texts, Y, y):
        X = self.embed(texts)
        self.heads_ = LinearHeads(C_frames=self.config.C_frames, C_stance=self.config.C_stance)
        self.heads_.fit(X, Y, y, n_stances=len(self.stances_))

    def _predict_proba(self, texts):
        return self.heads_.predict_proba(self.embed(texts))

    def _save(self, path: Path) -> None:
        save_file(self.heads_.to_arrays(), str(path / "weights.safetensors"))

    def _load(self, path: Path) -> None:
        self.heads_ = LinearHeads.from_arrays(load_file(str(path / "weights.safetensors")))
