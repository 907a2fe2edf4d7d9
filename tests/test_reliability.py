"""Careless and hostile input: nothing the user had is lost or overwritten, every good item
is still processed, every bad one is reported in one line, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from framing.errors import FramingError
from framing.models.base import FramingClassifier

GOOD = "Kazakhstan signed a contract for Turkish drones, a profitable export deal for Baykar."


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def strict_json(text: str):
    """json.loads that refuses the non-standard NaN and Infinity."""

    def refuse(name):
        raise ValueError(f"not valid JSON: {name}")

    return json.loads(text, parse_constant=refuse)


# ---------------------------------------------------------------- destroying data


def test_train_never_deletes_what_it_did_not_write(cli, tiny_folder, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "config.json").write_text('{"name": "my web app"}')
    (project / "index.html").write_text("<h1>mine</h1>")
    result = cli("train", "--data", tiny_folder, "--out", project)
    assert result.returncode == 1 and "not a framing model directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in project.iterdir()) == ["config.json", "index.html"]
    here = cli("train", "--data", tiny_folder, "--out", ".", cwd=project)
    assert here.returncode == 1 and "is the current folder" in here.stderr
    assert sorted(p.name for p in project.iterdir()) == ["config.json", "index.html"]

    model = tmp_path / "model"
    assert cli("train", "--data", tiny_folder, "--out", model).returncode == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(model.stat().st_mode) == 0o777 & ~mask  # not a private temp folder
    assert stat.S_IMODE((model / "weights.safetensors").stat().st_mode) == 0o666 & ~mask
    first = (model / "weights.safetensors").read_bytes()
    again = cli("train", "--data", tiny_folder, "--out", model, "--model", "keywords")
    assert again.returncode == 1 and "pass --force to replace it" in again.stderr
    assert (model / "weights.safetensors").read_bytes() == first
    forced = cli("train", "--data", tiny_folder, "--out", model, "--model", "keywords", "--force")
    assert forced.returncode == 0, forced.stderr
    assert FramingClassifier.load(model).family == "keywords"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".model")]  # no leftovers


def test_model_files_get_the_users_permissions(tfidf_model_dir):
    mask = os.umask(0)
    os.umask(mask)
    for path in [tfidf_model_dir, *tfidf_model_dir.rglob("*")]:
        expected = (0o777 if path.is_dir() else 0o666) & ~mask
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_classify_never_overwrites_its_input_or_foreign_files(cli, tfidf_model_dir, tmp_path):
    source = tmp_path / "news.jsonl"
    source.write_text(json.dumps({"id": "n1", "text": GOOD}) + "\n")
    before = source.read_bytes()
    for out in (source, tmp_path / "news.errors.jsonl"):
        if out != source:
            out.write_text("my notes\n")
        result = cli("classify", source, "--model", tfidf_model_dir, "--out", out)
        assert result.returncode == 1 and "nothing was" in result.stderr, result.stderr
    assert source.read_bytes() == before
    assert (tmp_path / "news.errors.jsonl").read_text() == "my notes\n"
    table = tmp_path / "table.csv"
    table.write_text("a,b\n1,2\n")
    refused = cli("classify", source, "--model", tfidf_model_dir, "--out", table)
    assert refused.returncode == 1 and "was not written by framing" in refused.stderr
    assert table.read_text() == "a,b\n1,2\n"
    # A folder of shards inside the input folder would read its own output.
    inside = cli("classify", tmp_path, "--model", tfidf_model_dir, "--out", tmp_path / "runs")
    assert inside.returncode == 1 and "inside the input folder" in inside.stderr
    # Our own earlier output may be replaced.
    out = tmp_path / "out" / "p.csv"
    for _ in range(2):
        done = cli("classify", source, "--model", tfidf_model_dir, "--out", out)
        assert done.returncode == 0, done.stderr
    assert pd.read_csv(out)["id"].tolist() == ["n1"]
    assert not list(out.parent.glob(".*tmp*"))


def test_resume_refuses_another_model_or_other_inputs(cli, tfidf_model_dir, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(3):
        (data / f"{i}.txt").write_text(f"{GOOD} Number {i}.")
    out = tmp_path / "run"
    assert (
        cli("classify", "data", "--model", tfidf_model_dir, "--out", out, cwd=tmp_path).returncode
        == 0
    )
    other = tmp_path / "other-model"
    shutil.copytree(tfidf_model_dir, other)
    with (other / "config.json").open("r+") as handle:  # same family and codebook, other weights
        config = json.load(handle)
        config["thresholds"][0] = 0.01
        handle.seek(0)
        handle.truncate()
        json.dump(config, handle)
    mixed = cli("classify", "data", "--model", other, "--out", out, "--resume", cwd=tmp_path)
    assert mixed.returncode == 1 and "different model_digest" in mixed.stderr
    moved = cli("classify", ".", "--model", tfidf_model_dir, "--out", out, "--resume", cwd=data)
    assert moved.returncode == 1 and "different arguments" in moved.stderr


def test_damaged_manifest_and_broken_label_lists_are_one_line(tfidf_model_dir, tmp_path, codebook):
    from framing.classify import classify
    from framing.data.corpus import read_labeled

    source = tmp_path / "a.txt"
    source.write_text(GOOD)
    out = tmp_path / "run"
    classify([str(source)], tfidf_model_dir, out=out)
    (out / "manifest.json").write_text('{"shards": ')
    with pytest.raises(FramingError, match="damaged manifest"):
        classify([str(source)], tfidf_model_dir, out=out, resume=True)
    table = tmp_path / "labeled.csv"
    table.write_text(
        'id,text,frames,stance,article_stance\na,Some text here.,"[busi",neutral,neutral\n'
    )
    articles, problems = read_labeled(table, codebook)
    assert not articles and "frames: a list that is not valid JSON" in str(problems[0])


def test_two_runs_never_share_a_shard_folder(tfidf_model_dir, tmp_path):
    from filelock import FileLock

    from framing.classify import classify

    source = tmp_path / "a.txt"
    source.write_text(GOOD)
    out = tmp_path / "run"
    with (
        FileLock(str(tmp_path / ".run.lock")),  # as a running classify holds it
        pytest.raises(FramingError, match="another run is writing to this folder"),
    ):
        classify([str(source)], tfidf_model_dir, out=out)
    assert not out.exists()
    assert classify([str(source)], tfidf_model_dir, out=out).articles == 1


# ---------------------------------------------------------------- dropping or crashing


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, cli, tfidf_model_dir):
    """One folder of awkward inputs classified once into a CSV and once into shards."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "in"
    folder.mkdir()
    long_text = " ".join(["Kazakhstan signed a drone contract."] * 6000)  # ~210,000 chars
    with (folder / "big.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,text\n")
        handle.write(f'huge,"{long_text}"\n')
        handle.write(f'after-huge,"{GOOD}"\n')
    (folder / "bom.csv").write_bytes(('\ufeffid,text\nbom-id,"' + GOOD + ' BOM."\n').encode())
    (folder / "bom.jsonl").write_bytes(
        ("\ufeff" + json.dumps({"id": "bom-jsonl", "text": GOOD + " Again."}) + "\n").encode()
    )
    (folder / "utf16.txt").write_bytes(("Ankara and Astana. " + GOOD).encode("utf-16"))
    url = "https://example.org/" + "a" * 400
    odd = [
        '{"id": "surrogate", "text": "Drones \\ud83d sold."}',
        '{"id": "nested", "text": "x", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"id": "inf", "text": GOOD + " Once more.", "score": 1e999}).replace(
            "Infinity", "1e999"
        ),
        json.dumps({"id": "long-url", "text": GOOD + " Long url.", "url": url, "title": "t" * 350}),
        json.dumps({"id": "ru", "text": "Казахстан будет собирать турецкие беспилотники ANKA."}),
        json.dumps({"id": "headline", "text": "Tajikistan says Kyrgyz strikes killed 41"}),
    ]
    (folder / "odd.jsonl").write_text("\n".join(odd) + "\n", encoding="utf-8")
    pd.DataFrame(
        {"id": ["dated"], "text": [GOOD + " Dated."], "date": [pd.Timestamp("2024-03-05").date()]}
    ).to_parquet(folder / "dated.parquet")
    linked = root / "elsewhere"
    linked.mkdir()
    (linked / "linked.txt").write_text(GOOD + " Through a link.")
    (folder / "link").symlink_to(linked, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # a loop ends
    strange = os.fsdecode(b"caf\xe9.txt")  # a file name that is not UTF-8
    (folder / strange).write_text(GOOD + " Strange name.")
    csv_out = root / "out" / "predictions.csv"
    file_run = cli("classify", folder, "--model", tfidf_model_dir, "--out", csv_out)
    folder_run = cli("classify", folder, "--model", tfidf_model_dir, "--out", root / "shards")
    return root, csv_out, file_run, folder_run


def test_hostile_folder_every_record_accounted_for(hostile):
    root, csv_out, file_run, folder_run = hostile
    for result in (file_run, folder_run):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    predictions = pd.read_csv(csv_out, keep_default_na=False)
    errors = lines(csv_out.with_name("predictions.errors.jsonl"))
    ids = set(predictions["id"])
    # The huge CSV field does not hide the rows after it; BOMs do not rename columns.
    assert {"huge", "after-huge", "bom-id", "bom-jsonl", "dated", "long-url", "inf"} <= ids
    assert any(i.endswith("utf16.txt") for i in ids)
    assert any(i.endswith("linked.txt") for i in ids)  # a symlinked folder is followed
    assert any("caf\\xe9.txt" in i for i in ids)  # an undecodable file name, shown escaped
    assert {e["place"].split("/")[-1] for e in errors} == {"odd.jsonl:1", "odd.jsonl:2"}
    assert "unpaired surrogate" in errors[0]["error"]
    assert "nested too deeply" in errors[1]["error"]
    manifest = json.loads((root / "shards" / "manifest.json").read_text())
    totals = manifest["totals"]
    assert totals["records"] == totals["articles"] + totals["errors"] + totals["duplicates"]
    assert totals["articles"] == len(predictions) and totals["errors"] == len(errors)


def test_hostile_metadata_survives_and_output_is_strict_json(hostile):
    root = hostile[0]
    rows = {
        r["id"]: r
        for f in sorted((root / "shards").glob("predictions-*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
        for r in [strict_json(line)]
    }
    assert rows["dated"]["date"] == "2024-03-05"
    assert rows["long-url"]["url"].endswith("a" * 400) and len(rows["long-url"]["title"]) == 350
    assert rows["inf"]["score"] == "inf"
    assert rows["ru"]["warnings"][0].startswith("not the model's language")
    assert rows["headline"]["paragraphs_scored"] in (0, 1)
    assert all(r["paragraphs_scored"] >= 0 for r in rows.values())
    assert "1 not in the model's language" in hostile[2].stderr


def test_stdin_closed_and_trends_on_bad_bytes(cli, tfidf_model_dir, tmp_path):
    closed = subprocess.run(  # standard input closed altogether (sys.stdin is None)
        ["bash", "-c", '"$0" -m framing classify - --model "$1" <&-', sys.executable]
        + [str(tfidf_model_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert closed.returncode == 1 and "Traceback" not in closed.stderr
    assert "standard input is closed" in closed.stderr
    predictions = tmp_path / "p.jsonl"
    good = {"id": "a", "frames": ["business"], "stance": "neutral", "date": "2024-01-02"}
    predictions.write_bytes(json.dumps(good).encode() + b"\n\xff\xfe broken\n")
    result = cli("trends", predictions, "--out", tmp_path / "t")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stderr and "1 unreadable" in result.stderr


# ---------------------------------------------------------------- model files


def test_damaged_model_files_are_one_line(cli, tfidf_model_dir, tmp_path):
    cases = {
        "weights.safetensors": b"\x00garbage",
        "vocabulary.json": b'{"word": ',
        "config.json": b'{"family": "tfidf"}',
    }
    article = tmp_path / "a.txt"
    article.write_text(GOOD)
    for name, damage in cases.items():
        broken = tmp_path / f"broken-{name}"
        shutil.copytree(tfidf_model_dir, broken)
        (broken / name).write_bytes(damage)
        commands = [["classify", article, "--model", broken]]
        if name == "config.json":
            commands.append(["compare", broken, tfidf_model_dir, "--data", article])
        for command in commands:
            result = cli(*command)
            assert result.returncode == 1, (name, result.stderr)
            assert "Traceback" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert name in result.stderr
    boiler = tmp_path / "broken-boiler"
    shutil.copytree(tfidf_model_dir, boiler)
    (boiler / "boilerplate.safetensors").write_bytes(b"nonsense")
    with pytest.raises(FramingError, match="boilerplate.safetensors: missing or damaged"):
        FramingClassifier.load(boiler)


def test_loading_never_unpickles_or_downloads(tmp_path, paragraph_data):
    from framing.models.base import make_model

    pickled_only = tmp_path / "bin-only"
    pickled_only.mkdir()
    (pickled_only / "config.json").write_text('{"model_type": "bert"}')
    (pickled_only / "pytorch_model.bin").write_bytes(b"not even a pickle")
    for name in (str(pickled_only), "nobody/no-such-model"):
        model = make_model("encoder", encoder=name, cache_embeddings=False)
        with pytest.raises(FramingError, match="cannot load encoder .*FRAMING_ALLOW_DOWNLOADS"):
            model.fit(*paragraph_data())


def test_default_model_ships_ready(tmp_path):
    """The first classify on a fresh machine (empty cache) uses the shipped default model:
    nothing is trained, nothing is written to the cache."""
    cache = tmp_path / "cache"
    env = {**os.environ, "FRAMING_CACHE": str(cache)}
    article = tmp_path / "a.txt"
    article.write_text(GOOD)
    command = [sys.executable, "-m", "framing", "classify", str(article), "-q"]
    result = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert b"training" not in result.stderr
    assert " encoder (" in json.loads(result.stdout)["model"]
    assert not cache.exists() or not [p for p in cache.iterdir() if p.name.startswith("builtin")]


def test_builtin_fast_model_built_once_cached_and_rebuilt_when_damaged(tmp_path):
    """Two first runs of --model fast at once train it once (a file lock); later runs use
    the cache; a damaged cached model is noticed by its digest and rebuilt."""
    env = {**os.environ, "FRAMING_CACHE": str(tmp_path / "cache")}
    article = tmp_path / "a.txt"
    article.write_text(GOOD)
    command = [sys.executable, "-m", "framing", "classify", str(article), "-q", "--model", "fast"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=300) for r in runs]
    assert all(r.returncode == 0 for r in runs), outputs
    assert sum(b"training the built-in fast model" in err for _, err in outputs) == 1
    assert outputs[0][0] == outputs[1][0]
    assert b"tfidf" in outputs[0][0]
    cached = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert b"training" not in cached.stderr and cached.stdout == outputs[0][0]
    (model,) = [p for p in (tmp_path / "cache").iterdir() if p.name.startswith("builtin-fast")]
    (model / "weights.safetensors").write_bytes(b"\x00" * 64)
    again = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert again.returncode == 0 and b"is damaged" in again.stderr
    assert again.stdout == outputs[0][0]


def test_shipped_default_rebuilds_from_its_train_toml(tmp_path):
    """framing train --config with the shipped model's train.toml rebuilds it: the same
    labels on the authored test split. bfloat16 embeddings differ in their last digits with
    the number of threads, so the rebuild runs on two, as the shipped model was built."""
    from framing.data.codebook import load_codebook
    from framing.data.corpus import as_unlabeled
    from framing.data.splits import bundled_corpus_dir, load_splits
    from framing.models.article import ArticleClassifier
    from framing.train.default import BUILD_THREADS, shipped_model_dir

    shipped = shipped_model_dir("default")
    variables = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    threads = {v: str(BUILD_THREADS) for v in variables}
    env = {**os.environ, **threads, "FRAMING_CACHE": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "framing", "train", "--config", str(shipped / "train.toml")]
    result = subprocess.run(
        [*command, "--out", str(tmp_path / "rebuilt")], env=env, capture_output=True, timeout=900
    )
    assert result.returncode == 0, result.stderr
    test = [as_unlabeled(a) for a in load_splits(bundled_corpus_dir(), load_codebook())["test"]]

    def labels(path):
        records = ArticleClassifier(FramingClassifier.load(path)).predict(test)
        return [(r["frames"], r["stance"]) for r in records]

    assert labels(tmp_path / "rebuilt") == labels(shipped)


def test_builtin_names_and_paths(tmp_path, monkeypatch):
    from framing.train.default import resolve_model, shipped_model_dir

    assert resolve_model(None) == shipped_model_dir("default")
    assert resolve_model("default") == shipped_model_dir("default")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fast").mkdir()  # a folder named like a built-in model is taken as a path
    assert resolve_model("fast") == Path("fast")
    assert resolve_model(str(tmp_path / "elsewhere")) == tmp_path / "elsewhere"
