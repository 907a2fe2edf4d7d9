"""The conservation law, on inputs nobody thought of: every input record ends in exactly one
of predictions, errors or duplicates, and nothing raises but a one-line FramingError."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing.classify import classify
from framing.models.base import FramingClassifier

WORDS = ["drones", "Kazakhstan", "contract", "border", "Ankara", "villages", "deal", "summit"]
sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(
    lambda words: " ".join(words) + "."
)
texts = st.lists(sentences, min_size=1, max_size=4).map("\n\n".join)

# One input item: (file suffix or None for a JSONL line, content, records it holds).
good_line = texts.map(lambda t: ("line", json.dumps({"text": t}), 1))
bad_lines = st.sampled_from(
    [
        '{"id": "x", "text": ',  # broken JSON
        "[1, 2, 3]",  # not an object
        '{"id": "no-text"}',  # no text
        '{"text": ""}',  # empty text
        '{"text": "drones \\ud800 here"}',  # a lone surrogate
        '{"text": 12}',  # text of the wrong type
        '{"text": "' + "deal " * 3000 + '", "big": ' + "1" * 400 + "}",  # long fields
    ]
).map(lambda line: ("line", line, 1))
good_file = st.tuples(st.sampled_from([".txt", ".md"]), texts).map(lambda x: (x[0], x[1], 1))
bad_file = st.sampled_from(
    [
        (".txt", b"\x00\x01\x02binary", 1),
        (".txt", b"caf\xe9 not utf-8", 1),
        (".txt", b"", 1),
        (".md", "\ufeffBOM then text about drones.".encode(), 1),
        (".txt", "Drones sold to Kazakhstan.".encode("utf-16"), 1),
        (".parquet", b"PAR1 not really", 1),
    ]
)
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
    min_size=1,
    max_size=12,
)
items = st.lists(
    st.one_of(good_line, bad_lines, good_file, bad_file, good_line), min_size=1, max_size=12
)


def _build(folder: Path, generated, file_names) -> int:
    """Write the items into ``folder``; return the number of records they hold."""
    records, lines = 0, []
    for n, (kind, content, count) in enumerate(generated):
        records += count
        if kind == "line":
            lines.append(content)
            continue
        name = f"{n}-{file_names[n % len(file_names)]}{kind}"
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        try:
            (folder / name).write_bytes(data)
        except OSError:  # a name the file system refuses: use a plain one
            (folder / f"{n}{kind}").write_bytes(data)
    if lines:
        (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return records


@settings(
    max_examples=int(os.environ.get("FRAMING_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=items, file_names=st.lists(names, min_size=1, max_size=3), shards=st.booleans())
def test_every_record_ends_in_exactly_one_place(tfidf_model_dir, generated, file_names, shards):
    model = FramingClassifier.load(tfidf_model_dir)
    root = Path(tempfile.mkdtemp(prefix="conservation-"))
    try:
        folder = root / "in"
        folder.mkdir()
        records = _build(folder, generated, file_names)
        if shards:
            out = root / "out"
            summary = classify([str(folder)], tfidf_model_dir, out=out, shard_size=3)
            manifest = json.loads((out / "manifest.json").read_text())
            written = {
                kind: sum(
                    len(f.read_text(encoding="utf-8").splitlines())
                    for f in out.glob(f"{kind}-*.jsonl")
                )
                for kind in ("predictions", "errors", "duplicates")
            }
            assert manifest["totals"]["records"] == records
        else:
            out = root / "out" / "p.jsonl"
            summary = classify([str(folder)], model, out=out, progress=False)
            side = out.with_name("p.errors.jsonl")
            rows = [json.loads(x) for x in side.read_text().splitlines()] if side.exists() else []
            written = {
                "predictions": len(out.read_text(encoding="utf-8").splitlines()),
                "errors": sum("error" in r for r in rows),
                "duplicates": sum("duplicate_of" in r for r in rows),
            }
        assert summary.records == records
        assert summary.articles + summary.errors + summary.duplicates == records
        assert written == {
            "predictions": summary.articles,
            "errors": summary.errors,
            "duplicates": summary.duplicates,
        }
    finally:
        shutil.rmtree(root)
