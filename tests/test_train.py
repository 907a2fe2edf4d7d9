"""Training runs: config files, thresholds, calibration notes, model cards."""

from __future__ import annotations

import pytest

from framing.errors import FramingError
from framing.models.base import FramingClassifier
from framing.train.config import load_config
from framing.train.train import train


def test_train_saves_config_and_card(tiny_folder, tmp_path):
    result = train(tiny_folder, tmp_path / "m", family="tfidf", settings={"C_frames": 8.0})
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
    bad.write_text('seed = "seven"\n')
    with pytest.raises(FramingError, match="seed must be an integer, got str"):
        load_config(bad)
    bad.write_text("settings = 3\n")
    with pytest.raises(FramingError, match="settings must be a \\[settings\\] table"):
        load_config(bad)


def test_train_refuses_to_overwrite_other_folders(tiny_folder, tmp_path):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "notes.txt").write_text("keep me")
    with pytest.raises(FramingError, match="not a framing model directory; nothing was written"):
        train(tiny_folder, tmp_path / "precious")
    assert (tmp_path / "precious" / "notes.txt").read_text() == "keep me"


def test_unknown_setting_is_a_clear_error(tiny_folder, tmp_path):
    with pytest.raises(FramingError, match="unknown setting 'C' for model family 'tfidf'"):
        train(tiny_folder, tmp_path / "m", settings={"C": 1.0})


@pytest.mark.parametrize(
    ("family", "settings"),
    [("tfidf", {}), ("encoder", {}), ("encoder", {"article_embedding": True})],
)
def test_article_stance_layer_learns_what_the_mean_misses(tmp_path, family, settings):
    """Favourable articles made mostly of neutral reporting: the word-weighted mean says
    neutral, the learned article layer says favourable. With ``article_embedding`` the
    encoder's layer also reads the article's mean embedding, and keeps doing so after a
    save and load."""
    from framing.data.corpus import Article
    from framing.data.segment import Paragraph
    from framing.models.article import ArticleClassifier
    from framing.models.base import make_model
    from framing.train.fit import fit_and_tune

    neutral = [
        "The ministry said the delegation arrived on Tuesday for talks.",
        "Officials met in the capital and discussed the schedule.",
        "The meeting lasted two hours, according to a statement.",
    ]
    tone = {
        "favorable": "A triumph: the drones are a superb, welcome success for the army.",
        "critical": "A disaster: the drones are a dangerous, reckless blunder for everyone.",
    }

    def article(i, stance):
        texts = [*neutral[: 2 + i % 2]]
        if stance != "neutral":
            texts.insert(i % 2, tone[stance])
        paragraphs = [
            Paragraph(t, False, [], stance if t in tone.values() else "neutral") for t in texts
        ]
        return Article(f"{stance}-{i}", paragraphs, stance, [], None, {"origin": "authored"})

    train = [article(i, s) for i in range(8) for s in ("favorable", "critical", "neutral")]
    model = make_model(family, **settings)
    notes = fit_and_tune(model, train, None)
    assert any("logistic layer" in n and "out-of-fold" in n for n in notes)
    embeds = bool(settings)
    assert model.article_stance_.uses_vectors == embeds
    assert any("mean embedding" in n for n in notes) == embeds
    new = [article(i, s) for i in (20, 21) for s in ("favorable", "critical", "neutral")]
    for a in new:
        for p in a.paragraphs:
            p.frames = p.stance = None
    stances = [p["stance"] for p in ArticleClassifier(model).predict(new)]
    assert stances == ["favorable", "critical", "neutral"] * 2
    model.save(tmp_path / "m")
    reloaded = FramingClassifier.load(tmp_path / "m")
    assert reloaded.article_stance_.uses_vectors == embeds
    assert [p["stance"] for p in ArticleClassifier(reloaded).predict(new)] == stances
    model.article_stance_ = None  # the plain mean would call the favourable ones neutral
    assert [p["stance"] for p in ArticleClassifier(model).predict(new)][0] == "neutral"
