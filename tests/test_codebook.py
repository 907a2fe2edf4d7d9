from __future__ import annotations

import pytest
import yaml

from framing.data.codebook import load_codebook, parse_codebook
from framing.errors import FramingError


def test_default_codebook():
    cb = load_codebook()
    assert cb.name == "turkey-central-asia-defence"
    assert len(cb.frame_ids) == 9 and "business" in cb.frame_ids
    assert cb.stance_ids == ["favorable", "critical", "neutral"]
    assert all(f.definition for f in cb.frames)


def test_round_trip(tmp_path):
    cb = load_codebook()
    cb.save(tmp_path / "cb.yaml")
    again = load_codebook(tmp_path / "cb.yaml")
    assert again.frame_ids == cb.frame_ids and again.stance_ids == cb.stance_ids
    assert again.frame("business").cues == cb.frame("business").cues


def _raw():
    return yaml.safe_load(load_codebook().source and open(load_codebook().source).read())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r["frames"].append(dict(r["frames"][0])), "duplicate id 'counterbalancing'"),
        (
            lambda r: r["frames"][1].update(definition="  "),
            r"frames\[1\] \(business\): definition"
            " is empty",
        ),
        (lambda r: r["frames"][0].update(id="Counter Balancing"), "is not valid; use lower-case"),
        (lambda r: r.pop("version"), "missing top-level field 'version'"),
        (lambda r: r.update(stance=3), "or be left out for a frames-only codebook"),
        (
            lambda r: r["stance"].update(labels=r["stance"]["labels"][:1]),
            "needs at least two labels",
        ),
        (
            lambda r: r["stance"]["labels"][0].update(id="business"),
            "ids used both as frame and stance: business",
        ),
        (lambda r: r.update(frames=[]), "'frames' must be a non-empty list"),
    ],
)
def test_invalid_codebooks(mutate, message):
    raw = _raw()
    mutate(raw)
    with pytest.raises(FramingError, match=message):
        parse_codebook(raw, source="user.yaml")


def test_codebook_file_errors(tmp_path):
    with pytest.raises(FramingError, match="codebook file not found"):
        load_codebook(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(FramingError, match="not valid YAML"):
        load_codebook(bad)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just a string\n")
    with pytest.raises(FramingError, match="expected a mapping"):
        load_codebook(scalar)


def test_unknown_label_suggestions():
    cb = load_codebook()
    assert "did you mean 'business'" in cb.check_frame("busines")
    assert "expected one of" in cb.check_frame("zzz")
    assert cb.check_stance("neutral") is None


def test_frames_only_codebook_round_trips(tmp_path):
    raw = _raw()
    raw.pop("stance")
    cb = parse_codebook(raw, source="frames-only.yaml")
    assert not cb.has_stance and cb.stance_ids == [] and cb.neutral_stance is None
    cb.save(tmp_path / "cb.yaml")
    again = load_codebook(tmp_path / "cb.yaml")
    assert not again.has_stance and again.frame_ids == cb.frame_ids
