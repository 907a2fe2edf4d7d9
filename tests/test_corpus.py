"""Reading and validating corpora: every user-facing problem names its place."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framing.data.check import check_corpus
from framing.data.corpus import (
    iter_unlabeled,
    load_labeled,
    primary_frame,
    read_labeled,
    to_dataset,
)
from framing.data.readers import Columns
from framing.data.segment import Paragraph
from framing.errors import FramingError


def test_reads_labeled_jsonl(tiny_corpus, codebook):
    articles = load_labeled(tiny_corpus, codebook)
    assert [a.id for a in articles] == ["a1", "a2", "a3", "a4", "a5", "a6"]
    a1 = articles[0]
    assert a1.frames == ["business", "turkic_solidarity"]  # codebook order
    assert a1.paragraphs[2].boilerplate and a1.stance == "favorable"
    assert a1.meta["origin"] == "authored"


def test_primary_frame_is_the_frame_with_most_words():
    paras = [
        Paragraph("one two", frames=["business"]),
        Paragraph("one two three four", frames=["partnership"]),
        Paragraph("five six", frames=["business"]),
    ]
    order = ["business", "partnership"]
    assert primary_frame(paras, order) == "business"  # tie 4-4: first in the article wins
    paras[1].text = "one two three four five"
    assert primary_frame(paras, order) == "partnership"
    assert primary_frame([Paragraph("x", frames=[])], order) is None


def _problems(tmp_path, codebook, lines):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"".join(lines))
    return read_labeled(path, codebook)


def test_unknown_frame_with_suggestion(tmp_path, codebook, tiny_records):
    record = tiny_records()[0]
    record["paragraphs"][0]["frames"] = ["busines"]
    _, problems = _problems(tmp_path, codebook, [json.dumps(record).encode() + b"\n"])
    assert len(problems) == 1
    assert str(problems[0]).endswith(
        "c.jsonl:1: paragraphs[0].frames: frame 'busines' is not in codebook"
        " turkey-central-asia-defence v2; did you mean 'business'?"
    )


def test_every_problem_is_reported_with_its_line(tmp_path, codebook, tiny_records):
    good = tiny_records()
    no_text = dict(good[1], paragraphs=[{"frames": [], "stance": "neutral"}])
    empty = dict(good[2], paragraphs=[])
    bad_stance = dict(good[3], stance="positve")
    lines = [
        json.dumps(good[0]).encode() + b"\n",
        b'{"id": "broken", "paragraphs": [\n',
        json.dumps(no_text).encode() + b"\n",
        json.dumps(empty).encode() + b"\n",
        json.dumps(bad_stance).encode() + b"\n",
        json.dumps(good[0]).encode() + b"\n",
        b'{"id": "latin1", "title": "caf\xe9"}\n',
    ]
    articles, problems = _problems(tmp_path, codebook, lines)
    assert [a.id for a in articles] == ["a1"]
    messages = [str(p).split("c.jsonl")[1] for p in problems]
    assert messages[0].startswith(":2: invalid JSON")
    assert messages[1] == ":3: paragraphs[0]: missing text"
    assert messages[2] == ":4: article is empty: 'paragraphs' has no items"
    assert messages[3].startswith(":5: stance: stance 'positve' is not in codebook")
    assert "did you mean 'positive'" not in messages[3]
    assert messages[4].startswith(":6: duplicate id 'a1', first used at")
    assert messages[5].startswith(":7: text is not UTF-8 (byte 0xe9")


def test_load_labeled_raises_first_problem(tmp_path, codebook, tiny_records, write_jsonl):
    path = write_jsonl(tmp_path / "c.jsonl", [dict(tiny_records()[0], stance=None)])
    with pytest.raises(FramingError, match=r"c.jsonl:1: stance: article stance is missing"):
        load_labeled(path, codebook)


def test_article_frames_must_match_paragraphs(tmp_path, codebook, tiny_records):
    record = dict(tiny_records()[0], frames=["business"])
    _, problems = _problems(tmp_path, codebook, [json.dumps(record).encode()])
    assert "not the union of its paragraph frames" in str(problems[0])


def test_labeled_csv_and_parquet_one_paragraph_per_row(
    tmp_path, codebook, tiny_corpus, tiny_records
):
    rows = []
    for r in tiny_records():
        for p in r["paragraphs"]:
            rows.append(
                {
                    "id": r["id"],
                    "text": p["text"],
                    "frames": ";".join(p["frames"]),
                    "stance": p["stance"],
                    "boilerplate": p["boilerplate"],
                    "article_stance": r["stance"],
                    "origin": "authored",
                }
            )
    pd.DataFrame(rows).to_csv(tmp_path / "c.csv", index=False)
    pd.DataFrame(rows).to_parquet(tmp_path / "c.parquet")
    expected = load_labeled(tiny_corpus, codebook)
    for name in ("c.csv", "c.parquet"):
        got = load_labeled(tmp_path / name, codebook)
        assert [(a.id, a.frames, a.stance) for a in got] == [
            (a.id, a.frames, a.stance) for a in expected
        ]
        assert [p.text for p in got[0].paragraphs] == [p.text for p in expected[0].paragraphs]


def test_unlabeled_formats(tmp_path, write_jsonl):
    text = "Kyrgyzstan bought drones from Turkey in 2021.\n\nPhoto: AFP\n\nMore came later on."
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(text)
    (tmp_path / "in" / "b.md").write_text("# Heading\n\n" + text)
    write_jsonl(
        tmp_path / "in" / "c.jsonl",
        [
            {"id": "j1", "text": text},
            {"paragraphs": ["One paragraph here.", {"text": "Another one."}]},
        ],
    )
    pd.DataFrame({"doc": ["p1"], "body": [text]}).to_csv(tmp_path / "in" / "d.csv", index=False)
    pd.DataFrame({"doc": ["q1"], "body": [text]}).to_parquet(tmp_path / "in" / "e.parquet")
    columns = Columns(id="doc", text="body")
    results = list(iter_unlabeled([str(tmp_path / "in")], columns=columns))
    assert all(problem is None for _, problem in results)
    articles = [a for a, _ in results]
    assert [a.id for a in articles][2:] == ["j1", articles[3].id, "p1", "q1"]
    assert articles[0].id.endswith("a.txt")
    assert articles[3].id.startswith("sha256-")  # derived from content
    assert [p.boilerplate for p in articles[0].paragraphs] == [False, True, False]


def test_unlabeled_bad_items_are_reported_not_fatal(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "big.jsonl").write_text(json.dumps({"id": "big", "text": "word " * 1_100_000}))
    (tmp_path / "mixed.jsonl").write_text(
        '{"id": "ok1", "text": "Turkey sold drones."}\n{"id": broken\n'
        '{"id": "notext"}\n{"id": "ok2", "text": "Kazakhstan builds ANKA drones."}\n'
    )
    pd.DataFrame({"body": ["x"]}).to_csv(tmp_path / "notext.csv", index=False)
    results = list(iter_unlabeled([str(tmp_path)]))
    good = [a.id for a, p in results if a]
    bad = {p.place.split("/")[-1]: p.message for a, p in results if p}
    assert good == ["ok1", "ok2"]
    assert "over the limit of 1,000,000" in bad["big.jsonl:1"]
    assert bad["binary.txt"].startswith("looks like a binary file")
    assert bad["empty.txt"].startswith("file is empty")
    assert bad["latin1.txt"].startswith("text is not UTF-8")
    assert bad["mixed.jsonl:2"].startswith("invalid JSON")
    assert bad["mixed.jsonl:3"].startswith("article has no text (field 'text' is missing)")
    assert bad["notext.csv"].startswith("no text column 'text' (columns are: body)")


def test_missing_input_path(tmp_path):
    with pytest.raises(FramingError, match="no such file or folder"):
        list(iter_unlabeled([str(tmp_path / "nope.jsonl")]))


def test_dataset_round_trip_through_save_to_disk(tiny_corpus, codebook, tmp_path):
    from datasets import DatasetDict

    from framing.data.splits import load_splits

    articles = load_labeled(tiny_corpus, codebook)
    ds = to_dataset(articles)
    assert ds.num_rows == 6 and ds[0]["paragraphs"][0]["frames"] == ["business"]
    DatasetDict(
        {"train": to_dataset(articles[:4]), "validation": to_dataset(articles[4:])}
    ).save_to_disk(str(tmp_path / "saved"))
    splits = load_splits(tmp_path / "saved", codebook)
    assert sorted(splits) == ["dev", "train"]
    assert [a.id for a in splits["train"]] == [a.id for a in articles[:4]]
    assert splits["dev"][0].paragraphs == articles[4].paragraphs
    assert splits["dev"][0].stance == articles[4].stance


def test_check_finds_near_duplicates_and_leakage(tmp_path, codebook, tiny_records, write_jsonl):
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = tiny_records()
    write_jsonl(folder / "train.jsonl", records[:4])
    copy = dict(records[0], id="a1-republished")
    write_jsonl(folder / "test.jsonl", [copy, records[3]])
    report = check_corpus(folder, codebook)
    assert any("'a4' is in both train and test" in str(p) for p in report.problems)
    assert any(
        "train/a1 and test/a1-republished" in w and "across splits" in w for w in report.warnings
    )
