"""The evaluation report renders in a real browser, with its plots and tables."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from framing.data.corpus import load_labeled
from framing.eval.evaluate import evaluate
from framing.eval.report import write_report
from framing.models.tfidf import TfidfClassifier

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, tiny_records, paragraph_data, write_jsonl):
    from framing.data.codebook import load_codebook

    codebook = load_codebook()
    folder = tmp_path_factory.mktemp("report")
    corpus = write_jsonl(folder / "tiny.jsonl", tiny_records())
    model = TfidfClassifier(codebook=codebook).fit(*paragraph_data())
    metrics = evaluate(model, load_labeled(corpus, codebook), n_boot=100)
    curve = {
        "fractions": [0.5, 1.0],
        "train_articles": [3, 6],
        **{
            k: {"mean": [0.5, 0.7], "std": [0.1, 0.05]}
            for k in ("frames_micro_f1", "frames_macro_f1", "stance_macro_f1")
        },
    }
    write_report(metrics, folder / "out", learning_curve=curve)
    return folder / "out"


def test_report_files(report_dir):
    metrics = json.loads((report_dir / "metrics.json").read_text())
    assert {"n_articles", "n_paragraphs", "paragraph", "article"} <= set(metrics)
    summary = (report_dir / "summary.md").read_text()
    assert "frames micro-F1" in summary and "## Learning curve" in summary
    page = (report_dir / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4
    assert "http://" not in page and "https://" not in page  # self-contained


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium(report_dir, tmp_path):
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        (report_dir / "report.html").as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert 'data-plots="4"' in body and 'data-rendered="4"' in body  # every plot decoded
    assert dom.count("<table>") >= 2  # breakdowns by origin and by year
    assert "Per-frame F1" in dom and "Learning curve" in dom
    shot = tmp_path / "page.png"
    subprocess.run(
        [
            *command[:-2],
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            (report_dir / "report.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 20_000  # a page with plots, not a blank one
