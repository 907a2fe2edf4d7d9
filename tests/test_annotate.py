"""framing annotate: the project (SQLite, picks, retraining, agreement, export), its HTTP
API through a real Starlette app, and the page in a real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from framing.annotate import open_project, project_token
from framing.annotate.active import choose, paragraph_value, text_vectors
from framing.annotate.app import TOKEN_HEADER, create_app
from framing.data.codebook import load_codebook
from framing.data.corpus import load_labeled
from framing.errors import FramingError


def _labels(n: int, frames=("business",), stance="neutral", article="favorable") -> dict:
    return {
        "paragraphs": [{"frames": list(frames), "stance": stance} for _ in range(n)],
        "stance": article,
    }


@pytest.fixture
def pool(tmp_path, tiny_records, write_jsonl):
    records = [
        {"id": r["id"], "title": r["title"], "paragraphs": [p["text"] for p in r["paragraphs"]]}
        for r in tiny_records()
    ]
    records.append(
        {
            "id": "xss",
            "title": '<img src=x onerror="window.pwned=1">',
            "text": "Drones <script>window.pwned=2</script> were sold to Kazakhstan in a deal."
            '\n\nThe <b>ministry</b> said <img src=x onerror="window.pwned=3"> nothing more.',
        }
    )
    return write_jsonl(tmp_path / "pool.jsonl", records)


def test_picks_value_uncertainty_and_diversity():
    frames = np.array([[0.5, 0.0], [0.99, 0.01], [0.45, 0.5]])
    stance = np.array([[0.34, 0.33, 0.33], [1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    value = paragraph_value(frames, np.array([0.5, 0.5]), stance, None)
    assert value[0] > value[1] and value[2] > value[1]
    vectors = text_vectors(["drones sold", "drones sold", "a border clash"])
    values = np.array([1.0, 0.9, 0.8])
    # the most valuable is a near copy of an article already seen: the diverse one wins
    assert choose(values, np.array([1, 2]), vectors, np.array([0])) == 2
    assert choose(values, np.array([0, 1, 2]), vectors, np.array([], dtype=int)) == 0


def test_project_persists_resumes_and_exports(tmp_path, pool, codebook):
    folder = tmp_path / "project"
    project, problems = open_project(
        folder,
        codebook,
        [str(pool)],
        overlap=0.0,
        random_share=0.0,
        retrain_every=3,
        background=False,
    )
    assert not problems and len(project.store.article_ids()) == 7
    first, how = project.next_article("ann")
    assert how == "active"
    assert project.next_article("ann") == (first, how)  # an open pick is served again
    n = len(project.store.article(first)["paragraphs"])
    project.submit(first, "ann", _labels(n, stance="neutral"))
    project.submit(first, "ann", _labels(n, stance="critical"))  # a correction: a new row
    assert project.store.n_submissions() == 2
    with pytest.raises(FramingError, match="expected labels for"):
        project.submit(first, "ann", _labels(n + 1))
    with pytest.raises(FramingError, match="frames must be codebook ids"):
        project.submit(first, "ann", _labels(n, frames=("nope",)))
    project.store.close()
    again, _ = open_project(folder, codebook, [str(pool)], overlap=0.0, random_share=0.0)
    assert len(again.store.article_ids()) == 7  # the pool is not added twice
    assert again.store.latest_labels()[first]["ann"]["paragraphs"][0]["stance"] == "critical"
    for _ in range(3):
        article_id, _ = again.next_article("ann")
        size = len(again.store.article(article_id)["paragraphs"])
        again.submit(article_id, "ann", _labels(size))
    assert len(again.store.latest_labels()) == 4
    with pytest.raises(FramingError, match="started with codebook"):
        from framing.data.codebook import parse_codebook

        other = parse_codebook(
            {
                "name": "other",
                "version": "1",
                "frames": [{"id": "a", "name": "A", "definition": "a"}],
            },
            source="test",
        )
        open_project(folder, other, [])
    out = again.export(tmp_path / "corpus.jsonl")
    articles = load_labeled(out, codebook)
    assert len(articles) == 4
    assert all(a.meta["annotators"] == ["ann"] for a in articles)
    with pytest.raises(FramingError, match="already exists"):
        again.export(out)
    split = again.export(tmp_path / "split", split=(0.5, 0.25, 0.25))
    assert sorted(p.name for p in split.iterdir()) == ["dev.jsonl", "test.jsonl", "train.jsonl"]


def test_two_annotators_overlap_agreement_and_adjudication(tmp_path, pool, codebook):
    project, _ = open_project(
        tmp_path / "p", codebook, [str(pool)], overlap=1.0, random_share=0.0, background=False
    )
    article_id, how = project.next_article("ann")
    assert how == "active-overlap"
    n = len(project.store.article(article_id)["paragraphs"])
    project.submit(article_id, "ann", _labels(n, frames=("business",)))
    assert project.next_article("bob") == (article_id, how)  # the second pass
    project.submit(article_id, "bob", _labels(n, frames=("partnership",)))
    rows = {r.label: r for r in project.agreement()}
    assert rows["business"].n == n and rows["business"].observed == 0.0
    (dis,) = project.disagreements()
    assert dis["annotators"] == ["ann", "bob"] and dis["paragraphs"] == list(range(n))
    project.submit(article_id, "adjudicated", _labels(n, frames=("business", "partnership")))
    assert project.disagreements() == []
    (record,) = project.records()
    assert record["adjudicated"] and record["annotators"] == ["ann", "bob"]
    assert record["paragraphs"][0]["frames"] == ["business", "partnership"]


def test_retraining_scores_on_random_picks_only(tmp_path, bundled_sample, codebook):
    project, _ = open_project(
        tmp_path / "p",
        codebook,
        [str(bundled_sample)],
        overlap=0.0,
        random_share=0.3,
        retrain_every=8,
        background=False,
        seed=1,
    )
    gold = {a.id: a for a in load_labeled(bundled_sample, codebook)}
    while len(project.store.latest_labels()) < 16:
        article_id, how = project.next_article("ann")
        article = gold[article_id]
        project.submit(
            article_id,
            "ann",
            {
                "paragraphs": [
                    {"frames": p.frames, "stance": p.stance, "boilerplate": p.boilerplate}
                    for p in article.paragraphs
                ],
                "stance": article.stance,
            },
        )
    curve = project.store.curve()
    assert [point["labels"] for point in curve] == [8, 16]
    randoms = {a for a, _, how in project.store.picks() if how.startswith("random")}
    assert curve[-1]["evaluated_on"] == len(randoms) > 0
    assert project.model.family == "tfidf"
    trained_on = {a.id for a in project.labeled_articles("active")}
    assert not trained_on & randoms


@pytest.fixture
def bundled_sample(tmp_path, write_jsonl):
    from framing.data.splits import bundled_corpus_dir

    lines = (bundled_corpus_dir() / "train.jsonl").read_text().splitlines()[:30]
    return write_jsonl(tmp_path / "sample.jsonl", [json.loads(line) for line in lines])


def test_api_needs_the_token_and_answers_bad_requests_with_4xx(tmp_path, pool, codebook):
    from starlette.testclient import TestClient

    project, _ = open_project(tmp_path / "p", codebook, [str(pool)], background=False)
    token = project_token(tmp_path / "p")
    assert oct((tmp_path / "p" / "token").stat().st_mode & 0o777) == "0o600"
    client = TestClient(create_app(project, token))
    assert client.get("/").status_code == 200
    assert client.get("/api/state").status_code == 403
    assert client.get("/api/state", headers={TOKEN_HEADER: "wrong"}).status_code == 403
    ok = {TOKEN_HEADER: token}
    state = client.get("/api/state", headers=ok).json()
    assert state["articles"] == 7 and state["codebook"]["frames"][0]["id"] == codebook.frame_ids[0]
    assert client.get("/api/next", headers=ok).status_code == 400  # no annotator
    for body in ("not json", "[]", json.dumps({"article_id": "x", "annotator": "a", "labels": {}})):
        bad = client.post("/api/label", content=body, headers=ok)
        assert 400 <= bad.status_code < 500 and "error" in bad.json()
    nxt = client.get("/api/next", params={"annotator": "ann"}, headers=ok).json()
    n = len(nxt["article"]["paragraphs"])
    assert len(nxt["suggestion"]["paragraphs"]) == n  # zero-shot suggestions with scores
    good = client.post(
        "/api/label",
        headers=ok,
        json={"article_id": nxt["article"]["id"], "annotator": "ann", "labels": _labels(n)},
    )
    assert good.status_code == 200 and good.json()["labeled"] == 1
    assert (
        client.post(
            "/api/label",
            headers=ok,
            json={
                "article_id": nxt["article"]["id"],
                "annotator": "adjudicated",
                "labels": _labels(n),
            },
        ).status_code
        == 400
    )


# ---------------------------------------------------------------------- the page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(pool: Path, folder: Path, port: int, *extra) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "framing",
            "annotate",
            str(pool),
            "--out",
            str(folder),
            "--port",
            str(port),
            "--overlap",
            "1.0",
            "--random-share",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"(http://\S+)", line)
    assert match, (line, process.stderr.read() if process.poll() is not None else "")
    address = match.group(1)
    for _ in range(100):  # wait until it answers
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, address
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)  # no clean shutdown: nothing may be lost anyway
    process.wait(timeout=30)


@pytest.fixture
def browser():
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.skip("headless Chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    yield driver
    driver.quit()


def _wait(driver, condition, timeout=60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def test_page_keyboard_labels_survive_reload_and_restart(tmp_path, pool, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    folder, port = tmp_path / "project", _free_port()
    server, address = _start(pool, folder, port)
    try:
        browser.get(address + "&annotator=ann")
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".para.current"))
        title = browser.find_element(By.CSS_SELECTOR, "#article h2").text
        first_text = browser.find_element(By.CSS_SELECTOR, "#article").text
        body = browser.find_element(By.TAG_NAME, "body")
        first_frame = browser.find_element(By.CSS_SELECTOR, ".para.current .chip[data-frame]")
        frame = first_frame.get_attribute("data-frame")
        was_on = "on" in first_frame.get_attribute("class").split()
        body.send_keys("1")  # toggle the first frame on paragraph 0
        body.send_keys(Keys.ARROW_DOWN)
        body.send_keys("w")  # the second stance label on paragraph 1
        body.send_keys("z")  # the first article stance
        body.send_keys(Keys.ENTER)
        _wait(browser, lambda d: "1 of 7 articles labeled" in d.find_element(By.ID, "status").text)
        browser.refresh()
        _wait(browser, lambda d: "1 of 7 articles labeled" in d.find_element(By.ID, "status").text)
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".para.current"))
        second_text = browser.find_element(By.CSS_SELECTOR, "#article").text  # ann's next pick
    finally:
        _stop(server)
    from framing.annotate.store import Store

    (labels,) = [by["ann"] for by in Store(folder).latest_labels().values()]
    assert (frame in labels["paragraphs"][0]["frames"]) != was_on
    assert labels["paragraphs"][1]["stance"] == load_codebook().stance_ids[1]
    assert labels["stance"] == load_codebook().stance_ids[0]
    # killed and started again: nothing lost, and a second annotator gets the same article
    server, address = _start(pool, folder, port)
    try:
        browser.get(address + "&annotator=bob")
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".para.current"))
        assert "1 of 7 articles labeled" in browser.find_element(By.ID, "status").text
        assert browser.find_element(By.CSS_SELECTOR, "#article h2").text == title
        body = browser.find_element(By.TAG_NAME, "body")
        body.send_keys("2")
        body.send_keys(Keys.ENTER)
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#alpha td.alpha"))
        labels_shown = [
            e.text for e in browser.find_elements(By.CSS_SELECTOR, "#alpha tr td:first-child")
        ]
        assert "stance (article)" in labels_shown
        # every article shows as text: the script and onerror in one of them run nothing
        seen = [first_text, second_text]
        for _ in range(8):
            shown = browser.find_element(By.CSS_SELECTOR, "#article").text
            seen.append(shown)
            if "Nothing left" in shown:
                break
            browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ENTER)
            _wait(browser, lambda d, s=shown: d.find_element(By.CSS_SELECTOR, "#article").text != s)
        assert any("<script>window.pwned=2</script>" in t and "onerror" in t for t in seen)
        assert browser.execute_script("return window.pwned === undefined")
        assert not browser.find_elements(By.CSS_SELECTOR, "#article img, #article script")
    finally:
        _stop(server)
    corpus = tmp_path / "corpus.jsonl"
    export = subprocess.run(
        [sys.executable, "-m", "framing", "annotate", "export", str(folder), "--out", str(corpus)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert export.returncode == 0, export.stderr
    check = subprocess.run(
        [sys.executable, "-m", "framing", "data", "check", str(corpus)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    trained = subprocess.run(
        [
            sys.executable,
            "-m",
            "framing",
            "train",
            "--data",
            str(corpus),
            "--out",
            str(tmp_path / "model"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
    )
    assert trained.returncode == 0, trained.stderr
