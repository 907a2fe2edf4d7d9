"""The command line, run as real processes on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from framing.data.splits import bundled_corpus_dir

EXAMPLE = bundled_corpus_dir().parent / "examples" / "anka-licence.txt"


def run(*args, stdin=None, env=None, cwd=None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "framing", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tiny_records, write_jsonl):
    folder = tmp_path_factory.mktemp("cli")
    corpus = folder / "corpus"
    corpus.mkdir()
    records = tiny_records()
    write_jsonl(corpus / "train.jsonl", records)
    write_jsonl(corpus / "test.jsonl", [dict(r, id=r["id"] + "-t") for r in records[:3]])
    result = run("train", "--data", corpus, "--out", folder / "model")
    assert result.returncode == 0, result.stderr
    assert "trained tfidf" in result.stderr
    return folder / "model"


def test_help_lists_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("train", "classify", "evaluate", "data"):
        assert command in result.stdout
    assert run("data", "--help").returncode == 0


def test_train_writes_model_and_card(model_dir):
    assert (model_dir / "config.json").is_file()
    assert (model_dir / "weights.safetensors").is_file()
    card = (model_dir / "README.md").read_text()
    assert "family: `tfidf`" in card and "turkey-central-asia-defence" in card
    assert "| test | 3 (3 authored)" in card


def test_classify_file_to_stdout(model_dir):
    result = run("classify", EXAMPLE, "--model", model_dir, "--paragraphs")
    assert result.returncode == 0, result.stderr
    prediction = json.loads(result.stdout)
    assert prediction["id"].endswith("anka-licence.txt")
    assert set(prediction["stance_scores"]) == {"favorable", "critical", "neutral"}
    assert prediction["primary_frame"] in prediction["frames"] or not prediction["frames"]
    assert len(prediction["paragraphs"]) == 7
    assert prediction["paragraphs"][-1]["boilerplate"] is True
    assert "classified 1 articles (7 paragraphs)" in result.stderr


def test_classify_pretty_is_indented_json(model_dir):
    result = run("classify", EXAMPLE, "--model", model_dir, "--pretty")
    assert result.returncode == 0 and result.stdout.startswith("{\n")
    assert json.loads(result.stdout)["model"].startswith("framing")


def test_classify_stdin_text_and_jsonl(model_dir):
    text = EXAMPLE.read_text()
    result = run("classify", "-", "--model", model_dir, stdin=text)
    assert result.returncode == 0 and json.loads(result.stdout)["id"].startswith("sha256-")
    lines = "".join(
        json.dumps({"id": f"x{i}", "text": t}) + "\n"
        for i, t in enumerate([text, "Drones were sold to Bishkek.", text])
    )
    result = run("classify", "-", "--model", model_dir, stdin=lines)
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["x0", "x1"]
    assert "duplicate <stdin>:3: same text as 'x0'" in result.stderr
    assert "1 exact duplicates classified once" in result.stderr


def test_classify_bad_items_reported_good_ones_kept(model_dir, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.jsonl").write_text(
        '{"id": "good1", "text": "Turkey sold drones to Kyrgyzstan."}\n'
        '{"id": "bad", "text": \n'
        '{"id": "good2", "text": "Kazakhstan will build ANKA drones."}\n'
    )
    (inputs / "b.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    out = tmp_path / "out" / "predictions.csv"
    result = run("classify", inputs, "--model", model_dir, "--out", out)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    assert table["id"].tolist() == ["good1", "good2"]
    assert {"frames", "primary_frame", "stance", "frame_score.business"} <= set(table.columns)
    errors = [
        json.loads(line)
        for line in (tmp_path / "out" / "predictions.errors.jsonl").read_text().splitlines()
    ]
    assert [e["place"].split("/")[-1] for e in errors] == ["a.jsonl:2", "b.txt"]
    assert "skipped" in result.stderr and "2 skipped with errors" in result.stderr
    assert "Traceback" not in result.stderr


def test_classify_parquet_with_custom_columns(model_dir, tmp_path):
    source = tmp_path / "news.parquet"
    pd.DataFrame(
        {"doc_id": ["n1", "n2"], "body": [EXAMPLE.read_text(), "Drones were sold."]}
    ).to_parquet(source)
    out = tmp_path / "pred.parquet"
    result = run(
        "classify",
        source,
        "--model",
        model_dir,
        "--out",
        out,
        "--id-column",
        "doc_id",
        "--text-column",
        "body",
    )
    assert result.returncode == 0, result.stderr
    assert pd.read_parquet(out)["id"].tolist() == ["n1", "n2"]


def test_classify_user_errors_are_one_line(model_dir, tmp_path):
    result = run("classify", tmp_path / "missing.jsonl", "--model", model_dir)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'missing.jsonl'}: no such file or folder; check the path"
    ]
    result = run("classify", EXAMPLE, "--model", tmp_path)
    assert result.returncode == 1 and "not a model directory" in result.stderr
    result = run("classify", EXAMPLE, "--model", model_dir, "--out", tmp_path / "p.xlsx")
    assert result.returncode == 1 and "unsupported output type '.xlsx'" in result.stderr
    csv_without_text = tmp_path / "t.csv"
    csv_without_text.write_text("id,body\n1,hello\n")
    result = run("classify", csv_without_text, "--model", model_dir)
    assert result.returncode == 1  # nothing could be classified
    assert (
        "no text column 'text' (columns are: id, body); name it with --text-column" in result.stderr
    )


def test_evaluate_writes_metrics(model_dir, tmp_path):
    corpus = model_dir.parent / "corpus"
    result = run("evaluate", "--model", model_dir, "--data", corpus, "--out", tmp_path / "ev")
    assert result.returncode == 0, result.stderr
    assert "frames micro-F1" in result.stdout and "3 articles (3 authored)" in result.stdout
    metrics = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert metrics["n_articles"] == 3 and metrics["n_paragraphs"] == 8
    for level in ("paragraph", "article"):
        assert 0 <= metrics[level]["frames"]["micro_f1"] <= 1
        assert set(metrics[level]["frames"]["per_frame"]["business"]) >= {
            "precision",
            "recall",
            "f1",
            "support",
        }
        assert {"accuracy", "macro_f1", "f_avg"} <= set(metrics[level]["stance"])
    result = run("evaluate", "--model", model_dir, "--data", corpus, "--split", "dev")
    assert result.returncode == 1 and "no dev split; found train, test" in result.stderr


def test_data_check_exit_codes(tiny_corpus, tmp_path, tiny_records, write_jsonl):
    assert run("data", "check", tiny_corpus).returncode == 0
    record = tiny_records()[0]
    record["paragraphs"][0]["frames"] = ["busines"]
    bad = write_jsonl(tmp_path / "bad.jsonl", [record, tiny_records()[1], tiny_records()[1]])
    result = run("data", "check", bad)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0].endswith(
        "bad.jsonl:1: paragraphs[0].frames: frame 'busines' is not in"
        " codebook turkey-central-asia-defence v2; did you mean 'business'?"
    )
    assert "bad.jsonl:3: duplicate id 'a2'" in lines[1]
    assert "2 problems" in result.stderr


def test_bundled_corpus_is_clean():
    result = run("data", "check", bundled_corpus_dir())
    assert result.returncode == 0, result.stdout + result.stderr


def test_train_with_config_file(model_dir, tmp_path):
    corpus = model_dir.parent / "corpus"
    config = tmp_path / "run.toml"
    config.write_text('family = "tfidf"\nseed = 3\n[settings]\nC_frames = 2.0\n')
    result = run("train", "--config", config, "--data", corpus, "--out", tmp_path / "m")
    assert result.returncode == 0, result.stderr
    saved = (tmp_path / "m" / "train.toml").read_text()
    assert 'family = "tfidf"' in saved and "seed = 3" in saved and "C_frames = 2.0" in saved
    result = run(
        "train",
        "--config",
        config,
        "--model",
        "encoder",
        "--data",
        corpus,
        "--out",
        tmp_path / "m2",
    )
    assert result.returncode == 1
    assert "--model encoder conflicts with family 'tfidf'" in result.stderr


def test_compare_two_models(model_dir, tmp_path):
    corpus = model_dir.parent / "corpus"
    other = tmp_path / "keywords"
    assert run("train", "--data", corpus, "--out", other, "--model", "keywords").returncode == 0
    result = run(
        "compare",
        model_dir,
        other,
        "--data",
        corpus,
        "--bootstrap",
        "200",
        "--out",
        tmp_path / "cmp",
    )
    assert result.returncode == 0, result.stderr
    saved = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    row = saved["paragraph"]["frames.micro_f1"]
    assert row["difference"] == pytest.approx(row["b"] - row["a"])
    assert row["ci_low"] <= row["difference"] <= row["ci_high"]
    printed = next(line.split() for line in result.stdout.splitlines() if "frames.micro_f1" in line)
    assert printed[:2] == ["paragraph", "frames.micro_f1"]
    assert [float(x) for x in printed[2:5]] == pytest.approx(
        [row["a"], row["b"], row["difference"]], abs=5e-4
    )
    assert float(printed[-1]) == pytest.approx(row["p_value"], abs=5e-4)


def test_cross_validation_with_learning_curve(tmp_path, tiny_records, write_jsonl):
    records = tiny_records() + [dict(r, id=r["id"] + "-b") for r in tiny_records()]
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    result = run("cv", "--model", "tfidf", "--data", corpus, "-k", "3", "--out", tmp_path / "cv")
    assert result.returncode == 0, result.stderr
    assert "3-fold cross-validation over 12 articles" in result.stdout
    cv = json.loads((tmp_path / "cv" / "cv.json").read_text())
    assert len(cv["folds"]) == 3 and sum(f["n_test_articles"] for f in cv["folds"]) == 12
    assert len(cv["learning_curve"]["train_articles"]) == 5
    assert (tmp_path / "cv" / "report.html").is_file()
    bad = run("cv", "--data", corpus, "-k", "20")
    assert bad.returncode == 1 and "12 articles cannot make 20 folds" in bad.stderr


def test_data_stats_and_agreement_commands():
    stats = run("data", "stats")
    assert stats.returncode == 0, stats.stderr
    for split in ("train", "headlines"):
        lines = (bundled_corpus_dir() / f"{split}.jsonl").read_text().splitlines()
        assert f"| {split} | {len(lines)} |" in stats.stdout
    assert "## Frames" in stats.stdout
    agreement = run("data", "agreement")
    assert agreement.returncode == 0 and "stance (paragraph)" in agreement.stdout


def test_trends_command(model_dir, tmp_path):
    source = tmp_path / "news.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"n{i}",
                    "text": f"Kazakhstan signed drone contract number {i}.",
                    "date": f"2024-0{i % 3 + 1}-10",
                    "source": ["wire", "daily"][i % 2],
                }
            )
            + "\n"
            for i in range(12)
        )
    )
    assert (
        run("classify", source, "--model", model_dir, "--out", tmp_path / "shards", "-q").returncode
        == 0
    )
    result = run(
        "trends",
        tmp_path / "shards",
        "--by",
        "month",
        "--group",
        "source",
        "--out",
        tmp_path / "trends",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "trends" / "trends.html").is_file()
    assert len((tmp_path / "trends" / "trends.csv").read_text().splitlines()) == 1 + 3 * 2
    bad = run("trends", tmp_path / "nothing-here")
    assert bad.returncode == 1 and "no such file or folder" in bad.stderr


def test_explain_prints_paragraph_labels_and_weighty_words(model_dir, tmp_path):
    result = run("explain", EXAMPLE, "--model", model_dir, "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    rows = [r for r in record["paragraphs"] if r.get("frames")]
    assert rows, "the example article carries frames"
    text = EXAMPLE.read_text(encoding="utf-8")
    for row in rows:
        assert row["text"] in " ".join(text.split())
        for frame, words in row["words"].items():
            assert frame in row["frames"]
            drops = [d for _, d in words]
            assert drops == sorted(drops, reverse=True) and all(d > 0 for d in drops)
            assert all(w.lower() in row["text"].lower() for w, _ in words)
    # evidence quotes the paragraph it names
    for frame, quotes in record["evidence_text"].items():
        assert [q["paragraph"] for q in quotes] == record["evidence"][frame]
        for q in quotes:
            assert q["text"].rstrip("…") in record["paragraphs"][q["paragraph"]]["text"]
    shown = run("explain", EXAMPLE, "--model", model_dir)
    assert shown.returncode == 0 and "rests most on:" in shown.stdout
    missing = run("explain", EXAMPLE, "--model", model_dir, "--id", "nope")
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "no article with id 'nope'" in missing.stderr


def test_a_headline_alone_gets_real_predictions(model_dir):
    """A headline on its own is content: it is scored, never erased as furniture."""
    headline = "Tajikistan says Kyrgyz Bayraktar strikes killed 41 civilians"
    result = run("classify", "-", "--model", model_dir, stdin=headline)
    assert result.returncode == 0, result.stderr
    prediction = json.loads(result.stdout)
    assert prediction["paragraphs_scored"] == 1 and "warnings" not in prediction
    assert max(prediction["frame_scores"].values()) > 0.05


def test_train_ensemble_with_finetuned_member_from_config(
    tmp_path, tiny_records, write_jsonl, tiny_transformer
):
    """framing train --config builds an ensemble with a fine-tuned member on any corpus:
    member weights chosen on held-out articles, the member's epochs chosen and refit."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = tiny_records()
    write_jsonl(corpus / "train.jsonl", records + [dict(r, id=r["id"] + "-b") for r in records])
    config = tmp_path / "ensemble.toml"
    config.write_text(
        'family = "ensemble"\n[settings]\nmembers = ["tfidf", "finetune"]\n'
        "[settings.member_settings.finetune]\n"
        f'encoder = "{tiny_transformer}"\nepochs = 3\nbatch_size = 4\nmax_length = 32\n'
    )
    result = run("train", "--data", corpus, "--out", tmp_path / "model", "--config", config)
    assert result.returncode == 0, result.stderr
    card = (tmp_path / "model" / "README.md").read_text()
    assert "member weights (tfidf, finetune) chosen on" in card
    assert "refit settings chosen on the held-out articles" in card
    weights = json.loads((tmp_path / "model" / "member_weights.json").read_text())
    assert abs(sum(weights["frames"]) - 1) < 1e-9
    saved = (tmp_path / "model" / "train.toml").read_text()
    # the settings asked for, so a rebuild repeats the selection and the refit
    assert "epochs = 3" in saved and "holdout" not in saved and "warm_start" not in saved
    # two fine-tuned networks: the selection fit's and the refit's
    assert (tmp_path / "model" / "finetune" / "transformer-1").is_dir()
    out = run("classify", EXAMPLE, "--model", tmp_path / "model")
    assert out.returncode == 0, out.stderr
    assert "finetune" in json.loads(out.stdout)["model"]
