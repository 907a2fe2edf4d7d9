"""Tiny literal corpora shared by the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from framing.data.codebook import load_codebook

# The suite runs in one process per core (pytest-xdist): each keeps to one thread, so
# torch and BLAS do not fight over the cores (set before either is imported).
if os.environ.get("PYTEST_XDIST_WORKER"):
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")

# Keep the tests' default models and embedding caches out of the user's cache folder.
os.environ["FRAMING_CACHE"] = tempfile.mkdtemp(prefix="framing-tests-")

# Each frame gets its own vocabulary so that a model can overfit these quickly.
TINY = [
    (
        "a1",
        "favorable",
        [
            (
                "Kazakhstan signed a contract for drones, a profitable export deal for Baykar.",
                ["business"],
                "favorable",
            ),
            (
                "The Turkic brotherhood and shared heritage bind Ankara and Astana.",
                ["turkic_solidarity"],
                "favorable",
            ),
            ("Photo: press service", [], "neutral", True),
        ],
    ),
    (
        "a2",
        "critical",
        [
            (
                "Villages were destroyed and dozens killed when the drones struck homes.",
                ["conflict_humanitarian"],
                "critical",
            ),
            (
                "Moscow sees its backyard slip as NATO member Turkey gains a sphere of influence.",
                ["influence_competition"],
                "critical",
            ),
        ],
    ),
    (
        "a3",
        "neutral",
        [
            (
                "Defence ministers signed a memorandum on joint exercises and training.",
                ["partnership"],
                "neutral",
            ),
            (
                "Border protection against terrorism from Afghanistan is the stated need.",
                ["regional_security"],
                "neutral",
            ),
            ("The weather in the capital was mild on Tuesday.", [], "neutral"),
        ],
    ),
    (
        "a4",
        "favorable",
        [
            (
                "The drones proved a game-changer, precise and effective in Karabakh.",
                ["military_effectiveness"],
                "favorable",
            ),
            (
                "Bishkek wants to diversify suppliers and cut dependence on Russia, a multi-vector"
                " hedge.",
                ["counterbalancing"],
                "favorable",
            ),
        ],
    ),
    (
        "a5",
        "critical",
        [
            (
                "Ankara is in a tight spot; it must tread carefully as protests upset Dushanbe.",
                ["diplomatic_risk"],
                "critical",
            ),
            (
                "Casualties mounted and thousands were displaced by the escalation.",
                ["conflict_humanitarian"],
                "critical",
            ),
            ("Related News", [], "neutral", True),
        ],
    ),
    (
        "a6",
        "neutral",
        [
            (
                "A new export contract and sale worth millions was announced by the company.",
                ["business"],
                "neutral",
            ),
            (
                "Officials discussed cooperation and a partnership agreement during the visit.",
                ["partnership"],
                "neutral",
            ),
        ],
    ),
]


def _tiny_records(articles=TINY) -> list[dict]:
    records = []
    for article_id, stance, paragraphs in articles:
        paras = []
        for item in paragraphs:
            text, frames, p_stance, *rest = item
            paras.append(
                {
                    "text": text,
                    "frames": frames,
                    "stance": p_stance,
                    "boilerplate": bool(rest and rest[0]),
                }
            )
        records.append(
            {
                "id": article_id,
                "title": f"Article {article_id}",
                "source": "tests",
                "date": "2022-05-01",
                "language": "en",
                "origin": "authored",
                "paragraphs": paras,
                "stance": stance,
            }
        )
    return records


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def codebook():
    return load_codebook()


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """A labeled JSONL file with the six tiny articles."""
    return _write_jsonl(tmp_path / "tiny.jsonl", _tiny_records())


@pytest.fixture
def tiny_folder(tmp_path) -> Path:
    """A corpus folder: train holds all tiny articles, dev and test two of them each."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = _tiny_records()
    _write_jsonl(folder / "train.jsonl", records)
    _write_jsonl(folder / "dev.jsonl", [dict(r, id=r["id"] + "-dev") for r in records[:2]])
    _write_jsonl(folder / "test.jsonl", [dict(r, id=r["id"] + "-test") for r in records[2:4]])
    return folder


def _paragraph_data(records=None):
    """(texts, frames, stances) of every paragraph in the tiny corpus."""
    texts, frames, stances = [], [], []
    for r in records or _tiny_records():
        for p in r["paragraphs"]:
            texts.append(p["text"])
            frames.append(p["frames"])
            stances.append(p["stance"])
    return texts, frames, stances


@pytest.fixture(scope="session")
def tiny_records():
    """Builds fresh labeled records of the six tiny articles: ``tiny_records()``."""
    return _tiny_records


@pytest.fixture(scope="session")
def write_jsonl():
    """Writes records as JSONL: ``write_jsonl(path, records) -> path``."""
    return _write_jsonl


@pytest.fixture(scope="session")
def paragraph_data():
    """``paragraph_data()``: (texts, frames, stances) of every tiny paragraph."""
    return _paragraph_data


@pytest.fixture(scope="session")
def tiny_transformer(tmp_path_factory) -> Path:
    """A two-layer BERT (hidden size 128) with random weights and MiniLM's tokenizer, saved
    as a model folder (safetensors): fine-tuning tests run on it in seconds."""
    from transformers import AutoTokenizer, BertConfig, BertModel, set_seed

    from framing.models.transformer import resolve_encoder

    folder = tmp_path_factory.mktemp("tiny-transformer")
    tokenizer = AutoTokenizer.from_pretrained(resolve_encoder("all-MiniLM-L6-v2"))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=256,
        max_position_embeddings=128,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    set_seed(0)  # the same random weights in every run
    BertModel(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def _run_cli(*args, stdin=None, env=None, cwd=None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "framing", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=not isinstance(stdin, bytes),
        env=environment,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="session")
def cli():
    """Runs ``framing ARGS...`` in a real process: ``cli("classify", path, stdin=...)``."""
    return _run_cli


@pytest.fixture(scope="session")
def tfidf_model_dir(tmp_path_factory) -> Path:
    """A tfidf model trained on the tiny corpus and saved (through the library)."""
    from framing.models.base import make_model

    folder = tmp_path_factory.mktemp("tfidf") / "model"
    model = make_model("tfidf", codebook=load_codebook()).fit(*_paragraph_data())
    model.language_ = "en"
    return model.save(folder)
