"""Stand-off annotations of real articles, corpus statistics and agreement."""

from __future__ import annotations

import json

import pytest

from framing.data.agreement import agreement
from framing.data.seeds import default_seeds_dir, join_seed, load_seeds, read_standoff
from framing.data.segment import paragraph_hash, segment
from framing.data.splits import bundled_corpus_dir, load_splits
from framing.data.stats import composition
from framing.errors import FramingError

TEXT = (
    "Turkey sells drones\n\nKyrgyzstan bought three TB2 drones from Turkey in 2021.\n\n"
    "Photo: AFP\n\nAnalysts see a bid to reduce dependence on Moscow."
)


def _standoff(text, labels):
    paragraphs = segment(text)
    return {
        "id": "real-1",
        "file": "one.txt",
        "origin": "real",
        "stance": "neutral",
        "paragraphs": [
            dict(index=i, hash=paragraph_hash(p.text), **lab)
            for i, (p, lab) in enumerate(zip(paragraphs, labels, strict=True))
        ],
    }


LABELS = [
    {"frames": ["business"], "stance": "neutral", "boilerplate": False},
    {"frames": [], "stance": "neutral", "boilerplate": True},
    {"frames": ["counterbalancing"], "stance": "neutral", "boilerplate": False},
]


def test_join_standoff(tmp_path, codebook):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "one.txt").write_text(TEXT)
    standoff = tmp_path / "standoff.jsonl"
    standoff.write_text(json.dumps(_standoff(TEXT, LABELS)) + "\n")
    [article] = load_seeds(codebook, tmp_path / "seeds", standoff)
    assert article.origin == "real"
    assert article.frames == ["counterbalancing", "business"]
    assert article.paragraphs[0].text.startswith("Turkey sells drones Kyrgyzstan bought")


def test_changed_text_fails_the_hash_check(tmp_path, codebook):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "one.txt").write_text(TEXT.replace("three", "four"))
    standoff = tmp_path / "standoff.jsonl"
    standoff.write_text(json.dumps(_standoff(TEXT, LABELS)) + "\n")
    with pytest.raises(FramingError, match="paragraph 0 has hash .* the annotation expects"):
        load_seeds(codebook, tmp_path / "seeds", standoff)
    (tmp_path / "seeds" / "one.txt").write_text(TEXT + "\n\nA new closing paragraph added.")
    with pytest.raises(FramingError, match="splits into 4 paragraphs but the annotation has 3"):
        load_seeds(codebook, tmp_path / "seeds", standoff)
    (tmp_path / "seeds" / "one.txt").unlink()
    with pytest.raises(FramingError, match="seed file named in the annotations is missing"):
        load_seeds(codebook, tmp_path / "seeds", standoff)
    with pytest.raises(FramingError, match="seed folder .* not found; pass --seeds"):
        load_seeds(codebook, tmp_path / "nowhere", standoff)


def test_standoff_holds_no_seed_text():
    raw = (bundled_corpus_dir() / "seeds.standoff.jsonl").read_text()
    for record in read_standoff():
        for p in record["paragraphs"]:
            assert set(p) == {"index", "hash", "frames", "stance", "boilerplate"}
    assert "Kyrgyzstan purchases Turkish drones" not in raw


@pytest.mark.skipif(default_seeds_dir() is None, reason="the real seed texts are not here")
def test_bundled_real_articles_join(codebook):
    articles = load_seeds(codebook)
    assert len(articles) == 3
    assert sum(len(a.paragraphs) for a in articles) == 79
    assert {a.origin for a in articles} == {"real"}


def test_join_seed_rejects_bad_labels(codebook):
    record = _standoff(TEXT, [dict(LABELS[0], frames=["busines"]), *LABELS[1:]])
    with pytest.raises(FramingError, match="did you mean 'business'"):
        join_seed(record, TEXT, "one.txt", codebook)


def test_bundled_corpus_meets_its_targets(codebook):
    splits = load_splits(bundled_corpus_dir(), codebook)
    articles = [a for part in splits.values() for a in part]
    paragraphs = [p for a in articles for p in a.paragraphs]
    assert len(articles) >= 150 and len(paragraphs) >= 1000
    assert all(a.origin == "authored" for a in articles)
    for frame in codebook.frame_ids:
        carrying = sum(frame in p.frames for p in paragraphs)
        assert 80 <= carrying < len(paragraphs) / 2, frame
        for name, part in splits.items():  # every frame in every split
            assert any(frame in a.frames for a in part), (frame, name)
    for stance in codebook.stance_ids:
        assert sum(p.stance == stance for p in paragraphs) >= 150
    assert sum(p.boilerplate for p in paragraphs) >= 0.15 * len(paragraphs)
    assert all(
        a.meta.get("voice") and a.meta.get("country") and a.meta.get("date") for a in articles
    )


def test_composition_tables(codebook):
    tables = composition(load_splits(bundled_corpus_dir(), codebook), codebook)
    assert "| train | " in tables and "## Hard cases" in tables and "| ca_state |" in tables


def test_agreement_on_bundled_passes(codebook):
    folder = bundled_corpus_dir() / "annotations"
    rows = {r.label: r for r in agreement(folder / "pass1.jsonl", folder / "pass2.jsonl", codebook)}
    total = (
        sum(
            len(a.paragraphs)
            for part in load_splits(bundled_corpus_dir(), codebook).values()
            for a in part
        )
        + 79
    )
    assert rows["stance (paragraph)"].n >= 0.2 * total
    assert set(codebook.frame_ids) < set(rows)
    assert all(-1 <= r.alpha <= 1 for r in rows.values())


def test_agreement_detects_disagreement(tmp_path, codebook):
    one = {
        "id": "x",
        "stance": "neutral",
        "paragraphs": [
            {
                "index": i,
                "frames": ["business"] if i % 2 else [],
                "stance": "neutral",
                "boilerplate": False,
            }
            for i in range(10)
        ],
    }
    other = json.loads(json.dumps(one))
    for p in other["paragraphs"]:
        p["frames"] = [] if p["frames"] else ["business"]
    (tmp_path / "a.jsonl").write_text(json.dumps(one))
    (tmp_path / "b.jsonl").write_text(json.dumps(other))
    rows = {r.label: r for r in agreement(tmp_path / "a.jsonl", tmp_path / "b.jsonl", codebook)}
    assert rows["business"].alpha < 0 and rows["business"].observed == 0.0
    assert rows["partnership"].alpha == 1.0
