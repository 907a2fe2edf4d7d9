"""Why a model labeled an article as it did: ``framing explain``.

For one article, every paragraph (and the title) with its frames, stance and
scores as :class:`~framing.models.article.ArticleClassifier` gives them, and for
each frame a paragraph carries, the words that weighed most. A word's weight is
found by occlusion: the paragraph is scored again with every occurrence of the
word removed, and the weight is how far the frame's score falls. The same
procedure serves every family, so explanations from different models can be
compared; for the linear ``tfidf`` family it follows the coefficients of the
word's n-grams, for the transformer families it is what the network read.
All the occluded copies of an article are scored in one batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from framing.data.corpus import Article
from framing.models.article import ArticleClassifier, snippet
from framing.models.base import FramingClassifier

WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)
# Words shorter than this carry no frame on their own (articles, prepositions).
MIN_WORD_CHARS = 3


def _occluded(text: str) -> Iterator[tuple[str, str]]:
    """``(word, text without any occurrence of it)`` for each distinct word of ``text``."""
    seen = set()
    for match in WORD.finditer(text):
        word = match.group(0)
        key = word.lower()
        if len(key) < MIN_WORD_CHARS or key in seen:
            continue
        seen.add(key)
        pattern = re.compile(rf"(?<![\w'’-]){re.escape(word)}(?![\w'’-])", re.IGNORECASE)
        yield word, " ".join(pattern.sub(" ", text).split())


def explain_article(model: FramingClassifier, article: Article, *, top: int = 5) -> dict:
    """The prediction for ``article`` with, for every content row that carries a frame, the
    ``top`` words whose removal lowers that frame's score most.

    Returns the prediction record (with paragraph rows, each with its ``text``) where each
    row that carries frames also has ``words``: ``{frame: [[word, weight], ...]}``.
    """
    classifier = ArticleClassifier(model)
    prepared = classifier.prepare([article])[0]
    scores = classifier.score([prepared])[0]
    record = classifier.aggregate(prepared, scores, paragraphs=True)
    rows = (
        [record["title_labels"], *record["paragraphs"]]
        if "title_labels" in record
        else [*record["paragraphs"]]
    )
    jobs = []  # (row position, frame column, word, occluded text)
    for k, row in enumerate(rows):
        columns = [model.frames_.index(f) for f in row.get("frames", [])]
        if row["boilerplate"] or not columns:
            continue
        for word, text in _occluded(prepared.paragraphs[k].text):
            jobs.extend((k, j, word, text) for j in columns)
    if jobs:
        texts = sorted({text for *_, text in jobs})
        where = {text: i for i, text in enumerate(texts)}
        occluded = model.predict_proba([t if t else " " for t in texts]).frames
        weights: dict[tuple[int, int], list[tuple[str, float]]] = {}
        for k, j, word, text in jobs:
            drop = float(scores.frames[k, j] - occluded[where[text], j])
            weights.setdefault((k, j), []).append((word, drop))
        for (k, j), pairs in weights.items():
            pairs.sort(key=lambda pair: -pair[1])
            best = [[w, round(d, 4)] for w, d in pairs[:top] if d > 0]
            rows[k].setdefault("words", {})[model.frames_[j]] = best
    return record


def format_explanation(record: dict, *, width: int = 100) -> str:
    """An explanation record as text for a terminal: the article's labels, then each
    paragraph with its labels, scores and weightiest words."""
    lines = [f"article {record['id']}"]
    if "frames" in record:
        scored = ", ".join(f"{f} {record['frame_scores'][f]:.2f}" for f in record["frames"])
        lines.append(f"  frames: {scored or '(none)'}; primary: {record['primary_frame']}")
    if "stance" in record:
        parts = ", ".join(f"{s} {v:.2f}" for s, v in record["stance_scores"].items())
        lines.append(f"  stance: {record['stance']} ({parts})")
    for warning in record.get("warnings", []):
        lines.append(f"  warning: {warning}")
    rows = (
        [record["title_labels"], *record["paragraphs"]]
        if "title_labels" in record
        else [*record["paragraphs"]]
    )
    for row in rows:
        name = "title" if row["index"] == "title" else f"[{row['index']}]"
        lines.append("")
        if row["boilerplate"]:
            lines.append(f"{name} furniture, not scored: {snippet(row['text'], width)}")
            continue
        lines.append(f"{name} {snippet(row['text'], width)}")
        labels = []
        if "frames" in row:
            top = sorted(row["frame_scores"].items(), key=lambda kv: -kv[1])[:3]
            shown = ", ".join(f"{f} {s:.2f}" for f, s in top)
            labels.append(f"frames: {', '.join(row['frames']) or '(none)'} (top scores: {shown})")
        if "stance" in row:
            labels.append(f"stance: {row['stance']} {max(row['stance_scores'].values()):.2f}")
        lines.append("    " + "; ".join(labels))
        for frame, words in row.get("words", {}).items():
            said = ", ".join(f"{w} (-{d:.2f})" for w, d in words) or "(no single word)"
            lines.append(f"    {frame} rests most on: {said}")
    return "\n".join(lines)


def explain(
    model: FramingClassifier, articles: list[Article], *, top: int = 5
) -> list[tuple[dict, str]]:
    """Explanations of ``articles``: ``(record, text)`` for each."""
    out = []
    for article in articles:
        record = explain_article(model, article, top=top)
        out.append((record, format_explanation(record)))
    return out
