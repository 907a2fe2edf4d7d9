"""The evaluation harness: bootstrap intervals, paired comparison, breakdowns, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score

from framing.data.corpus import load_labeled
from framing.eval.bootstrap import Units, confidence_intervals, headline, paired_comparison
from framing.eval.evaluate import evaluate
from framing.models.tfidf import TfidfClassifier


def _random_units(seed=0, n_articles=30, per_article=5, noise=0.3):
    rng = np.random.default_rng(seed)
    n = n_articles * per_article
    Y = (rng.random((n, 4)) < 0.3).astype(int)
    flip = rng.random((n, 4)) < noise
    s = rng.integers(0, 3, n)
    s_pred = np.where(rng.random(n) < noise, rng.integers(0, 3, n), s)
    return Units(
        Y,
        np.where(flip, 1 - Y, Y),
        s,
        s_pred,
        np.repeat(np.arange(n_articles), per_article),
        3,
        (0, 1),
    )


def test_headline_equals_sklearn_on_the_original_sample():
    u = _random_units()
    values = {k: v[0] for k, v in headline(u, np.ones((1, u.n_articles))).items()}
    assert values["frames.micro_f1"] == pytest.approx(f1_score(u.Y_true, u.Y_pred, average="micro"))
    assert values["frames.macro_f1"] == pytest.approx(
        f1_score(u.Y_true, u.Y_pred, average="macro", zero_division=0)
    )
    assert values["stance.accuracy"] == pytest.approx(accuracy_score(u.s_true, u.s_pred))
    assert values["stance.macro_f1"] == pytest.approx(
        f1_score(u.s_true, u.s_pred, labels=[0, 1, 2], average="macro", zero_division=0)
    )
    assert values["stance.f_avg"] == pytest.approx(
        f1_score(u.s_true, u.s_pred, labels=[0, 1], average="macro", zero_division=0)
    )


def test_intervals_contain_the_estimate_and_shrink_with_more_articles():
    small, large = _random_units(n_articles=20), _random_units(n_articles=400)
    ci_small = confidence_intervals(small, n_boot=500)
    ci_large = confidence_intervals(large, n_boot=500)
    estimate = headline(small, np.ones((1, small.n_articles)))["frames.micro_f1"][0]
    low, high = ci_small["frames.micro_f1"]
    assert low <= estimate <= high
    width = lambda ci: ci["frames.micro_f1"][1] - ci["frames.micro_f1"][0]  # noqa: E731
    assert width(ci_large) < width(ci_small) / 2


def test_paired_comparison_detects_a_better_model():
    good = _random_units(noise=0.05)
    bad = Units(
        good.Y_true,
        _random_units(noise=0.4).Y_pred,
        good.s_true,
        _random_units(noise=0.4).s_pred,
        good.article,
        3,
        (0, 1),
    )
    result = paired_comparison(bad, good, n_boot=500)
    assert result["frames.micro_f1"]["difference"] > 0.2
    assert result["frames.micro_f1"]["ci_low"] > 0 and result["frames.micro_f1"]["p_value"] < 0.01
    same = paired_comparison(good, good, n_boot=200)
    assert same["frames.micro_f1"]["difference"] == 0 and same["frames.micro_f1"]["p_value"] == 1


def test_evaluate_reports_intervals_breakdowns_and_errors(tiny_corpus, codebook, paragraph_data):
    articles = load_labeled(tiny_corpus, codebook)
    for a, voice in zip(articles, ["wire", "wire", "state", "state", "wire", "state"], strict=True):
        a.meta["voice"] = voice
    model = TfidfClassifier(codebook=codebook).fit(*paragraph_data())
    metrics = evaluate(model, articles, n_boot=200)
    P = metrics["paragraph"]
    for key in ("micro_f1", "macro_f1"):
        assert P["frames"][f"{key}_ci_low"] <= P["frames"][key] <= P["frames"][f"{key}_ci_high"]
    for key in ("accuracy", "macro_f1", "f_avg"):
        assert f"{key}_ci_low" in metrics["article"]["stance"]
    assert set(metrics["breakdown"]["voice"]) == {"wire", "state"}
    assert metrics["breakdown"]["voice"]["wire"]["n_articles"] == 3
    assert metrics["breakdown"]["year"]["2022"]["n_paragraphs"] == 15
    co = metrics["article"]["cooccurrence"]
    assert len(co["gold"]) == len(codebook.frame_ids) and co["gold"][1][1] == 2  # business
    assert set(metrics["errors"]["business"]) == {"false_positives", "false_negatives"}
