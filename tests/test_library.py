"""What the commands do, called as library functions (no CLI): choosing the held-out data,
evaluation, comparison, cross-validation and their files, training configurations."""

from __future__ import annotations

import json

import pytest

from framing.data.heldout import load_heldout
from framing.errors import FramingError
from framing.eval.compare import compare_heldout, write_comparison
from framing.eval.evaluate import evaluate_heldout
from framing.models.base import make_model
from framing.train.config import TrainConfig, resolve_config
from framing.train.crossval import cross_validate_corpus, format_cv, write_cv


@pytest.fixture(scope="module")
def two_models(paragraph_data):
    return (
        make_model("keywords").fit(*paragraph_data()),
        make_model("tfidf").fit(*paragraph_data()),
    )


def test_load_heldout_names_what_it_loaded(tiny_folder, codebook):
    articles, label = load_heldout(tiny_folder, "test", codebook)
    assert label == "corpus/test.jsonl" and [a.id for a in articles] == ["a3-test", "a4-test"]
    with pytest.raises(FramingError, match="no validation split; found train, dev, test"):
        load_heldout(tiny_folder, "validation", codebook)
    articles, label = load_heldout(tiny_folder / "dev.jsonl", "ignored", codebook)
    assert len(articles) == 2 and label.endswith("dev.jsonl")


def test_evaluate_and_compare_heldout(tiny_folder, two_models, tmp_path):
    keywords, tfidf = two_models
    metrics = evaluate_heldout(tfidf, tiny_folder, "dev", n_boot=50)
    assert metrics["data"] == "corpus/dev.jsonl" and metrics["n_articles"] == 2
    result = compare_heldout(keywords, tfidf, tiny_folder, "dev", n_boot=50)
    assert result["data"] == "corpus/dev.jsonl" and result["n_articles"] == 2
    row = result["paragraph"]["frames.micro_f1"]
    assert row["a"] == pytest.approx(
        evaluate_heldout(keywords, tiny_folder, "dev", n_boot=0)["paragraph"]["frames"]["micro_f1"]
    )
    assert row["b"] == pytest.approx(metrics["paragraph"]["frames"]["micro_f1"])
    path = write_comparison(result, tmp_path / "cmp")
    assert json.loads(path.read_text())["paragraph"]["frames.micro_f1"] == row


def test_cross_validation_writes_its_files(tiny_folder, tmp_path):
    result = cross_validate_corpus(
        tiny_folder, TrainConfig(family="tfidf"), k=2, learning_curve=False
    )
    assert result["n_articles"] == 10 and [f["n_test_articles"] for f in result["folds"]] == [
        5,
        5,
    ]
    assert "learning_curve" not in result
    assert "tfidf: 2-fold cross-validation over 10 articles" in format_cv(result)
    paths = write_cv(result, tmp_path / "cv")
    assert {p.name for p in paths} == {"metrics.json", "summary.md", "report.html", "cv.json"}
    saved = json.loads((tmp_path / "cv" / "cv.json").read_text())
    assert "pooled" not in saved and saved["folds"] == result["folds"]


def test_resolve_config(tmp_path):
    toml = tmp_path / "run.toml"
    toml.write_text('family = "encoder"\nseed = 3\n[settings]\nC_frames = 2.0\n')
    assert resolve_config(toml, seed=5) == TrainConfig("encoder", 5, {"C_frames": 2.0})
    assert resolve_config(family="keywords") == TrainConfig("keywords", 0, {})
    with pytest.raises(FramingError, match="--model tfidf conflicts with family 'encoder'"):
        resolve_config(toml, family="tfidf")
