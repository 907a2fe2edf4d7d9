"""The encoder family: frozen sentence-encoder embeddings with logistic-regression heads.

The strongest family that trains in seconds on a laptop CPU: each paragraph is
embedded once by a frozen encoder (cached on disk, so retraining heads or
evaluating again does not re-encode), then one logistic regression per frame
and a multinomial one for stance are fitted on the embeddings. Saved as
``weights.safetensors``; the encoder itself is named in ``config.json`` and
loaded from its own folder or package.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from safetensors.numpy import save_file

from framing.data.codebook import Codebook
from framing.errors import FramingError
from framing.models.base import FramingClassifier
from framing.models.heads import LinearHeads
from framing.models.io import read_arrays
from framing.models.transformer import DEFAULT_ENCODER, shared_encoder


class EncoderMixin:
    """For families that embed text with a frozen sentence encoder: the encoder
    settings' checks and a lazily loaded, process-wide shared encoder."""

    def _check_encoder_settings(self) -> None:
        if self.dtype not in {"auto", "bfloat16", "float32"}:
            raise FramingError(f"dtype must be auto, bfloat16 or float32, got {self.dtype!r}")
        if self.batch_size < 1 or self.max_length < 8:
            raise FramingError(
                f"batch_size must be >= 1 and max_length >= 8, got {self.batch_size},"
                f" {self.max_length}"
            )

    def _encoder(self):
        return shared_encoder(
            self.encoder,
            dtype=self.dtype,
            batch_size=self.batch_size,
            max_length=self.max_length,
            device=self.device,
            cache=self.cache_embeddings,
        )

    def embed(self, texts: list[str]):
        return self._encoder().encode(texts)

    def describe(self) -> str:
        base = super().describe()
        return f"{base} [{self.encoder}, {self._encoder().dtype_}]"


class EncoderClassifier(EncoderMixin, FramingClassifier):
    """Logistic-regression heads on frozen mean-pooled sentence embeddings.

    Parameters
    ----------
    encoder : ``all-MiniLM-L6-v2`` (bundled), a local folder, or a cached hub id.
    dtype : ``auto`` (bf16 where the CPU has it), ``bfloat16`` or ``float32``.
    batch_size, max_length : texts per forward pass; tokens kept per text.
    device : ``auto``, ``cpu``, ``cuda``...
    cache_embeddings : keep embeddings on disk, keyed by text hash.
    C_frames, C_stance : inverse regularisation of the heads (chosen on the bundled
        dev split, see benchmarks/models.py).
    article_embedding : let the article-stance layer also read the article's mean
        embedding (:mod:`framing.models.article_stance`). Off by
        default: on the bundled corpus it gained a little in grouped cross-validation
        and lost on the held-out test split and the real articles (see the README).

    Examples
    --------
    >>> model = EncoderClassifier(encoder="all-MiniLM-L6-v2")  # doctest: +SKIP
    >>> model.fit(texts, frames, stances).predict(["ANKA drones built"])  # doctest: +SKIP
    """

    family = "encoder"
    later_settings: ClassVar[dict] = {"article_embedding": False}

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
        C_frames: float = 16.0,
        C_stance: float = 4.0,
        article_embedding: bool = False,
    ):
        super().__init__(codebook=codebook)
        self.encoder = encoder
        self.dtype = dtype
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.cache_embeddings = cache_embeddings
        self.C_frames = C_frames
        self.C_stance = C_stance
        self.article_embedding = article_embedding

    def _check_settings(self) -> None:
        super()._check_settings()
        self._check_encoder_settings()
        if self.C_frames <= 0 or self.C_stance <= 0:
            raise FramingError("C_frames and C_stance must be positive")

    def _fit(self, texts, Y, y):
        X = self.embed(texts)
        self.heads_ = LinearHeads(C_frames=self.C_frames, C_stance=self.C_stance)
        self.heads_.fit(X, Y, y, n_stances=len(self.stances_))

    def _predict_proba(self, texts):
        X = self.embed(texts)
        frames, stance = self.heads_.predict_proba(X)
        return (frames, stance, X) if self.article_embedding else (frames, stance)

    def _save(self, path: Path) -> None:
        save_file(self.heads_.to_arrays(), str(path / "weights.safetensors"))

    def _load(self, path: Path) -> None:
        self.heads_ = LinearHeads.from_arrays(read_arrays(path / "weights.safetensors"))
