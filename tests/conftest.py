"""Tiny literal corpora shared by the tests."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from framing.data.codebook import load_codebook

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


def tiny_records(articles=TINY) -> list[dict]:
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


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def codebook():
    return load_codebook()


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """A labeled JSONL file with the six tiny articles."""
    return write_jsonl(tmp_path / "tiny.jsonl", tiny_records())


@pytest.fixture
def tiny_folder(tmp_path) -> Path:
    """A corpus folder: train holds all tiny articles, dev and test two of them each."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = tiny_records()
    write_jsonl(folder / "train.jsonl", records)
    write_jsonl(folder / "dev.jsonl", [dict(r, id=r["id"] + "-dev") for r in records[:2]])
    write_jsonl(folder / "test.jsonl", [dict(r, id=r["id"] + "-test") for r in records[2:4]])
    return folder


def paragraph_data(records=None):
    """(texts, frames, stances) of every paragraph in the tiny corpus."""
    texts, frames, stances = [], [], []
    for r in records or tiny_records():
        for p in r["paragraphs"]:
            texts.append(p["text"])
            frames.append(p["frames"])
            stances.append(p["stance"])
    return texts, frames, stances
