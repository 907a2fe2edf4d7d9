"""Label Studio in and out: the generated config, tasks with pre-annotations, and an export
written the way Label Studio writes its JSON export, read back per annotator."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from framing.data.agreement import agreement
from framing.data.codebook import load_codebook
from framing.data.corpus import parse_labeled
from framing.data.labelstudio import FURNITURE, from_label_studio, to_label_studio
from framing.errors import FramingError


def _articles(records, codebook):
    out = []
    for r in records:
        article, problems = parse_labeled(r, r["id"], codebook)
        assert not problems
        out.append(article)
    return out


def _annotate(task: dict, record: dict, who: int, *, flip: bool = False) -> dict:
    """One annotation as Label Studio exports it, giving ``record``'s labels (with ``flip``,
    the first content paragraph's stance changed, as a second annotator might)."""
    result = []
    for i, p in enumerate(record["paragraphs"]):
        to = f"p{i}"
        if p["boilerplate"]:
            result.append(_item(f"boilerplate_{i}", to, [FURNITURE]))
            continue
        if p["frames"]:
            result.append(_item(f"frames_{i}", to, p["frames"]))
        stance = p["stance"]
        if flip:
            stance, flip = ("critical" if stance != "critical" else "favorable"), False
        result.append(_item(f"stance_{i}", to, [stance]))
    result.append(_item("article_stance", "article_id", [record["stance"]]))
    return {
        "id": 100 + who,
        "completed_by": who,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "lead_time": 12.5,
        "task": task["id"],
    }


def _item(name, to, choices):
    return {
        "id": f"{name}-x",
        "from_name": name,
        "to_name": to,
        "type": "choices",
        "origin": "manual",
        "value": {"choices": choices},
    }


@pytest.fixture
def exported(tiny_records, tmp_path):
    codebook = load_codebook()
    records = tiny_records()
    config, tasks = to_label_studio(_articles(records, codebook), codebook)
    export = []
    for n, (task, record) in enumerate(zip(tasks, records, strict=True), start=1):
        done = dict(task, id=n, project=1)
        done["annotations"] = [
            _annotate(done, record, 1),
            _annotate(done, record, 2, flip=True),
        ]
        export.append(done)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    return path, records, config, tasks


def test_config_has_a_control_for_every_label(exported, codebook):
    _, records, config, tasks = exported
    root = ET.fromstring(config)
    names = {e.get("name") for e in root.iter() if e.get("name")}
    slots = max(len(r["paragraphs"]) for r in records)
    for i in range(slots):
        assert {f"p{i}", f"frames_{i}", f"stance_{i}", f"boilerplate_{i}"} <= names
    values = [c.get("value") for c in next(e for e in root.iter("Choices")).iter("Choice")]
    assert values == codebook.frame_ids
    assert "article_stance" in names
    # every task fills every slot the config shows, empty past its own paragraphs
    for task, record in zip(tasks, records, strict=True):
        assert task["data"]["n_paragraphs"] == len(record["paragraphs"])
        assert all(f"p{i}" in task["data"] for i in range(slots))


def test_round_trip_one_annotator_per_pass(exported, codebook, tmp_path):
    path, records, _, _ = exported
    first, notes = from_label_studio(path, codebook, annotator="1")
    second, _ = from_label_studio(path, codebook, annotator="2")
    assert not notes
    for got, want in zip(first, records, strict=True):
        assert got["id"] == want["id"] and got["stance"] == want["stance"]
        for p, q in zip(got["paragraphs"], want["paragraphs"], strict=True):
            assert (p["text"], p["frames"], p["stance"], p["boilerplate"]) == (
                q["text"],
                q["frames"],
                q["stance"],
                q["boilerplate"],
            )
        assert got["annotator"] == "1"
    for name, records_ in (("p1.jsonl", first), ("p2.jsonl", second)):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in records_))
    rows = {r.label: r for r in agreement(tmp_path / "p1.jsonl", tmp_path / "p2.jsonl", codebook)}
    assert rows["business"].alpha == 1.0  # frames agree
    assert rows["stance (paragraph)"].observed < 1.0  # one stance per article differs


def test_bad_exports_are_one_line_errors(exported, codebook, tmp_path):
    path, _, _, _ = exported
    tasks = json.loads(path.read_text())

    def broken(change):
        data = json.loads(json.dumps(tasks))
        change(data)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(data))
        with pytest.raises(FramingError) as caught:
            from_label_studio(bad, codebook)
        assert "\n" not in str(caught.value)
        return str(caught.value)

    def unknown(data):
        data[0]["annotations"][0]["result"].append(_item("frames_0", "p0", ["no_such_frame"]))

    assert "'no_such_frame', which is not in the codebook" in broken(unknown)
    assert "paragraph p1 is missing" in broken(lambda d: d[0]["data"].pop("p1"))

    def no_stance(data):
        result = data[0]["annotations"][0]["result"]
        data[0]["annotations"][0]["result"] = [
            r for r in result if r["from_name"] != "article_stance"
        ]

    assert "no article stance chosen" in broken(no_stance)
    (tmp_path / "min.json").write_text('{"not": "a list"}')
    with pytest.raises(FramingError, match="expected Label Studio's JSON export"):
        from_label_studio(tmp_path / "min.json", codebook)


def test_cli_out_with_pre_annotations_and_back(tmp_path, tfidf_model_dir, tiny_records):
    from framing.data.splits import bundled_corpus_dir

    example = bundled_corpus_dir().parent / "examples" / "anka-licence.txt"

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "framing", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=300,
        )

    result = run(
        "data", "to-label-studio", example, "--model", tfidf_model_dir, "--out", tmp_path / "ls"
    )
    assert result.returncode == 0, result.stderr
    again = run("data", "to-label-studio", example, "--out", tmp_path / "ls")
    assert again.returncode == 1 and "already exists" in again.stderr  # nothing replaced
    (task,) = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    ET.fromstring((tmp_path / "ls" / "labeling_config.xml").read_text())
    (prediction,) = task["predictions"]
    names = {r["from_name"] for r in prediction["result"]}
    assert "article_stance" in names and any(n.startswith("stance_") for n in names)
    assert 0 <= prediction["score"] <= 1
    # an annotator accepts the pre-annotation as it is: the export reads back and checks clean
    task.update(id=1, annotations=[{"completed_by": 7, "result": prediction["result"]}])
    (tmp_path / "export.json").write_text(json.dumps([task]))
    back = run("data", "from-label-studio", tmp_path / "export.json", "--out", tmp_path / "c.jsonl")
    assert back.returncode == 0, back.stderr
    check = run("data", "check", tmp_path / "c.jsonl")
    assert check.returncode == 0, check.stdout + check.stderr
    again = run(
        "data", "from-label-studio", tmp_path / "export.json", "--out", tmp_path / "c.jsonl"
    )
    assert again.returncode == 1 and "already exists" in again.stderr


def _label_studio() -> str | None:
    """The label-studio command: $FRAMING_LABEL_STUDIO, else one on the PATH."""
    import os
    import shutil

    return os.environ.get("FRAMING_LABEL_STUDIO") or shutil.which("label-studio")


@pytest.mark.skipif(_label_studio() is None, reason="label-studio is not installed")
def test_live_label_studio_round_trip(tmp_path, tiny_records, codebook):
    """Start Label Studio on 127.0.0.1, create a project with our config, import our tasks
    through its API, annotate them through the API, export as JSON, read back."""
    import os
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "framingtesttoken0123456789abcdef01234567"
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(tmp_path / "ls-data"),
        # the token given at start is a "legacy" token, off by default since 1.17
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    }
    server = subprocess.Popen(
        [
            _label_studio(),
            "start",
            "--no-browser",
            "--internal-host",
            "127.0.0.1",
            "--port",
            str(port),
            "--username",
            "test@example.com",
            "--password",
            "framing-test-pw",
            "--user-token",
            token,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def call(method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    try:
        for _ in range(300):
            try:
                call("GET", "/api/projects")
                break
            except urllib.error.HTTPError as exc:
                pytest.fail(f"Label Studio refused the API call: {exc}")
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("Label Studio did not start")
        records = tiny_records()
        config, tasks = to_label_studio(_articles(records, codebook), codebook)
        project = call("POST", "/api/projects", {"title": "framing", "label_config": config})
        call("POST", f"/api/projects/{project['id']}/import", tasks)
        made = call("GET", f"/api/tasks?project={project['id']}&page_size=100")
        made = made["tasks"] if isinstance(made, dict) else made
        by_article = {t["data"]["article_id"]: t for t in made}
        for record in records:
            task = by_article[record["id"]]
            annotation = _annotate(task, record, 1)
            call("POST", f"/api/tasks/{task['id']}/annotations", {"result": annotation["result"]})
        exported = call("GET", f"/api/projects/{project['id']}/export?exportType=JSON")
        path = tmp_path / "export.json"
        path.write_text(json.dumps(exported))
        back, _ = from_label_studio(path, codebook)
        assert sorted(r["id"] for r in back) == sorted(r["id"] for r in records)
        want = {r["id"]: r for r in records}
        for got in back:
            assert got["stance"] == want[got["id"]]["stance"]
            assert [p["frames"] for p in got["paragraphs"]] == [
                p["frames"] for p in want[got["id"]]["paragraphs"]
            ]
            assert [p["boilerplate"] for p in got["paragraphs"]] == [
                p["boilerplate"] for p in want[got["id"]]["paragraphs"]
            ]
    finally:
        server.terminate()
        server.wait(timeout=60)
