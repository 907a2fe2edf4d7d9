"""Training runs: config files, thresholds, calibration notes, model cards."""

from __future__ import annotations

import pytest

from framing.errors import FramingError
from framing.models.base import FramingClassifier
from framing.train.config import load_config
from framing.train.train import train


def test_train_saves_config_and_card(tiny_folder, tmp_path):
    result = train(
        tiny_folder, tmp_path / "m", family="tfidf", settings={"C_frames": 8.0}, log=lambda m: None
    )
    config = load_config(tmp_path / "m" / "train.toml")
    assert config.family == "tfidf" and config.settings["C_frames"] == 8.0
    assert config.settings["word_ngram_max"] == 2  # defaults are written out too
    card = (tmp_path / "m" / "README.md").read_text()
    for needle in (
        "family: `tfidf`",
        "codebook: turkey-central-asia-defence version 2",
        "| train | 6 | 15 |",
        "| test |",
        "trained:",
        "calibration on the dev split",
    ):
        assert needle in card
    again = train(
        tiny_folder,
        tmp_path / "m2",
        family=config.family,
        settings=config.settings,
        seed=config.seed,
        log=lambda m: None,
    )
    texts = ["Kazakhstan signed a drone contract.", "Villages were destroyed."]
    a = result.model.predict_proba(texts).frames
    b = FramingClassifier.load(again.path).predict_proba(texts).frames
    assert (a == b).all()  # the saved config retrains the same model


def test_config_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('family = "bert"\n')
    with pytest.raises(FramingError, match="unknown model family 'bert'"):
        load_config(bad)
    bad.write_text('family = "tfidf"\nepochs = 3\n')
    with pytest.raises(FramingError, match="unknown key 'epochs'; expected family, seed"):
        load_config(bad)
    bad.write_text("family = \n")
    with pytest.raises(FramingError, match="not valid TOML"):
        load_config(bad)


def test_train_refuses_to_overwrite_other_folders(tiny_folder, tmp_path):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "notes.txt").write_text("keep me")
    with pytest.raises(FramingError, match="not a model directory; choose a new --out"):
        train(tiny_folder, tmp_path / "precious", log=lambda m: None)
    assert (tmp_path / "precious" / "notes.txt").read_text() == "keep me"


def test_unknown_setting_is_a_clear_error(tiny_folder, tmp_path):
    with pytest.raises(FramingError, match="unknown setting 'C' for model family 'tfidf'"):
        train(tiny_folder, tmp_path / "m", settings={"C": 1.0}, log=lambda m: None)
