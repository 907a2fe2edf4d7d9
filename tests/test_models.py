"""The shared suite every model family must pass (overfit, save, reload, agree)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from framing.data.codebook import load_codebook
from framing.errors import FramingError
from framing.models.base import FAMILIES, FramingClassifier, family_class
from tests.conftest import paragraph_data

# Settings that let each family overfit the tiny corpus quickly.
FAST = {
    "finetune": {
        "epochs": 60,
        "learning_rate": 4e-4,
        "batch_size": 4,
        "max_length": 48,
        "weight_decay": 0.0,
        "holdout": 0.0,
        "patience": 100,
    },
}
# bfloat16 matrix products differ slightly with the padding of a batch.
TOLERANCE = {"tfidf": 1e-9, "keywords": 1e-9, "finetune": 1e-5}


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def fitted(request):
    texts, frames, stances = paragraph_data()
    model = family_class(request.param)(codebook=load_codebook(), **FAST.get(request.param, {}))
    return model.fit(texts, frames, stances)


def test_overfits_tiny_corpus(fitted):
    texts, frames, stances = paragraph_data()
    if not fitted.learns_frames:
        pytest.skip(f"{fitted.family} is a fixed-rule baseline; it does not learn")
    predicted = fitted.predict(texts)
    assert [p.stance for p in predicted] == stances
    assert [sorted(p.frames) for p in predicted] == [sorted(f) for f in frames]


def test_save_load_predicts_identically(fitted, tmp_path, monkeypatch):
    texts, _, _ = paragraph_data()
    before = fitted.predict_proba(texts)
    fitted.save(tmp_path / "model")

    def refuse(*args, **kwargs):
        raise AssertionError("loading a model must never unpickle")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    loaded = FramingClassifier.load(tmp_path / "model")
    after = loaded.predict_proba(texts)
    np.testing.assert_array_equal(before.frames, after.frames)
    np.testing.assert_array_equal(before.stance, after.stance)
    assert loaded.predict(texts) == fitted.predict(texts)
    assert not [
        p
        for p in (tmp_path / "model").rglob("*")
        if p.suffix in {".pkl", ".pickle", ".joblib", ".bin"}
    ]


def test_batch_equals_one_by_one(fitted):
    texts, _, _ = paragraph_data()
    batch = fitted.predict_proba(texts)
    atol = TOLERANCE.get(fitted.family, 2e-3)
    for i, text in enumerate(texts):
        single = fitted.predict_proba([text])
        np.testing.assert_allclose(single.frames[0], batch.frames[i], atol=atol)
        np.testing.assert_allclose(single.stance[0], batch.stance[i], atol=atol)
    assert [fitted.predict([t])[0] for t in texts] == fitted.decide(batch)


def test_labels_are_codebook_ids(fitted, codebook):
    texts, _, _ = paragraph_data()
    scores = fitted.predict_proba(texts)
    assert fitted.frames_ == codebook.frame_ids
    assert fitted.stances_ == codebook.stance_ids
    assert scores.frames.shape == (len(texts), len(codebook.frame_ids))
    assert scores.stance.shape == (len(texts), len(codebook.stance_ids))
    np.testing.assert_allclose(scores.stance.sum(axis=1), 1.0, atol=1e-6)
    for labels in fitted.predict(texts):
        assert set(labels.frames) <= set(codebook.frame_ids)
        assert labels.stance in codebook.stance_ids


def test_empty_batch(fitted):
    scores = fitted.predict_proba([])
    assert scores.frames.shape[0] == 0 and scores.stance.shape[0] == 0


@pytest.mark.parametrize("family", ["tfidf", "encoder", "keywords"])
def test_fit_rejects_unknown_labels(family, codebook):
    model = family_class(family)(codebook=codebook, **FAST.get(family, {}))
    with pytest.raises(FramingError, match="did you mean 'business'"):
        model.fit(["a text", "another"], [["busines"], []], ["neutral", "neutral"])
    with pytest.raises(FramingError, match="stance 'positive' is not in codebook"):
        model.fit(["a text", "another"], [[], []], ["positive", "neutral"])
    with pytest.raises(FramingError, match="as many frame lists and stances as texts"):
        model.fit(["a text"], [[], []], ["neutral"])
    with pytest.raises(FramingError, match="list of texts, got a single string"):
        model.fit("a text", [[]], ["neutral"])


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_predict_before_fit_is_a_clear_error(family):
    with pytest.raises(FramingError, match="not fitted yet"):
        family_class(family)().predict(["text"])


def test_load_rejects_non_model_folder(tmp_path):
    with pytest.raises(FramingError, match="not a model directory"):
        FramingClassifier.load(tmp_path)


def test_unknown_family():
    with pytest.raises(FramingError, match="unknown model family 'bert'; expected one of"):
        family_class("bert")


def test_keyword_baseline_matches_cues_only(codebook):
    model = family_class("keywords")(codebook=codebook).fit(*paragraph_data())
    labels = model.predict(["They signed a memorandum.", "Homes were destroyed.", "Nothing."])
    assert [lab.frames for lab in labels] == [["partnership"], ["conflict_humanitarian"], []]
    assert {lab.stance for lab in labels} == {"neutral"}  # the majority label


def test_tuned_thresholds_maximise_f1(codebook):
    from framing.models.thresholds import best_threshold

    y = np.array([0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.35, 0.3, 0.6, 0.9])
    assert best_threshold(y, s) == pytest.approx(0.25)  # keeps all three positives
    assert best_threshold(np.zeros(3), s[:3], default=0.4) == 0.4


def test_zero_shot_works_without_labels(codebook):
    model = family_class("zeroshot")(codebook=codebook).fit()
    scores = model.predict_proba(
        [
            "Shelling destroyed homes and killed villagers; thousands fled the border area.",
            "The company signed a contract to export drones, a profitable sale for its owners.",
        ]
    )
    j = {f: i for i, f in enumerate(model.frames_)}
    assert scores.frames[0, j["conflict_humanitarian"]] > scores.frames[0, j["business"]]
    assert scores.frames[1, j["business"]] > scores.frames[1, j["conflict_humanitarian"]]
    texts, frames, _ = paragraph_data()
    before = model.thresholds_.copy()
    model.tune_thresholds(texts, frames)
    assert not np.array_equal(before, model.thresholds_)


def test_ensemble_averages_its_members(codebook):
    texts, frames, stances = paragraph_data()
    model = family_class("ensemble")(
        codebook=codebook, members=("tfidf", "keywords"), weights=(3, 1)
    ).fit(texts, frames, stances)
    tfidf, keywords = model.members_
    expected = (
        0.75 * tfidf.predict_proba(texts).frames + 0.25 * keywords.predict_proba(texts).frames
    )
    np.testing.assert_allclose(model.predict_proba(texts).frames, expected)
    with pytest.raises(FramingError, match="one weight per member"):
        family_class("ensemble")(members=("tfidf", "encoder"), weights=(1,))


def test_calibration_kept_only_when_it_lowers_ece():
    from framing.models.calibration import choose_calibration, ece

    rng = np.random.default_rng(0)
    n = 400
    Y = (rng.random((n, 2)) < 0.3).astype(int)
    # Column 0 is overconfident (pushed to 0/1), column 1 is already calibrated.
    true_p = np.where(Y == 1, 0.8, 0.1)
    P = np.column_stack([np.where(Y[:, 0] == 1, 0.99, 0.6), true_p[:, 1]])
    y = rng.integers(0, 3, n)
    S = np.full((n, 3), 1 / 3)
    groups = np.repeat(np.arange(40), 10)
    chosen = choose_calibration(Y, P, y, S, groups)
    report = chosen["report"]
    assert report["frames_ece_calibrated_cv"] < report["frames_ece_raw"]
    assert chosen["frames"] is not None
    assert chosen["stance_temperature"] is None  # uniform scores: nothing to gain
    assert ece(np.array([1, 0]), np.array([1.0, 0.0])) == 0.0


def test_learned_boilerplate_detector_flags_what_the_heuristic_misses(tmp_path):
    from framing.data.corpus import Article
    from framing.data.segment import Paragraph, is_boilerplate
    from framing.models.article import ArticleClassifier
    from framing.models.boilerplate import BoilerplateDetector

    furniture = [f"Listen to this story, {n} minutes" for n in range(2, 14)] + [
        f"Audio version available, {n} min" for n in range(2, 14)
    ]
    content = [
        f"The ministry confirmed the delivery of {n} armoured vehicles to the border"
        " guard on Monday."
        for n in range(2, 26)
    ]
    detector = BoilerplateDetector().fit(
        furniture + content, [True] * len(furniture) + [False] * len(content)
    )
    new = "Listen to this story, 25 minutes"
    assert not is_boilerplate(new)  # the heuristic does not know this furniture
    assert detector.predict(
        [new, "The ministry confirmed the delivery of 40 armoured vehicles."]
    ).tolist() == [
        True,
        False,
    ]
    model = family_class("tfidf")(codebook=load_codebook()).fit(*paragraph_data())
    model.boilerplate_ = detector
    model.save(tmp_path / "m")
    loaded = FramingClassifier.load(tmp_path / "m")
    body = "The ministry confirmed the delivery of 12 armoured vehicles to the border guard."
    article = Article("x", [Paragraph(new), Paragraph(body)])
    record = ArticleClassifier(loaded).predict([article], paragraphs=True)[0]
    assert [p["boilerplate"] for p in record["paragraphs"]] == [True, False]
    assert article.paragraphs[0].boilerplate is False  # the input is not modified
