"""A resumable output folder: JSONL shards and the manifest that says which are done.

Each input chunk becomes one shard::

    predictions-000000.jsonl   one prediction per article
    paragraphs-000000.jsonl    one row per paragraph (with --paragraphs)
    errors-000000.jsonl        bad items and why
    duplicates-000000.jsonl    exact duplicates of an earlier article
    manifest.json              inputs, model, settings, finished shards

Shard files are written to a temporary name and renamed, and the manifest is
rewritten the same way after each shard, so a run killed at any point leaves
only finished shards behind; a resumed run skips them and gives the same files
as an uninterrupted run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from framing.classify.stream import COUNTS, Chunk
from framing.data.readers import expand_inputs
from framing.errors import FramingError

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, flush it to disk, rename it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in rows)


def input_fingerprint(inputs: list[str]) -> list[dict]:
    """Path, size and modification time of every input file (for the manifest)."""
    out = []
    for item in expand_inputs(inputs):
        if item == "-":
            raise FramingError(
                "cannot write a resumable folder from stdin; save the input to"
                " a file first, or write to a single --out file"
            )
        stat = Path(item).stat()
        out.append(
            {"path": str(Path(item).resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        )
    return out


class ShardFolder:
    """The output folder: shard files and the manifest that says which are finished."""

    def __init__(self, folder: Path, settings: dict, *, resume: bool):
        self.folder = folder
        path = folder / MANIFEST
        if path.is_file():
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise FramingError(
                    f"{path}: damaged manifest ({exc}); this folder cannot be resumed, choose"
                    " another --out"
                ) from None
            if not isinstance(manifest, dict) or not isinstance(manifest.get("shards"), dict):
                raise FramingError(
                    f"{path}: not a manifest written by framing; choose another --out"
                )
            if not resume:
                raise FramingError(
                    f"{folder}: holds the output of an earlier run; pass --resume to finish it,"
                    " or choose another --out"
                )
            for key in ("inputs", "arguments", "settings", "model", "model_digest"):
                if manifest.get(key) != settings.get(key):
                    raise FramingError(
                        f"{folder}: --resume with different {key} than the run that wrote it;"
                        f" use the same {key}, or another --out"
                    )
            self.manifest = manifest
        else:
            if folder.exists() and any(folder.iterdir()):
                raise FramingError(
                    f"{folder}: folder is not empty and holds no {MANIFEST};"
                    " choose a new or empty --out folder"
                )
            folder.mkdir(parents=True, exist_ok=True)
            self.manifest = {"format": FORMAT_VERSION, **settings, "shards": {}, "complete": False}
            self._save()

    def done(self, index: int) -> bool:
        return f"{index:06d}" in self.manifest["shards"]

    def finished_records(self) -> int:
        return sum(s["records"] for s in self.manifest["shards"].values())

    def write(self, chunk: Chunk, predictions: list[dict], counts: dict, paragraphs: bool) -> None:
        name = f"{chunk.index:06d}"
        rows = []
        if paragraphs:
            for p in predictions:
                for row in p.pop("paragraphs", []):
                    rows.append({"article_id": p["id"], **row})
        atomic_write(self.folder / f"predictions-{name}.jsonl", jsonl(predictions))
        if paragraphs:
            atomic_write(self.folder / f"paragraphs-{name}.jsonl", jsonl(rows))
        if chunk.errors:
            atomic_write(self.folder / f"errors-{name}.jsonl", jsonl(chunk.errors))
        if chunk.duplicates:
            atomic_write(self.folder / f"duplicates-{name}.jsonl", jsonl(chunk.duplicates))
        self.manifest["shards"][name] = counts
        self._save()

    def finish(self) -> None:
        shards = self.manifest["shards"].values()
        self.manifest["totals"] = {k: sum(s.get(k, 0) for s in shards) for k in COUNTS}
        self.manifest["complete"] = True
        self._save()

    def _save(self) -> None:
        ordered = dict(self.manifest)
        ordered["shards"] = dict(sorted(self.manifest["shards"].items()))
        atomic_write(self.folder / MANIFEST, json.dumps(ordered, indent=2) + "\n")
