"""A codebook without stance, or without frames: every command leaves out what the codebook
does not have instead of filling it in."""

from __future__ import annotations

import json

import yaml

from framing.data.check import check_corpus
from framing.data.codebook import load_codebook
from framing.data.stats import composition
from framing.trends import trends


def test_frames_only_corpus_through_the_cli(cli, tiny_records, tmp_path):
    raw = load_codebook().to_dict()
    raw.pop("stance")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "codebook.yaml").write_text(yaml.safe_dump(raw))
    records = []
    for record in tiny_records():
        record.pop("stance")
        for p in record["paragraphs"]:
            p.pop("stance")
        records.append(record)
    whole = [
        {
            "id": f"w-{r['id']}",
            "text": "\n\n".join(p["text"] for p in r["paragraphs"]),
            "frames": sorted({f for p in r["paragraphs"] for f in p["frames"]}),
        }
        for r in records
    ]
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records + whole))
    (folder / "dev.jsonl").write_text(
        "".join(json.dumps(dict(r, id=r["id"] + "-dev")) + "\n" for r in whole[:3])
    )
    (folder / "test.jsonl").write_text(
        "".join(json.dumps(dict(r, id=r["id"] + "-test")) + "\n" for r in records[:3])
    )
    checked = cli("data", "check", folder)
    assert "0 with problems" in checked.stderr, checked.stdout + checked.stderr

    report = check_corpus(folder)
    assert "## Stance" not in composition(report.articles, report.codebook)
    model = tmp_path / "model"
    trained = cli("train", "--data", folder, "--out", model)
    assert trained.returncode == 0, trained.stderr
    assert "stance" not in trained.stderr.split("saved to")[1]
    card = (model / "README.md").read_text()
    assert "no stance" in card and "stance accuracy" not in card
    evaluated = cli("evaluate", "--model", model, "--data", folder, "--out", tmp_path / "r")
    assert evaluated.returncode == 0, evaluated.stderr
    assert "stance" not in evaluated.stdout
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["article"]["stance"] is None and metrics["paragraph"]["stance"] is None
    source = tmp_path / "news.jsonl"
    source.write_text(
        json.dumps({"id": "n", "text": "A drone contract was signed.", "date": "2024-02-01"}) + "\n"
    )
    out = tmp_path / "p.csv"
    classified = cli("classify", source, "--model", model, "--out", out, "--paragraphs")
    assert classified.returncode == 0, classified.stderr
    header = out.read_text().splitlines()[0]
    assert "stance" not in header and header.startswith("id,frames,primary_frame,")
    shards = tmp_path / "shards"
    assert cli("classify", source, "--model", model, "--out", shards).returncode == 0
    prediction = json.loads((shards / "predictions-000000.jsonl").read_text())
    assert "stance" not in prediction and "stance_scores" not in prediction

    trends([str(shards)], tmp_path / "t")
    assert not (tmp_path / "t" / "stance.png").exists()


def test_stance_only_corpus_through_the_cli(cli, tiny_records, tmp_path):
    raw = load_codebook().to_dict()
    raw.pop("frames")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "codebook.yaml").write_text(yaml.safe_dump(raw))
    records = []
    for record in tiny_records():
        for p in record["paragraphs"]:
            p.pop("frames")
        records.append(record)
    whole = [
        {
            "id": f"w-{r['id']}",
            "text": "\n\n".join(p["text"] for p in r["paragraphs"]),
            "stance": r["stance"],
        }
        for r in records
    ]
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records + whole))
    (folder / "test.jsonl").write_text(
        "".join(json.dumps(dict(r, id=r["id"] + "-test")) + "\n" for r in records[:4])
    )

    report = check_corpus(folder)
    assert not report.problems and "## Frames" not in composition(report.articles, report.codebook)
    model = tmp_path / "model"
    trained = cli("train", "--data", folder, "--out", model)
    assert trained.returncode == 0, trained.stderr
    assert "no frames" in (model / "README.md").read_text()
    evaluated = cli("evaluate", "--model", model, "--data", folder, "--out", tmp_path / "r")
    assert evaluated.returncode == 0, evaluated.stderr
    assert "frames" not in evaluated.stdout and "stance accuracy" in evaluated.stdout
    assert (tmp_path / "r" / "report.html").is_file()
    source = tmp_path / "news.jsonl"
    source.write_text(
        json.dumps({"id": "n", "text": "Villages were destroyed.", "date": "2024-02-01"}) + "\n"
    )
    out = tmp_path / "p.csv"
    classified = cli("classify", source, "--model", model, "--out", out, "--paragraphs")
    assert classified.returncode == 0, classified.stderr
    assert "frame" not in out.read_text().splitlines()[0]
    shards = tmp_path / "shards"
    assert cli("classify", source, "--model", model, "--out", shards).returncode == 0
    prediction = json.loads((shards / "predictions-000000.jsonl").read_text())
    stance_ids = [label["id"] for label in raw["stance"]["labels"]]
    assert "frames" not in prediction and prediction["stance"] in stance_ids

    trends([str(shards)], tmp_path / "t")
    assert not (tmp_path / "t" / "frames.png").exists()
    assert (tmp_path / "t" / "stance.png").exists()
