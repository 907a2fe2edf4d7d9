"""Batch classification at scale: shards, resume after a kill, duplicates, Dask, trends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framing.classify import classify
from framing.classify.shards import MANIFEST
from framing.errors import FramingError
from framing.models.tfidf import TfidfClassifier
from framing.trends import trends

WORDS = [
    "drone",
    "deal",
    "contract",
    "Kyrgyzstan",
    "border",
    "villages",
    "destroyed",
    "Turkic",
    "brotherhood",
    "summit",
    "memorandum",
    "exercise",
    "Moscow",
    "backyard",
    "influence",
    "security",
    "Afghanistan",
    "threat",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, paragraph_data):
    folder = tmp_path_factory.mktemp("batch") / "model"
    TfidfClassifier().fit(*paragraph_data()).save(folder)
    return folder


def make_input(path: Path, n: int, *, bad_every: int = 0, duplicate_every: int = 0) -> Path:
    import random

    rng = random.Random(n)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                handle.write('{"id": "broken", "text": \n')
                continue
            if duplicate_every and i % duplicate_every == duplicate_every - 1:
                text = "The very same article text, published twice by two sites."
            else:
                text = "\n\n".join(" ".join(rng.choices(WORDS, k=12)) + "." for _ in range(4))
            handle.write(
                json.dumps(
                    {
                        "id": f"a{i}",
                        "text": text,
                        "date": f"202{i % 4 + 1}-0{i % 9 + 1}-15",
                        "country": ["kazakhstan", "kyrgyzstan", "tajikistan"][i % 3],
                    }
                )
                + "\n"
            )
    return path


def shard_texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.jsonl"))}


def test_folder_output_counts_errors_and_duplicates(model_dir, tmp_path):
    source = make_input(tmp_path / "in.jsonl", 250, bad_every=60, duplicate_every=100)
    summary = classify(
        [str(source)],
        model_dir,
        out=tmp_path / "out",
        shard_size=100,
        paragraphs=True,
        progress=False,
    )
    assert summary.records == 250 and summary.errors == 4
    assert summary.duplicates == 1  # the second copy; the first is classified
    assert summary.articles == 245
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["complete"] and sorted(manifest["shards"]) == ["000000", "000001", "000002"]
    ids = [
        json.loads(line)["id"]
        for f in sorted((tmp_path / "out").glob("predictions-*"))
        for line in f.read_text().splitlines()
    ]
    assert len(ids) == len(set(ids)) == 245
    rows = (tmp_path / "out" / "paragraphs-000000.jsonl").read_text().splitlines()
    assert json.loads(rows[0])["article_id"] == "a0" and "frame_scores" in json.loads(rows[0])
    duplicates = (tmp_path / "out" / "duplicates-000001.jsonl").read_text().splitlines()
    assert json.loads(duplicates[0]) == {
        "id": "a199",
        "duplicate_of": "a99",
        "place": f"{source}:200",
    }
    assert len(list((tmp_path / "out").glob(".*tmp"))) == 0


def test_refuses_to_mix_runs(model_dir, tmp_path):
    source = make_input(tmp_path / "in.jsonl", 20)
    classify([str(source)], model_dir, out=tmp_path / "out", shard_size=10, progress=False)
    with pytest.raises(FramingError, match="pass --resume to finish it"):
        classify([str(source)], model_dir, out=tmp_path / "out", shard_size=10)
    with pytest.raises(FramingError, match="--resume with different settings"):
        classify([str(source)], model_dir, out=tmp_path / "out", shard_size=5, resume=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x")
    with pytest.raises(FramingError, match="not empty and holds no manifest.json"):
        classify([str(source)], model_dir, out=tmp_path / "other")
    with pytest.raises(FramingError, match="cannot write a resumable folder from stdin"):
        classify(["-"], model_dir, out=tmp_path / "stdin-out")


def test_killed_run_resumes_to_identical_output(model_dir, tmp_path):
    source = make_input(tmp_path / "in.jsonl", 3000, bad_every=700, duplicate_every=1000)
    reference = tmp_path / "reference"
    classify(
        [str(source)],
        model_dir,
        out=reference,
        shard_size=100,
        paragraphs=True,
        progress=False,
    )
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "framing",
        "classify",
        str(source),
        "--model",
        str(model_dir),
        "--out",
        str(out),
        "--shard-size",
        "100",
        "--paragraphs",
        "-q",
    ]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:  # kill once some, but not all, shards are done
        manifest = out / MANIFEST
        if manifest.is_file() and len(json.loads(manifest.read_text())["shards"]) >= 3:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = json.loads((out / MANIFEST).read_text())
    assert not done["complete"] and 3 <= len(done["shards"]) < 30
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert shard_texts(out) == shard_texts(reference)
    assert json.loads((out / MANIFEST).read_text())["complete"]


def test_dask_local_cluster_matches_single_process(model_dir, tmp_path):
    pytest.importorskip("distributed")
    source = make_input(tmp_path / "in.jsonl", 400, bad_every=90, duplicate_every=150)
    single, distributed = tmp_path / "single", tmp_path / "dask"
    classify(
        [str(source)],
        model_dir,
        out=single,
        shard_size=50,
        paragraphs=True,
        progress=False,
    )
    summary = classify(
        [str(source)],
        model_dir,
        out=distributed,
        shard_size=50,
        paragraphs=True,
        engine="dask",
        workers=2,
        progress=False,
    )
    assert summary.articles > 0
    assert shard_texts(distributed) == shard_texts(single)


def test_trends_from_shards(model_dir, tmp_path):
    source = make_input(tmp_path / "in.jsonl", 120)
    classify([str(source)], model_dir, out=tmp_path / "out", shard_size=50, progress=False)
    summary = trends([str(tmp_path / "out")], tmp_path / "trends", by="year", group="country")
    assert summary["articles"] == 120 and summary["undated"] == 0
    lines = (tmp_path / "trends" / "trends.csv").read_text().splitlines()
    assert lines[0].startswith("period,group,articles,frame.counterbalancing")
    assert len(lines) == 1 + 4 * 3  # 4 years x 3 countries
    assert (tmp_path / "trends" / "stance_by_country.png").stat().st_size > 1000
    page = (tmp_path / "trends" / "trends.html").read_text()
    assert page.count("data:image/png;base64,") == 3 and "<table>" in page
    with pytest.raises(FramingError, match="--by must be one of"):
        trends([str(tmp_path / "out")], tmp_path / "t2", by="decade")
