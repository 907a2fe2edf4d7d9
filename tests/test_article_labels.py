"""Corpora labeled per article (and mixed with paragraph labels): read, checked, trained by
multiple-instance learning with thresholds tuned at article level, scored and used."""

from __future__ import annotations

import json

import pytest

from framing.data.check import check_corpus
from framing.data.corpus import paragraph_rows, read_labeled
from framing.eval.evaluate import evaluate, format_table
from framing.models.base import make_model
from framing.train.fit import fit_and_tune

# Each article has a frame-specific paragraph and neutral filler, so only multiple-instance
# learning can tell which paragraph carries the article's frame.
FILLER = [
    "The statement was published on the ministry website on Tuesday morning.",
    "Officials did not say when the next meeting would take place.",
]
CARRIERS = {
    "business": "Baykar signed a profitable export contract worth millions for drones.",
    "conflict_humanitarian": "Shelling destroyed homes and killed villagers near the border.",
    "turkic_solidarity": "Leaders praised Turkic brotherhood and the shared heritage of peoples.",
}


def article_records(n_per_frame: int = 6) -> list[dict]:
    records = []
    for k in range(n_per_frame):
        for frame, carrier in CARRIERS.items():
            text = "\n\n".join([FILLER[k % 2], f"{carrier} Report {k}.", FILLER[(k + 1) % 2]])
            stance = {"business": "neutral", "conflict_humanitarian": "critical"}.get(
                frame, "favorable"
            )
            records.append(
                {
                    "id": f"{frame}-{k}",
                    "text": text,
                    "frames": [frame],
                    "stance": stance,
                    "language": "en",
                }
            )
    return records


@pytest.fixture
def article_folder(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = article_records()
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:12]))
    (folder / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[12:]))
    return folder


def test_article_level_records_and_tables_are_read(tmp_path, codebook):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in article_records(1)))
    articles, problems = read_labeled(path, codebook)
    assert not problems and len(articles) == 3
    assert not articles[0].paragraph_labels and len(articles[0].paragraphs) == 3
    table = tmp_path / "a.csv"
    table.write_text(
        "id,text,frames,stance\n"
        'x,"Turkish drones were sold to Kyrgyzstan this week.\n\n'
        'A new deal worth millions was signed.",business;partnership,neutral\n'
        "y,Homes were destroyed.,,critical\n"
    )
    rows, problems = read_labeled(table, codebook)
    assert not problems and [a.frames for a in rows] == [["business", "partnership"], []]
    assert len(rows[0].paragraphs) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "b", "text": "Some text.", "frames": ["busines"]}) + "\n")
    _, problems = read_labeled(bad, codebook)
    assert "did you mean 'business'" in str(problems[0])
    assert any("stance: article stance is missing" in str(p) for p in problems)


def test_check_counts_every_article_and_uses_the_folders_codebook(article_folder):
    (article_folder / "train.jsonl").open("a").write(json.dumps({"id": "broken"}) + "\n")
    report = check_corpus(article_folder)
    assert report.invalid == 1 and "19 articles read, 18 valid" in report.summary()
    assert "labeled per article only" in report.summary()


def test_multiple_instance_learning_finds_the_carrying_paragraph(article_folder, codebook):
    from framing.data.splits import load_splits

    splits = load_splits(article_folder, codebook)
    texts, frames, _ = paragraph_rows(splits["train"])
    assert frames[0] == frames[1] == frames[2]  # the starting point: the article's frames
    model = make_model("tfidf", codebook=codebook)
    notes = fit_and_tune(model, splits["train"], splits["dev"])
    assert any("multiple-instance" in n for n in notes)
    assert any("article F1" in n for n in notes)
    assert any("article-level calibration" in n for n in notes)
    filler = model.predict_proba(FILLER).frames.max()
    carrier = model.predict_proba([CARRIERS["business"]]).frames[0, model.frames_.index("business")]
    assert carrier > 0.5 > filler  # the frame sits on its carrier, not on the filler
    metrics = evaluate(model, splits["dev"], n_boot=50)
    assert metrics["paragraph"] is None and metrics["n_articles_paragraph_labels"] == 0
    assert metrics["article"]["frames"]["micro_f1"] == 1.0
    assert "labeled only as a whole" in format_table(metrics)


def test_mixed_levels_train_together_through_the_cli(cli, article_folder, tiny_records, tmp_path):
    with (article_folder / "train.jsonl").open("a") as handle:
        for record in tiny_records():
            handle.write(json.dumps(record) + "\n")
    model = tmp_path / "model"
    trained = cli("train", "--data", article_folder, "--out", model)
    assert trained.returncode == 0, trained.stderr
    assert "dev: article frames micro-F1" in trained.stderr
    card = (model / "README.md").read_text()
    assert "multiple-instance" in card and "| dev | 6" in card
    checked = cli("data", "check", article_folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    evaluated = cli("evaluate", "--model", model, "--data", article_folder, "--split", "dev")
    assert evaluated.returncode == 0, evaluated.stderr
    assert "6 articles labeled only as a whole" in evaluated.stdout
    article = tmp_path / "new.txt"
    article.write_text("\n\n".join([FILLER[0], CARRIERS["conflict_humanitarian"]]))
    classified = cli("classify", article, "--model", model)
    prediction = json.loads(classified.stdout)
    assert prediction["frames"] == ["conflict_humanitarian"]
    assert prediction["evidence"]["conflict_humanitarian"] == [1]


def test_long_labeled_paragraphs_are_cut_as_classify_cuts_them(codebook):
    from framing.data.corpus import Article
    from framing.data.segment import Paragraph, segment

    sentence = "Kazakhstan signed a drone contract with Baykar this week."
    long = " ".join([sentence] * 60)  # about 540 words
    article = Article("a", [Paragraph(long, False, ["business"], "neutral")], "neutral")
    texts, frames, stances = paragraph_rows([article])
    assert texts == [p.text for p in segment(long)] and len(texts) == 2
    assert frames == [["business"], ["business"]] and stances == ["neutral", "neutral"]
