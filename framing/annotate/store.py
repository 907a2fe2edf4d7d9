"""Where an annotation project keeps everything: one SQLite file in WAL mode.

Every submitted label is written at once, in its own transaction, and never
overwritten: a correction is a new row and the latest row of an annotator for an
article counts. The pool of articles, the picks (which article was served to whom,
and whether it was an active or a random pick), the adjudicated labels and the
learning curve live in the same file, so stopping the server loses nothing and
starting it again resumes where each annotator stopped.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.corpus import Article
from framing.errors import FramingError

DB_NAME = "annotations.sqlite"
ADJUDICATOR = "adjudicated"
SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, position INTEGER NOT NULL, title TEXT NOT NULL,
    paragraphs TEXT NOT NULL, meta TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS labels (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL, annotator TEXT NOT NULL,
    created REAL NOT NULL, labels TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS picks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL, annotator TEXT NOT NULL,
    how TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS curve (
    n_labels INTEGER PRIMARY KEY, n_eval INTEGER NOT NULL, frames_macro_f1 REAL,
    stance_macro_f1 REAL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS project (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS labels_article ON labels (article_id, annotator, seq);
"""


class Store:
    """The project's SQLite file. Safe to share between the server's threads: every call
    opens its own short transaction on a connection guarded by a lock."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / DB_NAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ------------------------------------------------------------------ project

    def get(self, key: str, default=None):
        rows = self._run("SELECT value FROM project WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def put(self, key: str, value) -> None:
        self._run(
            "INSERT INTO project (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # ------------------------------------------------------------------ articles

    def add_articles(self, articles: Iterable[Article]) -> int:
        """Add articles to the pool (ids already there are kept as they are); returns how
        many were new."""
        start = self._run("SELECT COALESCE(MAX(position), -1) + 1 FROM articles")[0][0]
        added = 0
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for article in articles:
                    cursor = self._db.execute(
                        "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?)",
                        (
                            article.id,
                            start + added,
                            str(article.meta.get("title") or ""),
                            json.dumps([p.text for p in article.paragraphs]),
                            json.dumps(
                                {k: v for k, v in article.meta.items() if k != "title"},
                                default=str,
                            ),
                        ),
                    )
                    added += cursor.rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return added

    def article(self, article_id: str) -> dict | None:
        rows = self._run(
            "SELECT id, title, paragraphs, meta FROM articles WHERE id = ?", (article_id,)
        )
        if not rows:
            return None
        id_, title, paragraphs, meta = rows[0]
        return {
            "id": id_,
            "title": title,
            "paragraphs": json.loads(paragraphs),
            "meta": json.loads(meta),
        }

    def article_ids(self) -> list[str]:
        return [r[0] for r in self._run("SELECT id FROM articles ORDER BY position")]

    # ------------------------------------------------------------------ labels

    def add_label(self, article_id: str, annotator: str, labels: dict) -> int:
        """Store one submission (never replacing an earlier one); returns its number."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO labels (article_id, annotator, created, labels) VALUES (?, ?, ?, ?)",
                (article_id, annotator, time.time(), json.dumps(labels)),
            )
            return int(cursor.lastrowid)

    def latest_labels(self) -> dict[str, dict[str, dict]]:
        """``{article_id: {annotator: labels}}``: the latest submission of each annotator."""
        rows = self._run(
            "SELECT article_id, annotator, labels FROM labels WHERE seq IN"
            " (SELECT MAX(seq) FROM labels GROUP BY article_id, annotator)"
        )
        out: dict[str, dict[str, dict]] = {}
        for article_id, annotator, labels in rows:
            out.setdefault(article_id, {})[annotator] = json.loads(labels)
        return out

    def n_submissions(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM labels")[0][0])

    # ------------------------------------------------------------------ picks

    def add_pick(self, article_id: str, annotator: str, how: str) -> None:
        self._run(
            "INSERT INTO picks (article_id, annotator, how, created) VALUES (?, ?, ?, ?)",
            (article_id, annotator, how, time.time()),
        )

    def picks(self) -> list[tuple[str, str, str]]:
        """Every pick so far: ``(article_id, annotator, how)`` in order."""
        return [tuple(r) for r in self._run("SELECT article_id, annotator, how FROM picks")]

    # ------------------------------------------------------------------ learning curve

    def add_curve_point(self, n_labels: int, n_eval: int, frames_f1, stance_f1) -> None:
        self._run(
            "INSERT OR REPLACE INTO curve VALUES (?, ?, ?, ?, ?)",
            (n_labels, n_eval, frames_f1, stance_f1, time.time()),
        )

    def curve(self) -> list[dict]:
        rows = self._run(
            "SELECT n_labels, n_eval, frames_macro_f1, stance_macro_f1 FROM curve ORDER BY n_labels"
        )
        return [
            {"labels": n, "evaluated_on": e, "frames_macro_f1": f, "stance_macro_f1": s}
            for n, e, f, s in rows
        ]


def check_labels(labels: object, n_paragraphs: int, codebook: Codebook) -> dict:
    """A submitted label set, checked against the codebook and the article: FramingError
    names the first problem. Returns it in a normal form."""
    if not isinstance(labels, dict):
        raise FramingError("labels must be an object with paragraphs and stance")
    rows = labels.get("paragraphs")
    if not isinstance(rows, list) or len(rows) != n_paragraphs:
        got = len(rows) if isinstance(rows, list) else type(rows).__name__
        raise FramingError(f"expected labels for {n_paragraphs} paragraphs, got {got}")
    out_rows = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise FramingError(f"paragraph {i}: expected an object")
        furniture = bool(row.get("boilerplate", False))
        frames = row.get("frames", []) if codebook.has_frames else []
        if not isinstance(frames, list) or not all(f in codebook.frame_ids for f in frames):
            raise FramingError(f"paragraph {i}: frames must be codebook ids, got {frames!r:.80}")
        out = {
            "frames": [] if furniture else sorted(set(frames), key=codebook.frame_ids.index),
            "boilerplate": furniture,
        }
        if codebook.has_stance:
            stance = row.get("stance") or codebook.neutral_stance
            if furniture:
                stance = codebook.neutral_stance or stance
            if stance not in codebook.stance_ids:
                raise FramingError(
                    f"paragraph {i}: stance must be one of {', '.join(codebook.stance_ids)},"
                    f" got {stance!r:.40}"
                )
            out["stance"] = stance
        out_rows.append(out)
    result = {"paragraphs": out_rows}
    if codebook.has_stance:
        stance = labels.get("stance")
        if stance not in codebook.stance_ids:
            raise FramingError(
                f"article stance must be one of {', '.join(codebook.stance_ids)},"
                f" got {stance!r:.40}"
            )
        result["stance"] = stance
    return result
