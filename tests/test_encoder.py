"""The frozen encoder: precision choice, pooling, and the on-disk embedding cache."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from framing.models import transformer as encoder_module
from framing.models.transformer import EmbeddingCache, Encoder, pick_dtype


def test_dtype_falls_back_to_float32_without_bf16(monkeypatch):
    monkeypatch.setattr(encoder_module, "cpu_has_bf16", lambda: False)
    assert pick_dtype("auto", "cpu") is torch.float32
    monkeypatch.setattr(encoder_module, "cpu_has_bf16", lambda: True)
    assert pick_dtype("auto", "cpu") is torch.bfloat16
    assert pick_dtype("float32", "cpu") is torch.float32


def test_embeddings_are_normalised_and_bf16_close_to_fp32():
    texts = ["Kazakhstan will build ANKA drones.", "Homes were destroyed in the clashes.", "Short."]
    fp32 = Encoder(dtype="float32").encode(texts)
    bf16 = Encoder(dtype="bfloat16").encode(texts)
    np.testing.assert_allclose(np.linalg.norm(fp32, axis=1), 1.0, atol=1e-5)
    assert (fp32 * bf16).sum(axis=1).min() > 0.99


def test_cache_avoids_re_encoding(tmp_path, monkeypatch):
    texts = [
        "Turkmenistan's corvette was built in Turkey.",
        "A second paragraph.",
        "A second paragraph.",
    ]
    first = Encoder(dtype="float32", cache=tmp_path / "cache")
    vectors = first.encode(texts)
    assert len(list((tmp_path / "cache").glob("*.safetensors"))) == 1
    again = Encoder(dtype="float32", cache=tmp_path / "cache")

    def no_forward(texts):
        raise AssertionError(f"re-encoded {len(texts)} texts that were cached")

    monkeypatch.setattr(again, "forward", no_forward)
    np.testing.assert_array_equal(again.encode(texts), vectors)
    # Another precision is another cache key: it must encode.
    other = Encoder(dtype="bfloat16", cache=tmp_path / "cache")
    monkeypatch.setattr(other, "forward", no_forward)
    with pytest.raises(AssertionError, match="re-encoded 2 texts"):
        other.encode(texts)


def test_broken_cache_shard_is_ignored(tmp_path):
    cache = EmbeddingCache(tmp_path)
    cache.put([b"k" * 32], np.ones((1, 4)))
    (tmp_path / "broken.safetensors").write_bytes(b"not safetensors")
    fresh = EmbeddingCache(tmp_path)
    assert fresh.get([b"k" * 32])[0].tolist() == [1.0] * 4


def test_unknown_encoder_is_a_clear_error(tmp_path):
    from framing.errors import FramingError

    with pytest.raises(FramingError, match="cannot load encoder"):
        Encoder(str(tmp_path / "no-such-model"))


def test_long_texts_are_read_whole_in_windows():
    encoder = Encoder(dtype="float32", max_length=16)
    head = "The ministry published a statement about the schedule of the meeting."
    tail = "Shelling destroyed homes and killed villagers; thousands fled the border."
    long_text = f"{head} {head} {tail}"
    assert len(encoder.tokenizer(long_text)["input_ids"]) > 16
    whole, start, end = encoder.forward([long_text, head, tail])
    truncated = Encoder(dtype="float32", max_length=16)
    truncated.max_length = 512  # the reference: only the first 16 tokens, read plainly
    first = truncated.forward(
        [
            encoder.tokenizer.decode(
                encoder.tokenizer(long_text, truncation=True, max_length=16)["input_ids"][1:-1]
            )
        ]
    )[0]
    # The end of the text counts: the windowed embedding is closer to it than the cut one.
    assert whole @ end > first @ end + 0.05
    np.testing.assert_allclose(np.linalg.norm(whole), 1.0, atol=1e-5)
