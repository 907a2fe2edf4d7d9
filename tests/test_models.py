"""The shared suite every model family must pass (overfit, save, reload, agree)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import f1_score

from framing.data.codebook import load_codebook
from framing.errors import FramingError
from framing.models.base import FAMILIES, FramingClassifier, family_class, make_model

# Settings that let each family overfit the tiny corpus quickly (the fine-tuned family
# runs on the tiny random transformer of conftest.py).
FAST = {
    "finetune": {
        "epochs": 150,
        "learning_rate": 2e-3,
        "batch_size": 4,
        "max_length": 48,
        "weight_decay": 0.0,
        "warmup_ratio": 0.0,
        "holdout": 0.0,
        "patience": 100,
    },
}
# A randomly initialised transformer learns the tiny corpus's frames only in part within
# a few seconds (0.86 micro-F1 on these paragraphs; untrained, 0.18); the others fit it
# exactly.
MIN_TRAIN_FRAMES_F1 = {"finetune": 0.7}
# The transformer families run in bfloat16 where the CPU has it: its matrix products
# differ slightly with the padding of a batch.
TOLERANCE = {"tfidf": 1e-9, "keywords": 1e-9}


def fast_settings(family: str, request) -> dict:
    settings = dict(FAST.get(family, {}))
    if family == "finetune":
        settings["encoder"] = str(request.getfixturevalue("tiny_transformer"))
    return settings


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def fitted(request, paragraph_data):
    texts, frames, stances = paragraph_data()
    model = make_model(
        request.param, codebook=load_codebook(), **fast_settings(request.param, request)
    )
    return model.fit(texts, frames, stances)


def test_overfits_tiny_corpus(fitted, paragraph_data):
    texts, frames, stances = paragraph_data()
    if not fitted.learns_frames:
        pytest.skip(f"{fitted.family} is a fixed-rule baseline; it does not learn")
    predicted = fitted.predict(texts)
    assert [p.stance for p in predicted] == stances
    if fitted.family in MIN_TRAIN_FRAMES_F1:
        gold = fitted.encode_frames(frames)
        found = fitted.encode_frames([p.frames for p in predicted])
        f1 = f1_score(gold, found, average="micro")
        assert f1 >= MIN_TRAIN_FRAMES_F1[fitted.family], f"frames micro-F1 {f1:.2f}"
    else:
        assert [sorted(p.frames) for p in predicted] == [sorted(f) for f in frames]


def test_save_load_predicts_identically(fitted, tmp_path, monkeypatch, paragraph_data):
    texts, _, _ = paragraph_data()
    before = fitted.predict_proba(texts)
    fitted.save(tmp_path / "model")

    def refuse(*args, **kwargs):
        raise AssertionError("loading a model must never unpickle")

    import joblib
    import torch

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(joblib, "load", refuse)
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


def test_batch_equals_one_by_one(fitted, paragraph_data):
    texts, _, _ = paragraph_data()
    batch = fitted.predict_proba(texts)
    atol = TOLERANCE.get(fitted.family, 2e-3)
    for i, text in enumerate(texts):
        single = fitted.predict_proba([text])
        np.testing.assert_allclose(single.frames[0], batch.frames[i], atol=atol)
        np.testing.assert_allclose(single.stance[0], batch.stance[i], atol=atol)
    assert [fitted.predict([t])[0] for t in texts] == fitted.decide(batch)


def test_labels_are_codebook_ids(fitted, codebook, paragraph_data):
    texts, _, _ = paragraph_data()
    scores = fitted.predict_proba(texts)
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
    model = family_class(family)(codebook=codebook)
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


def test_keyword_baseline_matches_cues_only(codebook, paragraph_data):
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


def test_zero_shot_works_without_labels(codebook, paragraph_data):
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


def test_ensemble_averages_its_members(codebook, paragraph_data):
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
        family_class("ensemble")(members=("tfidf", "encoder"), weights=(1,)).fit(
            texts, frames, stances
        )


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


def test_learned_boilerplate_detector_flags_what_the_heuristic_misses(tmp_path, paragraph_data):
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


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_sklearn_clone_and_params(family, codebook):
    """__init__ only stores settings: get_params, set_params and clone round-trip them."""
    model = make_model(family, codebook=codebook)
    params = model.get_params()
    assert set(params) == {"codebook", *model.setting_names()}
    twin = clone(model)
    assert twin is not model and twin.get_params().keys() == params.keys()
    assert (
        all(twin.get_params()[k] == v for k, v in params.items() if k != "codebook")
        and twin.codebook.frame_ids == codebook.frame_ids
    )
    assert not hasattr(twin, "thresholds_")


def test_settings_are_checked_in_fit_not_init(paragraph_data):
    model = family_class("tfidf")(C_frames=-1.0, word_ngram_max="two")  # stored, not checked
    assert model.get_params()["C_frames"] == -1.0
    with pytest.raises(FramingError, match="setting 'word_ngram_max' .* must be int, got str"):
        model.fit(*paragraph_data())
    with pytest.raises(FramingError, match="C_frames and C_stance must be positive"):
        model.set_params(word_ngram_max=2).fit(*paragraph_data())
    with pytest.raises(FramingError, match="unknown setting 'C' for model family 'tfidf'"):
        make_model("tfidf", C=1.0)


def test_damaged_model_config_is_one_clear_line(tmp_path, paragraph_data):
    import json

    folder = (
        family_class("tfidf")(codebook=load_codebook()).fit(*paragraph_data()).save(tmp_path / "m")
    )
    good = json.loads((folder / "config.json").read_text())

    def with_config(change):
        config = json.loads(json.dumps(good))
        change(config)
        (folder / "config.json").write_text(json.dumps(config))

    cases = [
        (lambda c: c["settings"].update(C=1.0), "unknown setting 'C'"),
        (lambda c: c["settings"].pop("min_df"), "setting 'min_df' is missing"),
        (lambda c: c["settings"].update(min_df="x"), "setting 'min_df' .* must be int"),
        (lambda c: c.pop("thresholds"), "key 'thresholds' is missing"),
        (lambda c: c.update(settings=[1, 2]), "key 'settings' has the wrong type"),
        (lambda c: c.update(thresholds=[0.5]), "one number per frame"),
        (lambda c: c.update(article_stance={"C": 1.0}), "article_stance: key 'n_stances'"),
    ]
    for change, message in cases:
        with_config(change)
        with pytest.raises(FramingError, match=f"config.json: .*{message}"):
            FramingClassifier.load(folder)
    (folder / "config.json").write_text("[1, 2]")
    with pytest.raises(FramingError, match="expected a JSON object, got list"):
        FramingClassifier.load(folder)


def test_learned_detector_never_erases_a_whole_article(tmp_path, paragraph_data):
    """A text the detector alone takes for furniture is still scored when it is all there is:
    a headline on its own is what the user asked about."""
    from framing.data.corpus import Article
    from framing.data.segment import Paragraph
    from framing.models.article import ArticleClassifier
    from framing.models.boilerplate import BoilerplateDetector

    model = family_class("tfidf")(codebook=load_codebook()).fit(*paragraph_data())
    short = [f"Kazakhstan signs drone deal number {n}" for n in range(12)]
    long = [
        f"A long paragraph of content number {n} " + "about deliveries " * 20 for n in range(12)
    ]
    # A detector trained where every short text is furniture: it flags the headline.
    model.boilerplate_ = BoilerplateDetector().fit(short + long, [True] * 12 + [False] * 12)
    headline = "Kazakhstan signs drone deal with Turkish maker"
    assert model.boilerplate_.predict([headline]).tolist() == [True]
    alone = ArticleClassifier(model).predict([Article("h", [Paragraph(headline)])])[0]
    assert alone["paragraphs_scored"] == 1 and "warnings" not in alone
    assert max(alone["frame_scores"].values()) > 0
    # Beside content, the detector's flag stands.
    body = Paragraph(long[0])
    mixed = ArticleClassifier(model).predict([Article("m", [Paragraph(headline), body])])[0]
    assert mixed["paragraphs_scored"] == 1


def test_detector_has_no_length_feature():
    """The same words flagged alone and padded with more of the same: no length signal."""
    from framing.models.boilerplate import BoilerplateDetector

    furniture = [f"Subscribe to our newsletter today {n}" for n in range(12)]
    content = [f"The army received drones from Turkey in batch {n}" for n in range(12)]
    detector = BoilerplateDetector().fit(furniture + content, [True] * 12 + [False] * 12)
    text = "The army received drones from Turkey"
    assert detector.predict([text, f"{text}. {text}. {text}. {text}."]).tolist() == [False] * 2
    assert detector.model_.coef_.shape[1] % 2 == 0  # hashed words and characters only


def test_title_is_scored_as_content(paragraph_data):
    from framing.data.corpus import Article
    from framing.data.segment import Paragraph
    from framing.models.article import ArticleClassifier

    model = family_class("keywords")(codebook=load_codebook()).fit(*paragraph_data())
    body = Paragraph("The weather in the capital was mild on Tuesday, officials said.")
    title = "Turkey and Kazakhstan sign a memorandum on joint exercises and cooperation"
    bare = ArticleClassifier(model).predict([Article("a", [body])], paragraphs=True)[0]
    titled = ArticleClassifier(model).predict(
        [Article("a", [body], meta={"title": title})], paragraphs=True
    )[0]
    assert "partnership" not in bare["frames"]
    assert "partnership" in titled["frames"]
    assert titled["evidence"]["partnership"] == ["title"]
    assert titled["title_scored"] is True and titled["paragraphs_scored"] == 1
    assert [p["index"] for p in titled["paragraphs"]] == [0]
    assert titled["title_labels"]["index"] == "title"
    assert "partnership" in titled["title_labels"]["frames"]


def test_ensemble_member_weights_chosen_on_held_out_data(tmp_path, codebook):
    """Training chooses the weights on held-out articles, separately for frames and stance,
    on the 0.1 grid; they are saved and used after loading; a damaged file is one error."""
    from framing.data.splits import bundled_corpus_dir, load_splits
    from framing.models.ensemble import WEIGHTS_FILE
    from framing.train.fit import fit_and_tune

    train = load_splits(bundled_corpus_dir(), codebook)["train"][:40]
    model = family_class("ensemble")(codebook=codebook, members=("tfidf", "keywords"))
    notes = fit_and_tune(model, train, None, seed=0)
    weights = model.member_weights_
    assert any("member weights" in n and "stance" in n and "log loss" in n for n in notes)
    for part in ("frames", "stance"):
        assert len(weights[part]) == 2 and abs(sum(weights[part]) - 1) < 1e-9
        assert all(abs(10 * w - round(10 * w)) < 1e-9 for w in weights[part])
    # the learned member is worth more than the cue list for frames
    assert weights["frames"][0] >= weights["frames"][1]
    model.save(tmp_path / "m")
    loaded = FramingClassifier.load(tmp_path / "m")
    texts = [p.text for a in train[:3] for p in a.paragraphs]
    np.testing.assert_allclose(
        loaded.predict_proba(texts).frames, model.predict_proba(texts).frames
    )
    parts = model.member_scores(texts)
    w = np.asarray(weights["stance"])
    np.testing.assert_allclose(
        model.predict_proba(texts).stance,
        w[0] * parts[0].stance + w[1] * parts[1].stance,
        rtol=1e-6,
        atol=1e-9,
    ) if model.calibration_ is None or model.calibration_.get(
        "stance_temperature"
    ) is None else None
    (tmp_path / "m" / WEIGHTS_FILE).write_text('{"frames": [1]}')
    with pytest.raises(FramingError, match="member_weights.json"):
        FramingClassifier.load(tmp_path / "m")


def test_finetune_refit_params_after_early_stopping(tiny_transformer, paragraph_data):
    """A fit that evaluated on held-out rows says how to refit on all of them: the best epoch
    count and no hold-out; a fit with no hold-out trains exactly the epochs asked."""
    texts, frames, stances = paragraph_data()
    model = make_model(
        "finetune",
        codebook=load_codebook(),
        encoder=str(tiny_transformer),
        epochs=4,
        batch_size=8,
        max_length=32,
        patience=10,
    )
    model.fit(texts, frames, stances, eval_set=(texts[:6], frames[:6], stances[:6]))
    again = model.refit_params()
    assert again["holdout"] == 0.0 and 1 <= again["epochs"] <= 4
    assert again["epochs"] == model.best_epoch_ and again["warm_start"] is True
    model.set_params(**again).fit(texts, frames, stances)
    assert model.refit_params() == {}  # nothing held out, nothing chosen
    trained = model.network_.get_input_embeddings().weight
    assert not trained.requires_grad  # the word embeddings stayed frozen


def test_finetune_warm_start_keeps_and_averages_networks(
    tmp_path, tiny_transformer, paragraph_data
):
    """A warm-started refit keeps the first network beside the new one (trained with the
    next seed); predictions are the mean of both, and both survive save and load."""
    texts, frames, stances = paragraph_data()
    settings = {
        "encoder": str(tiny_transformer),
        "batch_size": 8,
        "max_length": 32,
        "learning_rate": 2e-3,
        "warmup_ratio": 0.0,
    }
    model = make_model("finetune", codebook=load_codebook(), epochs=6, patience=10, **settings)
    model.fit(texts, frames, stances, eval_set=(texts[:6], frames[:6], stances[:6]))
    alone = model.predict_proba(texts)
    model.set_params(**model.refit_params()).fit(texts, frames, stances)
    assert len(model.networks_) == 2
    both = model.predict_proba(texts)
    # the second network alone, as a plain fit with the next seed would give it
    second = make_model(
        "finetune",
        codebook=load_codebook(),
        epochs=model.epochs,
        holdout=0.0,
        seed=1,
        **settings,
    ).fit(texts, frames, stances)
    mean = (alone.stance + second.predict_proba(texts).stance) / 2
    # bfloat16 products differ a little between runs: the mean is matched far more closely
    # than the first network alone
    assert np.abs(both.stance - mean).max() * 5 < np.abs(both.stance - alone.stance).max()
    model.save(tmp_path / "m")
    assert (tmp_path / "m" / "transformer-1" / "model.safetensors").is_file()
    loaded = FramingClassifier.load(tmp_path / "m")
    assert len(loaded.networks_) == 2
    np.testing.assert_allclose(loaded.predict_proba(texts).stance, both.stance, atol=0.03)
    (tmp_path / "m" / "networks.json").write_text('{"networks": "two"}')
    with pytest.raises(FramingError, match="networks.json"):
        FramingClassifier.load(tmp_path / "m")


def test_article_stance_layer_of_earlier_versions_still_loads():
    """A layer saved before the article's representation was added (nine features, no
    scaling) predicts as it was trained; a layer whose arrays do not fit its layout is a
    one-line error."""
    from sklearn.linear_model import LogisticRegression

    from framing.models.article_stance import ArticleStanceHead, article_features

    rng = np.random.default_rng(0)
    stance = rng.dirichlet(np.ones(3), size=(40, 5))
    content, words = np.ones(5, dtype=bool), np.arange(5, 10, dtype=float)
    X = np.array([article_features(s, content, words) for s in stance])
    y = X[:, :3].argmax(axis=1)
    old = LogisticRegression(max_iter=2000).fit(X, y)
    saved = {
        "C": 1.0,
        "n_stances": 3,
        "classes": old.classes_.tolist(),
        "coef": old.coef_.tolist(),
        "intercept": old.intercept_.tolist(),
    }
    head = ArticleStanceHead.from_dict(saved)
    assert not head.uses_vectors
    row = head.inputs(stance[0], content, words, None)
    assert np.allclose(head.predict_proba(row[None, :]), old.predict_proba(X[:1]))
    damaged = {**saved, "layout": "stance+vector", "vector_dim": 4, "mean": [0], "scale": [1]}
    with pytest.raises(FramingError, match="expected 13 features, found coefficients for 9"):
        ArticleStanceHead.from_dict(damaged, place="config.json: article_stance")
    with pytest.raises(FramingError, match="layout 'words' is not one of"):
        ArticleStanceHead.from_dict({**damaged, "layout": "words"})


def test_a_setting_added_later_loads_with_its_earlier_behaviour(tmp_path):
    """An encoder model saved before ``article_embedding`` existed loads with it off."""
    import json
    import shutil

    from framing.train.default import shipped_model_dir

    folder = shutil.copytree(shipped_model_dir("default"), tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config["settings"].pop("article_embedding", None)
    (folder / "config.json").write_text(json.dumps(config))
    model = FramingClassifier.load(folder)
    assert model.article_embedding is False
    assert model.predict_proba(["Kazakhstan will assemble Turkish drones."]).vectors is None
    config["settings"]["C_frames"] = "x"  # other settings are still checked
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(FramingError, match="C_frames"):
        FramingClassifier.load(folder)
