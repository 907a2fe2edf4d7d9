"""An annotation project: the pool, the annotators' labels, the model that suggests and
learns, the active-learning picks, agreement and export.

The suggestions come from the model given (``--model``), else from the zero-shot family
until the first retraining. Every ``retrain_every`` new labeled articles, a ``tfidf``
model is retrained in a background thread on the labeled articles that were *active*
picks; the *random* picks (a ``random_share`` of all picks) are held out and score it,
so the learning curve is measured on an unbiased sample that no model trained on.
"""

from __future__ import annotations

import logging
import random
import threading
from pathlib import Path

import numpy as np

from framing.annotate.active import article_vectors, choose, paragraph_value, text_vectors
from framing.annotate.store import ADJUDICATOR, Store, check_labels
from framing.data.agreement import Agreement, agreement_between
from framing.data.codebook import Codebook
from framing.data.corpus import Article, parse_labeled
from framing.data.segment import Paragraph
from framing.data.splits import split_articles
from framing.errors import FramingError
from framing.eval.evaluate import evaluate
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier, make_model
from framing.train.fit import fit_and_tune

logger = logging.getLogger(__name__)

# How an article was picked: "active" or "random", with "-overlap" when a second
# annotator is to label it too.
ACTIVE, RANDOM, OVERLAP = "active", "random", "overlap"
MIN_TO_RETRAIN = 4


class Project:
    """One annotation project in folder ``folder`` (its SQLite file and exports)."""

    def __init__(
        self,
        folder: str | Path,
        codebook: Codebook,
        *,
        model: FramingClassifier | None = None,
        random_share: float = 0.2,
        overlap: float = 0.2,
        retrain_every: int = 20,
        seed: int = 0,
        background: bool = True,
    ):
        if not 0 <= random_share <= 1 or not 0 <= overlap <= 1:
            raise FramingError("--random-share and --overlap must be between 0 and 1")
        if retrain_every < 1:
            raise FramingError("--retrain-every must be at least 1")
        self.store = Store(folder)
        saved = self.store.get("codebook")
        mine = {
            "name": codebook.name,
            "version": codebook.version,
            "frames": codebook.frame_ids,
            "stances": codebook.stance_ids,
        }
        if saved is not None and saved != mine:
            raise FramingError(
                f"{folder}: this project was started with codebook {saved['name']!r} v"
                f"{saved['version']}; give that codebook, or a new --out folder"
            )
        self.store.put("codebook", mine)
        self.codebook = codebook
        self.random_share, self.overlap = random_share, overlap
        self.retrain_every = retrain_every
        self.background = background
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._training = False
        self.retrained_at = self.store.get("retrained_at", 0)
        self.model = model
        self.second = None
        self._values: dict[str, float] = {}
        self._scored_by = None

    # ------------------------------------------------------------------ pool

    def add(self, articles: list[Article]) -> int:
        return self.store.add_articles(articles)

    def _article(self, article_id: str) -> Article:
        row = self.store.article(article_id)
        if row is None:
            raise FramingError(f"no article {article_id!r} in this project")
        return Article(
            row["id"], [Paragraph(t) for t in row["paragraphs"]], meta={"title": row["title"]}
        )

    # ------------------------------------------------------------------ models

    def _models(self) -> tuple[FramingClassifier, FramingClassifier | None]:
        with self._lock:
            if self.second is None:
                self.second = make_model("zeroshot", codebook=self.codebook).fit()
            return (self.model or self.second), (self.second if self.model else None)

    def suggestions(self, article_id: str) -> dict:
        """The suggesting model's prediction for the article, with paragraph rows."""
        model, _ = self._models()
        return ArticleClassifier(model).predict([self._article(article_id)], paragraphs=True)[0]

    def _score_pool(self) -> None:
        """Each article's value under the current models (once per model). Computed apart
        and swapped in, so picks never wait for it (see :meth:`warm`)."""
        model, other = self._models()
        if self._scored_by is model:
            return
        ids = self.store.article_ids()
        articles = [self._article(i) for i in ids]
        texts = [p.text for a in articles for p in a.paragraphs]
        if not texts:
            return
        scores = model.predict_proba(texts)
        second = other.predict_proba(texts).frames if other is not None else None
        per = paragraph_value(scores.frames, model.thresholds_, scores.stance, second)
        values, start = {}, 0
        for article in articles:
            n = len(article.paragraphs)
            values[article.id] = float(per[start : start + n].mean()) if n else 0.0
            start += n
        embed = getattr(self.second, "embed", None)
        if embed is not None:  # the zero-shot family's sentence encoder
            sizes = [len(a.paragraphs) for a in articles]
            vectors = article_vectors(np.asarray(embed(texts), dtype=np.float64), sizes)
        else:
            vectors = text_vectors([a.text for a in articles])
        with self._lock:
            self._values, self._vectors, self._ids, self._scored_by = values, vectors, ids, model

    def warm(self) -> None:
        """Score the pool for the current model in the background (or now, without one)."""
        if self.background:
            threading.Thread(target=self._score_pool, daemon=True).start()
        else:
            self._score_pool()

    def _ready(self) -> bool:
        return self._scored_by is not None

    # ------------------------------------------------------------------ picking

    def next_article(self, annotator: str) -> tuple[str, str] | None:
        """``(article_id, how)`` for ``annotator`` to label next, or None when nothing is
        left: an article another annotator labeled and that is due a second pass first,
        else a random pick (``random_share`` of the time), else the most valuable."""
        with self._lock:
            labels = self.store.latest_labels()
            picks = self.store.picks()
            mine = {a for a, who, _ in picks if who == annotator} | {
                a for a, by in labels.items() if annotator in by
            }
            # an open pick of this annotator not labeled yet: serve it again (a reload)
            for article_id, who, how in reversed(picks):
                if who == annotator and annotator not in labels.get(article_id, {}):
                    return article_id, how
            for article_id, who, how in picks:
                if how.endswith(OVERLAP) and who != annotator and article_id not in mine:
                    others = [w for w in labels.get(article_id, {}) if w != ADJUDICATOR]
                    if len(others) == 1:
                        self.store.add_pick(article_id, annotator, how)
                        return article_id, how
            taken = {a for a, _, _ in picks} | set(labels)
            left = [i for i in self.store.article_ids() if i not in taken]
            if not left:
                return None
            if not self.background:
                self._score_pool()
            if self._rng.random() < self.random_share or not self._ready():
                # a random pick; also while the pool is still being scored, so no one waits
                chosen, how = self._rng.choice(left), RANDOM
            else:
                index = {a: k for k, a in enumerate(self._ids)}
                values = np.array([self._values.get(a, 0.0) for a in self._ids])
                candidates = np.array([index[a] for a in left if a in index])
                seen = np.array([index[a] for a in taken if a in index], dtype=int)
                chosen = self._ids[choose(values, candidates, self._vectors, seen)]
                how = ACTIVE
            if self._rng.random() < self.overlap:
                how = f"{how}-{OVERLAP}"  # a second annotator will be asked for it too
            self.store.add_pick(chosen, annotator, how)
            return chosen, how

    # ------------------------------------------------------------------ labels

    def submit(self, article_id: str, annotator: str, labels: object) -> dict:
        """Check and store one submission; may start a retraining. Returns the state."""
        article = self.store.article(article_id)
        if article is None:
            raise FramingError(f"no article {article_id!r} in this project")
        if not annotator or len(annotator) > 64:
            raise FramingError("give an annotator name of 1 to 64 characters")
        checked = check_labels(labels, len(article["paragraphs"]), self.codebook)
        self.store.add_label(article_id, annotator, checked)
        done = len(self.store.latest_labels())
        if done - self.retrained_at >= self.retrain_every:
            self.retrain()
        return {"labeled": done}

    def labeled_articles(self, which: str | None = None) -> list[Article]:
        """Labeled articles (adjudicated labels first, else the first annotator's), with the
        pick each came from in ``meta['pick']``; ``which`` keeps only random or the rest."""
        out = []
        for record in self.records():
            random_pick = record["pick"].startswith(RANDOM)
            if which == RANDOM and not random_pick or which == ACTIVE and random_pick:
                continue
            article, problems = parse_labeled(record, record["id"], self.codebook)
            if article is not None and not problems:
                out.append(article)
        return out

    def records(self) -> list[dict]:
        """Every labeled article in the corpus format."""
        how = {}
        for article_id, _, kind in self.store.picks():
            how.setdefault(article_id, kind)
        out = []
        for article_id, by in self.store.latest_labels().items():
            row = self.store.article(article_id)
            annotators = sorted(a for a in by if a != ADJUDICATOR)
            chosen = by.get(ADJUDICATOR) or by[annotators[0]]
            paragraphs = [
                {"text": text, **labels}
                for text, labels in zip(row["paragraphs"], chosen["paragraphs"], strict=True)
            ]
            record = {"id": article_id}
            if row["title"]:
                record["title"] = row["title"]
            record.update(row["meta"])
            record["paragraphs"] = paragraphs
            if "stance" in chosen:
                record["stance"] = chosen["stance"]
            record["annotators"] = annotators
            record["adjudicated"] = ADJUDICATOR in by
            record["pick"] = how.get(article_id, ACTIVE)
            out.append(record)
        return out

    # ------------------------------------------------------------------ learning

    def retrain(self) -> None:
        """Retrain the suggesting model on the active picks; score it on the random ones."""
        with self._lock:
            if self._training:
                return
            self._training = True
        if self.background:
            threading.Thread(target=self._retrain, daemon=True).start()
        else:
            self._retrain()

    def _retrain(self) -> None:
        try:
            train = self.labeled_articles(ACTIVE)
            held = self.labeled_articles(RANDOM)
            n = len(self.store.latest_labels())
            if len(train) < MIN_TO_RETRAIN:
                return
            model = make_model("tfidf", codebook=self.codebook)
            fit_and_tune(model, train, None)
            frames_f1 = stance_f1 = None
            if held:
                metrics = evaluate(model, held, n_boot=0)
                P = metrics["paragraph"]
                if P is not None:
                    frames_f1 = P["frames"]["macro_f1"] if P["frames"] else None
                    stance_f1 = P["stance"]["macro_f1"] if P["stance"] else None
            self.store.add_curve_point(n, len(held), frames_f1, stance_f1)
            with self._lock:
                self.model = model
                self.retrained_at = n
                self.store.put("retrained_at", n)
            self._score_pool()  # picks keep the old values until the new ones are in
            logger.info(f"retrained on {len(train)} labeled articles; scored on {len(held)}")
        except FramingError as exc:
            logger.warning(f"retraining skipped: {exc}")
        finally:
            with self._lock:
                self._training = False

    # ------------------------------------------------------------------ agreement

    def agreement(self) -> list[Agreement]:
        """Krippendorff's alpha on the articles two annotators labeled (the first two)."""
        first, second = {}, {}
        for article_id, by in self.store.latest_labels().items():
            names = sorted(a for a in by if a != ADJUDICATOR)
            if len(names) >= 2:
                first[article_id] = by[names[0]]
                second[article_id] = by[names[1]]
        if not first:
            return []
        return agreement_between(first, second, self.codebook)

    def disagreements(self) -> list[dict]:
        """Articles whose two annotators differ and that are not adjudicated yet."""
        out = []
        for article_id, by in self.store.latest_labels().items():
            names = sorted(a for a in by if a != ADJUDICATOR)
            if len(names) < 2 or ADJUDICATOR in by:
                continue
            a, b = by[names[0]], by[names[1]]
            differ = [
                i
                for i, (p, q) in enumerate(zip(a["paragraphs"], b["paragraphs"], strict=True))
                if p != q
            ]
            if differ or a.get("stance") != b.get("stance"):
                out.append(
                    {
                        "id": article_id,
                        "annotators": names[:2],
                        "paragraphs": differ,
                        "stance": [a.get("stance"), b.get("stance")],
                    }
                )
        return out

    # ------------------------------------------------------------------ export

    def export(self, out: str | Path, *, split: tuple[float, ...] | None = None, seed=0) -> Path:
        """Write the labeled corpus: one JSONL file, or with ``split`` a folder of
        train/dev/test files split by article. Never replaces an existing path."""
        import json

        out = Path(out)
        if out.exists():
            raise FramingError(f"{out}: already exists; give a new name for --out")
        records = self.records()
        if not records:
            raise FramingError("nothing is labeled yet; there is nothing to export")
        for record in records:
            _, problems = parse_labeled(record, record["id"], self.codebook)
            if problems:
                raise FramingError(str(problems[0]))

        def write(path: Path, rows: list[dict]) -> None:
            tmp = path.with_name(f".{path.name}.tmp")
            with tmp.open("w", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            tmp.replace(path)

        if split is None:
            if out.suffix.lower() != ".jsonl":
                raise FramingError(f"{out}: write the corpus as .jsonl, or use --split")
            write(out, records)
            return out
        articles = [parse_labeled(r, r["id"], self.codebook)[0] for r in records]
        parts = split_articles(articles, split, seed=seed)
        by_id = {r["id"]: r for r in records}
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.mkdir(parents=True)
        for name, part in zip(("train", "dev", "test"), parts, strict=False):
            write(tmp / f"{name}.jsonl", [by_id[a.id] for a in part])
        tmp.rename(out)
        return out
