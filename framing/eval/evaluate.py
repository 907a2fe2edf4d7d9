"""Evaluate a model on a labeled corpus, at paragraph and at article level.

The model sees the articles as it would see new text: boilerplate is flagged by
the same heuristic used in classification, not taken from the gold labels, so
the scores are those a user gets.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

from framing.data.corpus import Article
from framing.data.segment import Paragraph, is_boilerplate
from framing.eval.metrics import frame_metrics, stance_metrics
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier
from framing.models.calibration import ece, stance_ece


def as_unlabeled(article: Article) -> Article:
    """The article as classification would see it: text only, boilerplate flagged by heuristic."""
    return Article(
        id=article.id,
        paragraphs=[Paragraph(p.text, is_boilerplate(p.text)) for p in article.paragraphs],
        meta=dict(article.meta),
    )


def predict_corpus(model: FramingClassifier, articles: list[Article]) -> list[dict]:
    """Article predictions (with paragraph rows) for labeled articles."""
    classifier = ArticleClassifier(model)
    return classifier.predict([as_unlabeled(a) for a in articles], paragraphs=True)


def _indicator(label_lists, frame_ids: list[str]) -> np.ndarray:
    index = {f: j for j, f in enumerate(frame_ids)}
    Y = np.zeros((len(label_lists), len(frame_ids)), dtype=int)
    for i, labels in enumerate(label_lists):
        for f in labels:
            Y[i, index[f]] = 1
    return Y


def _level(model: FramingClassifier, gold: list[tuple], predicted: list[dict]) -> dict:
    """Frame, stance and calibration metrics for one level.

    ``gold`` holds (frames, stance) pairs; ``predicted`` the prediction records
    (with frames, frame_scores, stance, stance_scores) of the same units.
    """
    frames, stances = model.frames_, model.stances_
    Y = _indicator([g[0] for g in gold], frames)
    out = {
        "frames": frame_metrics(Y, _indicator([p["frames"] for p in predicted], frames), frames),
        "stance": stance_metrics([g[1] for g in gold], [p["stance"] for p in predicted], stances),
    }
    P = np.array([[p["frame_scores"][f] for f in frames] for p in predicted]).reshape(
        -1, len(frames)
    )
    S = np.array([[p["stance_scores"][s] for s in stances] for p in predicted])
    y = np.array([stances.index(g[1]) for g in gold])
    out["frames"]["ece"] = ece(Y, P)
    out["stance"]["ece"] = stance_ece(y, S.reshape(-1, len(stances)))
    return out


def score(model: FramingClassifier, articles: list[Article], predictions: list[dict]) -> dict:
    """Metrics of predictions against the gold labels of the same articles."""
    gold_p = [p for a in articles for p in a.paragraphs]
    pred_p = [p for pred in predictions for p in pred["paragraphs"]]
    gold_boiler = np.array([p.boilerplate for p in gold_p])
    pred_boiler = np.array([p["boilerplate"] for p in pred_p])
    tp = int((gold_boiler & pred_boiler).sum())
    paragraph = _level(model, [(p.frames, p.stance) for p in gold_p], pred_p)
    article = _level(model, [(a.frames, a.stance) for a in articles], predictions)
    article["primary_frame_accuracy"] = (
        float(
            np.mean(
                [
                    a.primary_frame == p["primary_frame"]
                    for a, p in zip(articles, predictions, strict=True)
                ]
            )
        )
        if articles
        else 0.0
    )
    return {
        "model": model.describe(),
        "n_articles": len(articles),
        "n_paragraphs": len(gold_p),
        "origin": dict(Counter(a.origin for a in articles)),
        "paragraph": paragraph,
        "article": article,
        "boilerplate": {
            "gold": int(gold_boiler.sum()),
            "flagged": int(pred_boiler.sum()),
            "precision": tp / max(int(pred_boiler.sum()), 1),
            "recall": tp / max(int(gold_boiler.sum()), 1),
        },
    }


def evaluate(model: FramingClassifier, articles: list[Article]) -> dict:
    """Predict and score in one call; see :func:`score` for the keys."""
    return score(model, articles, predict_corpus(model, articles))


def format_table(metrics: dict) -> str:
    """A plain-text table of the headline and per-frame scores."""
    origin = ", ".join(f"{n} {o}" for o, n in sorted(metrics["origin"].items()))
    lines = [
        f"{metrics.get('data', 'data')}: {metrics['n_articles']} articles ({origin}),"
        f" {metrics['n_paragraphs']} paragraphs",
        f"model: {metrics['model']}",
        "",
        f"{'':28}{'paragraph':>12}{'article':>12}",
    ]
    P, A = metrics["paragraph"], metrics["article"]
    rows = [
        ("frames micro-F1", P["frames"]["micro_f1"], A["frames"]["micro_f1"]),
        ("frames macro-F1", P["frames"]["macro_f1"], A["frames"]["macro_f1"]),
        ("stance accuracy", P["stance"]["accuracy"], A["stance"]["accuracy"]),
        ("stance macro-F1", P["stance"]["macro_f1"], A["stance"]["macro_f1"]),
    ]
    if "f_avg" in P["stance"]:
        rows.append(("stance F_avg (fav/crit)", P["stance"]["f_avg"], A["stance"]["f_avg"]))
    rows.append(("primary frame accuracy", None, A["primary_frame_accuracy"]))
    rows.append(("frames ECE", P["frames"]["ece"], A["frames"]["ece"]))
    rows.append(("stance ECE", P["stance"]["ece"], A["stance"]["ece"]))
    for name, p, a in rows:
        p_text = f"{p:12.3f}" if p is not None else f"{'':12}"
        lines.append(f"{name:28}{p_text}{a:12.3f}")
    lines += ["", f"{'frame':24}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}   (paragraph level)"]
    for frame, m in P["frames"]["per_frame"].items():
        lines.append(
            f"{frame:24}{m['precision']:7.3f}{m['recall']:7.3f}{m['f1']:7.3f}{m['support']:9d}"
        )
    return "\n".join(lines)


def write_metrics(metrics: dict, out: str | Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "metrics.json"
    path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return path
