"""From paragraph scores to article predictions.

How an article is labeled (the same for every model family):

1. Boilerplate paragraphs (flagged by :func:`framing.data.segment.is_boilerplate`,
   marked in the input, or found by the model's learned detector) are not
   scored: they get no frames and a neutral stance, and play no part in steps
   2-4. The learned detector never takes every paragraph of an article. The
   article's **title**, when the input has one, is content: it is scored like a
   paragraph (evidence names it ``"title"``), and in the stance average it
   weighs as much as an average content paragraph, however short it is.
2. **Frames**: an article's score for a frame is the score of its strongest
   paragraph for that frame; the frame is present when that score reaches the
   frame's threshold. The paragraphs that reach it are the frame's
   **evidence**, strongest first.
3. **Primary frame**: of the present frames, the one whose evidence paragraphs
   hold the most words (the codebook's rule for gold labels, applied to the
   predicted paragraph frames); ties go to the higher article score. None when
   no frame is present.
4. **Stance**: when the model has a learned article-stance layer
   (:mod:`framing.models.article_stance`), it maps features of the content
   paragraphs' stance probabilities and, optionally for families that embed
   text, the article's own representation (its mean embedding) to the article
   stance. An item with a single content row (a headline or a one-line text on
   its own) takes that row's stance: the layer learned from whole articles, not
   from lone sentences. Without a layer (and for that single row), the
   paragraphs' stance probabilities are averaged, each weighted by its number of
   words, and the article stance is the most probable label of that average.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from framing.data.corpus import Article
from framing.data.language import looks_english
from framing.data.segment import Paragraph
from framing.models.base import FramingClassifier, Scores

# Evidence quotes at most this many characters of a paragraph (cut at a word).
SNIPPET_CHARS = 240
# The first words of the two warnings a prediction can carry (counted by classify).
NO_PARAGRAPH_SCORED = "no paragraph scored"
OTHER_LANGUAGE = "not the model's language"


def _round(x: float) -> float:
    return round(float(x), 4)


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


def content_and_words(article: Article) -> tuple[np.ndarray, np.ndarray]:
    """Which paragraphs are content (not boilerplate), and each paragraph's weight in words
    (a title row weighs at least as much as the average content paragraph)."""
    content = np.array([not p.boilerplate for p in article.paragraphs], dtype=bool)
    words = np.array([len(p.text.split()) for p in article.paragraphs], dtype=np.float64)
    title = np.array([p.title for p in article.paragraphs], dtype=bool)
    body = content & ~title
    if title.any() and body.any():
        words[title] = np.maximum(words[title], words[body].mean())
    return content, words


def with_title(article: Article) -> Article:
    """The article with its title (metadata ``title``) as a first, content row to score;
    unchanged when it has no title or its first paragraph already is the title."""
    title = article.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        return article
    title = " ".join(title.split())
    if article.paragraphs and " ".join(article.paragraphs[0].text.split()) == title:
        return article
    row = Paragraph(title, False, title=True)
    return Article(article.id, [row, *article.paragraphs], meta=article.meta, place=article.place)


class ArticleClassifier:
    """Labels whole articles with a paragraph-level :class:`FramingClassifier`.

    Parameters
    ----------
    model : a fitted paragraph classifier.
    batch_size : paragraphs scored per call of the model (across articles).

    Examples
    --------
    >>> from framing.data.corpus import parse_unlabeled
    >>> clf = ArticleClassifier(model)  # doctest: +SKIP
    >>> clf.predict([parse_unlabeled({"text": "..."}, "<doc>")])  # doctest: +SKIP
    """

    def __init__(self, model: FramingClassifier, *, batch_size: int = 2048):
        self.model = model
        self.batch_size = batch_size

    def score(self, articles: Sequence[Article]) -> list[Scores]:
        """Paragraph scores for each article; boilerplate rows get zeros and a neutral stance."""
        m = self.model
        neutral = m.stances_.index(m.codebook_.neutral_stance) if m.stances_ else None
        texts, owners = [], []
        for a, article in enumerate(articles):
            for i, p in enumerate(article.paragraphs):
                if not p.boilerplate:
                    texts.append(p.text)
                    owners.append((a, i))
        parts = [
            m.predict_proba(texts[start : start + self.batch_size])
            for start in range(0, len(texts), self.batch_size)
        ]
        vectors = None
        if parts and parts[0].vectors is not None:
            vectors = np.vstack([p.vectors for p in parts])
        out = []
        for article in articles:
            n = len(article.paragraphs)
            stance = np.zeros((n, len(m.stances_)))
            if neutral is not None:
                stance[:, neutral] = 1.0
            rows = None if vectors is None else np.zeros((n, vectors.shape[1]), dtype=np.float32)
            out.append(Scores(np.zeros((n, len(m.frames_))), stance, rows))
        if texts:
            frames = np.vstack([p.frames for p in parts])
            stance = np.vstack([p.stance for p in parts])
            for row, (a, i) in enumerate(owners):
                out[a].frames[i] = frames[row]
                out[a].stance[i] = stance[row]
                if vectors is not None:
                    out[a].vectors[i] = vectors[row]
        return out

    def aggregate(self, article: Article, scores: Scores, *, paragraphs: bool = False) -> dict:
        """One prediction record (the format of corpus-format.md) from paragraph scores."""
        m = self.model
        thresholds = m.thresholds_
        content, words = content_and_words(article)
        head = getattr(m, "article_stance_", None)
        if content.any():
            frame_scores = scores.frames[content].max(axis=0)
            weights = words[content] / words[content].sum()
            stance_scores = weights @ scores.stance[content]
        else:
            frame_scores = np.zeros(len(m.frames_))
            stance_scores = np.zeros(len(m.stances_))
            if m.stances_:
                stance_scores[m.stances_.index(m.codebook_.neutral_stance)] = 1.0
        if head is not None and content.sum() >= 2:
            features = head.inputs(scores.stance, content, words, scores.vectors)
            stance_scores = head.predict_proba(features[None, :])[0]
        present = (scores.frames >= thresholds) & content[:, None]
        frames, evidence, carried = [], {}, {}
        for j, frame in enumerate(m.frames_):
            rows = np.flatnonzero(present[:, j])
            if rows.size:
                frames.append(frame)
                order = rows[np.argsort(-scores.frames[rows, j], kind="stable")]
                evidence[frame] = list(order)
                carried[frame] = (words[rows].sum(), frame_scores[j])
        primary = max(carried, key=carried.get) if carried else None
        titled = bool(article.paragraphs) and article.paragraphs[0].title
        offset = 1 if titled else 0

        def where(i):
            return "title" if titled and i == 0 else int(i) - offset

        quotes = {
            f: [
                {
                    "paragraph": where(i),
                    "score": _round(scores.frames[i, m.frames_.index(f)]),
                    "text": snippet(article.paragraphs[i].text),
                }
                for i in rows
            ]
            for f, rows in evidence.items()
        }
        evidence = {f: [where(i) for i in rows] for f, rows in evidence.items()}
        record = {
            "id": article.id,
            "paragraphs_scored": int(content[offset:].sum()),
            "frames": frames,
            "frame_scores": {f: _round(s) for f, s in zip(m.frames_, frame_scores, strict=True)},
            "primary_frame": primary,
            "stance": m.stances_[int(np.argmax(stance_scores))] if m.stances_ else None,
            "stance_scores": {s: _round(v) for s, v in zip(m.stances_, stance_scores, strict=True)},
            "evidence": evidence,
            "evidence_text": quotes,
        }
        if not m.stances_:  # a frames-only codebook: no stance anywhere
            del record["stance"], record["stance_scores"]
        if not m.frames_:  # a stance-only codebook: no frames anywhere
            for key in ("frames", "frame_scores", "primary_frame", "evidence", "evidence_text"):
                del record[key]
        warnings = self.warnings(article, content)
        if warnings:
            record["warnings"] = warnings
        for key, value in article.meta.items():  # input metadata travels with the prediction
            record.setdefault(key, value)
        if titled:
            record["title_scored"] = True
        if paragraphs:
            labels = m.decide(scores)
            record["paragraphs"] = [
                {
                    "index": where(i),
                    "text": p.text,
                    "frames": [] if p.boilerplate else lab.frames,
                    "frame_scores": {
                        f: _round(s) for f, s in zip(m.frames_, scores.frames[i], strict=True)
                    },
                    "stance": lab.stance,
                    "stance_scores": {
                        k: _round(v) for k, v in zip(m.stances_, scores.stance[i], strict=True)
                    },
                    "boilerplate": p.boilerplate,
                }
                for i, (p, lab) in enumerate(zip(article.paragraphs, labels, strict=True))
            ]
            for row in record["paragraphs"]:
                if not m.stances_:
                    del row["stance"], row["stance_scores"]
                if not m.frames_:
                    del row["frames"], row["frame_scores"]
            if titled:  # the title's own labels, apart from the paragraphs
                record["title_labels"] = record["paragraphs"].pop(0)
        record["model"] = m.describe()
        return record

    def warnings(self, article: Article, content: np.ndarray) -> list[str]:
        """Why the prediction should not be trusted: nothing scored, or another language."""
        out = []
        if not content.any():
            out.append(
                f"{NO_PARAGRAPH_SCORED}: every paragraph was taken for page furniture, so"
                " the frames and stance were computed from nothing"
            )
        language = self.model.language_
        if language == "en" and not looks_english(article.text):
            out.append(
                f"{OTHER_LANGUAGE}: the text does not look like English, the language the"
                " model was trained on; its scores are not reliable"
            )
        return out

    def reflag(self, articles: Sequence[Article]) -> list[Article]:
        """The articles with boilerplate also flagged by the model's learned detector, if any
        (the input articles are left as they are)."""
        detector = getattr(self.model, "boilerplate_", None)
        if detector is None:
            return list(articles)
        texts = [p.text for a in articles for p in a.paragraphs if not p.boilerplate]
        found = iter(detector.predict(texts))
        out = []
        for a in articles:
            paragraphs = [
                p if p.boilerplate else Paragraph(p.text, bool(next(found))) for p in a.paragraphs
            ]
            if all(p.boilerplate for p in paragraphs):
                # The learned detector never erases an article whole: a headline or a
                # one-line text on its own is what the user asked about.
                paragraphs = list(a.paragraphs)
            out.append(Article(a.id, paragraphs, meta=a.meta, place=a.place))
        return out

    def predict(self, articles: Sequence[Article], *, paragraphs: bool = False) -> list[dict]:
        """Prediction records for a batch of articles (paragraphs scored together)."""
        articles = self.prepare(articles)
        return [
            self.aggregate(article, scores, paragraphs=paragraphs)
            for article, scores in zip(articles, self.score(articles), strict=True)
        ]

    def prepare(self, articles: Sequence[Article]) -> list[Article]:
        """The articles as they are scored: furniture flagged by the learned detector too,
        and the title, when there is one, as a first content row."""
        return [with_title(a) for a in self.reflag(articles)]
