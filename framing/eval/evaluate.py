"""Evaluate a model on a labeled corpus, at paragraph and at article level.

The model sees the articles as it would see new text: boilerplate is flagged by
the same heuristic used in classification, not taken from the gold labels, so
the scores are those a user gets. Headline metrics carry 95% bootstrap
intervals that resample articles; every metric is also broken down by the
corpus's metadata (origin, voice, country, year).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.calibration import calibration_curve

from framing.data.corpus import Article, as_unlabeled
from framing.data.heldout import load_heldout
from framing.eval.bootstrap import Units, confidence_intervals
from framing.eval.metrics import frame_metrics, stance_metrics
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier
from framing.models.calibration import ece, stance_ece

BREAKDOWN_FIRST = ("origin", "voice", "country", "year")
NOT_GROUPS = {"title", "date", "id"}
MAX_GROUPS = 50
N_ERRORS = 5


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


def units(model: FramingClassifier, articles: list[Article], predictions: list[dict]):
    """Gold and predicted labels and scores as arrays, at paragraph and at article level.

    Returns ``{'paragraph': (Units, frame scores, stance scores), 'article': (...)}``. The
    paragraph level holds the articles labeled per paragraph only (their positions in
    ``articles`` under ``'labeled'``); it is None when there are none.
    """
    frames, stances = model.frames_, model.stances_
    polar = tuple(stances.index(s) for s in ("favorable", "critical") if s in stances)
    polar = polar if len(polar) == 2 else ()
    labeled = [i for i, a in enumerate(articles) if a.paragraph_labels]
    gold_p = [p for i in labeled for p in articles[i].paragraphs]
    pred_p = [p for i in labeled for p in predictions[i]["paragraphs"]]
    owner = np.array([k for k, i in enumerate(labeled) for _ in articles[i].paragraphs], dtype=int)

    def build(gold, predicted, article_index):
        u = Units(
            _indicator([g[0] for g in gold], frames),
            _indicator([p.get("frames", []) for p in predicted], frames),
            np.array([stances.index(g[1]) if stances else 0 for g in gold], dtype=int),
            np.array([stances.index(p["stance"]) if stances else 0 for p in predicted], dtype=int),
            article_index,
            len(stances),
            polar,
        )
        F = np.array([[p["frame_scores"][f] for f in frames] for p in predicted])
        F = F.reshape(-1, len(frames)) if frames else np.zeros((len(predicted), 0))
        S = np.array([[p["stance_scores"][s] for s in stances] for p in predicted])
        S = S.reshape(-1, len(stances)) if stances else np.zeros((len(predicted), 0))
        return u, F, S

    return {
        "labeled": labeled,
        "paragraph": build([(p.frames, p.stance) for p in gold_p], pred_p, owner)
        if labeled
        else None,
        "article": build(
            [(a.frames, a.stance) for a in articles], predictions, np.arange(len(articles))
        ),
    }


def _level(
    model: FramingClassifier, u: Units, F: np.ndarray, S: np.ndarray, *, n_boot: int, seed: int
) -> dict:
    frames, stances = model.frames_, model.stances_
    out = {
        "frames": frame_metrics(u.Y_true, u.Y_pred, frames) if frames else None,
        "stance": stance_metrics(
            [stances[k] for k in u.s_true], [stances[k] for k in u.s_pred], stances
        )
        if stances
        else None,  # a codebook without stance
    }
    if frames:
        out["frames"]["ece"] = ece(u.Y_true, F)
    if stances:
        out["stance"]["ece"] = stance_ece(u.s_true, S)
    for name, (low, high) in confidence_intervals(u, n_boot=n_boot, seed=seed).items():
        group, metric = name.split(".")
        if group == "frame_f1":  # per-frame F1 intervals sit with the frame's scores
            target, metric = out["frames"]["per_frame"][frames[int(metric)]], "f1"
        else:
            target = out[group]
        target[f"{metric}_ci_low"] = low
        target[f"{metric}_ci_high"] = high
    out["reliability"] = _reliability(u, F, S)
    return out


def _reliability(u: Units, F: np.ndarray, S: np.ndarray, bins: int = 10) -> dict:
    """Reliability curves (scikit-learn's calibration_curve) for frames and top stance."""
    out = {}
    has_stance = S.shape[1] > 0 and len(S) > 0
    for name, y, p in (
        ("frames", u.Y_true.ravel(), F.ravel()),
        (
            "stance",
            (S.argmax(axis=1) == u.s_true).astype(int) if has_stance else np.zeros(0),
            S.max(axis=1) if has_stance else np.zeros(0),
        ),
    ):
        if len(np.unique(y)) < 2:
            continue
        true, predicted = calibration_curve(y, np.clip(p, 0, 1), n_bins=bins)
        counts = np.histogram(np.clip(p, 0, 1), bins=bins, range=(0, 1))[0]
        out[name] = {
            "mean_predicted": predicted.tolist(),
            "fraction_positive": true.tolist(),
            "bin_counts": counts.tolist(),
        }
    return out


def _cooccurrence(Y: np.ndarray) -> list[list[int]]:
    return (Y.T @ Y).astype(int).tolist()


def _errors(model, articles, u: Units, F: np.ndarray, n: int = N_ERRORS) -> dict:
    """For each frame, the most confident false positives and false negatives (paragraphs)."""
    where = [(a, i) for a in articles for i in range(len(a.paragraphs))]
    out = {}
    for j, frame in enumerate(model.frames_):
        fp = np.flatnonzero((u.Y_pred[:, j] == 1) & (u.Y_true[:, j] == 0))
        fn = np.flatnonzero((u.Y_pred[:, j] == 0) & (u.Y_true[:, j] == 1))
        fp = fp[np.argsort(-F[fp, j], kind="stable")][:n]
        fn = fn[np.argsort(F[fn, j], kind="stable")][:n]

        def rows(index, j=j):
            return [
                {
                    "article": where[k][0].id,
                    "paragraph": where[k][1],
                    "score": round(float(F[k, j]), 4),
                    "gold_frames": where[k][0].paragraphs[where[k][1]].frames,
                    "text": where[k][0].paragraphs[where[k][1]].text,
                }
                for k in index
            ]

        out[frame] = {"false_positives": rows(fp), "false_negatives": rows(fn)}
    return out


def _meta_value(article: Article, field: str) -> str | None:
    if field == "year":
        date = str(article.meta.get("date", ""))
        return date[:4] if date[:4].isdigit() else None
    if field == "origin":
        return article.origin
    value = article.meta.get(field)
    return str(value) if value not in (None, "") else None


def breakdown_fields(articles: list[Article]) -> list[str]:
    """Metadata fields to break scores down by: origin, voice, country and year first, then
    any other text field with 2 to 50 distinct values (source, language...)."""
    others = sorted(
        {
            k
            for a in articles
            for k, v in a.meta.items()
            if isinstance(v, str) and k not in NOT_GROUPS
        }
        - set(BREAKDOWN_FIRST)
    )
    fields = []
    for field in [*BREAKDOWN_FIRST, *others]:
        values = {_meta_value(a, field) for a in articles} - {None}
        if values and (field in BREAKDOWN_FIRST or 2 <= len(values) <= MAX_GROUPS):
            fields.append(field)
    return fields


def _breakdown(model, articles, predictions) -> dict:
    """Headline metrics per value of each metadata field (without intervals)."""
    out = {}
    for field in breakdown_fields(articles):
        values = [_meta_value(a, field) for a in articles]
        groups = {}
        for value in sorted({v for v in values if v is not None}):
            keep = [i for i, v in enumerate(values) if v == value]
            sub_a = [articles[i] for i in keep]
            sub_p = [predictions[i] for i in keep]
            lv = units(model, sub_a, sub_p)
            P = lv["paragraph"][0] if lv["paragraph"] else None
            A = lv["article"][0]
            stances = model.stances_
            groups[value] = {
                "n_articles": len(sub_a),
                "n_paragraphs": sum(len(a.paragraphs) for a in sub_a),
                "paragraph": None
                if P is None
                else {
                    "frames_micro_f1": frame_metrics(P.Y_true, P.Y_pred, model.frames_)["micro_f1"]
                    if model.frames_
                    else None,
                    "stance_macro_f1": stance_metrics(
                        [stances[k] for k in P.s_true], [stances[k] for k in P.s_pred], stances
                    )["macro_f1"]
                    if stances
                    else None,
                },
                "article": {
                    "frames_micro_f1": frame_metrics(A.Y_true, A.Y_pred, model.frames_)["micro_f1"]
                    if model.frames_
                    else None,
                    "stance_accuracy": float(np.mean(A.s_true == A.s_pred)) if stances else None,
                },
            }
        out[field] = groups
    return out


def score(
    model: FramingClassifier,
    articles: list[Article],
    predictions: list[dict],
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """Metrics of predictions against the gold labels of the same articles.

    Keys: ``n_articles``, ``n_paragraphs``, ``n_articles_paragraph_labels``, ``origin``,
    and for ``paragraph`` (None when no article is labeled per paragraph) and
    ``article``: ``frames`` (micro/macro/weighted F1, exact match, Hamming loss, ECE,
    ``per_frame``), ``stance`` (accuracy, macro-F1, F_avg, ECE, confusion), each
    headline value with ``<name>_ci_low`` / ``<name>_ci_high`` (95% bootstrap over
    articles), and ``reliability``; ``article.primary_frame_accuracy`` and
    ``article.cooccurrence``; ``breakdown`` by metadata; ``errors`` per frame;
    ``boilerplate`` flag precision and recall.
    """
    levels = units(model, articles, predictions)
    labeled = [articles[i] for i in levels["labeled"]]
    paragraph = (
        _level(model, *levels["paragraph"], n_boot=n_boot, seed=seed)
        if levels["paragraph"]
        else None
    )
    article = _level(model, *levels["article"], n_boot=n_boot, seed=seed)
    A = levels["article"][0]
    primary = [
        a.primary_frame == p.get("primary_frame")
        for a, p in zip(articles, predictions, strict=True)
        if a.paragraph_labels or a.primary_frame is not None
    ]
    article["primary_frame_accuracy"] = (
        float(np.mean(primary)) if primary and model.frames_ else None
    )
    article["cooccurrence"] = {
        "frames": list(model.frames_),
        "gold": _cooccurrence(A.Y_true),
        "predicted": _cooccurrence(A.Y_pred),
    }
    gold_boiler = np.array([p.boilerplate for a in labeled for p in a.paragraphs], dtype=bool)
    pred_boiler = np.array(
        [p["boilerplate"] for i in levels["labeled"] for p in predictions[i]["paragraphs"]],
        dtype=bool,
    )
    tp = int((gold_boiler & pred_boiler).sum())
    tn = int((~gold_boiler & ~pred_boiler).sum())
    return {
        "model": model.describe(),
        "n_articles": len(articles),
        "n_paragraphs": sum(len(a.paragraphs) for a in articles),
        "n_articles_paragraph_labels": len(labeled),
        "origin": dict(Counter(a.origin for a in articles)),
        "bootstrap": {"replicates": n_boot, "level": 0.95, "unit": "article", "seed": seed},
        "paragraph": paragraph,
        "article": article,
        "breakdown": _breakdown(model, articles, predictions),
        "errors": _errors(model, labeled, levels["paragraph"][0], levels["paragraph"][1])
        if levels["paragraph"]
        else {},
        "boilerplate": {
            "gold": int(gold_boiler.sum()),
            "flagged": int(pred_boiler.sum()),
            "precision": tp / max(int(pred_boiler.sum()), 1),
            "recall": tp / max(int(gold_boiler.sum()), 1),
            # the same for content, the paragraphs that must never be lost as furniture
            "content_precision": tn / max(int((~pred_boiler).sum()), 1),
            "content_recall": tn / max(int((~gold_boiler).sum()), 1),
        },
    }


def evaluate(
    model: FramingClassifier, articles: list[Article], *, n_boot: int = 1000, seed: int = 0
) -> dict:
    """Predict and score in one call; see :func:`score` for the keys."""
    return score(model, articles, predict_corpus(model, articles), n_boot=n_boot, seed=seed)


def evaluate_heldout(
    model: FramingClassifier,
    data: str | Path | None = None,
    split: str = "test",
    *,
    seeds: str | Path | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """:func:`evaluate` on held-out articles chosen by
    :func:`framing.data.heldout.load_heldout`; ``metrics['data']`` says which."""
    articles, label = load_heldout(data, split, model.codebook_, seeds=seeds)
    metrics = evaluate(model, articles, n_boot=n_boot, seed=seed)
    metrics["data"] = label
    return metrics


def _with_ci(group: dict, name: str) -> str:
    value = group[name]
    low, high = group.get(f"{name}_ci_low"), group.get(f"{name}_ci_high")
    if low is None:
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def format_table(metrics: dict) -> str:
    """A plain-text table of the headline and per-frame scores."""
    origin = ", ".join(f"{n} {o}" for o, n in sorted(metrics["origin"].items()))
    P, A = metrics["paragraph"], metrics["article"]
    whole = metrics["n_articles"] - metrics.get(
        "n_articles_paragraph_labels", metrics["n_articles"]
    )
    lines = [
        f"{metrics.get('data', 'data')}: {metrics['n_articles']} articles ({origin}),"
        f" {metrics['n_paragraphs']} paragraphs"
        + (f"; {whole} articles labeled only as a whole (article level only)" if whole else ""),
        f"model: {metrics['model']}",
        "",
        f"{'':26}{'paragraph':>24}{'article':>24}   (95% CI, articles resampled)",
    ]
    rows = [
        ("frames micro-F1", "frames", "micro_f1"),
        ("frames macro-F1", "frames", "macro_f1"),
        ("stance accuracy", "stance", "accuracy"),
        ("stance macro-F1", "stance", "macro_f1"),
    ]
    if A["stance"] is None:  # a codebook without stance
        rows = rows[:2]
    elif "f_avg" in A["stance"]:
        rows.append(("stance F_avg (fav/crit)", "stance", "f_avg"))
    if A["frames"] is None:  # a codebook without frames
        rows = [r for r in rows if r[1] != "frames"]
    for label, group, name in rows:
        left = _with_ci(P[group], name) if P else "-"
        lines.append(f"{label:26}{left:>24}{_with_ci(A[group], name):>24}")
    primary = A["primary_frame_accuracy"]
    lines.append(
        f"{'primary frame accuracy':26}{'':>24}"
        + (f"{primary:>24.3f}" if primary is not None else f"{'-':>24}")
    )
    for label, group in (("frames ECE", "frames"), ("stance ECE", "stance")):
        if A[group] is None:
            continue
        left = f"{P[group]['ece']:.3f}" if P else "-"
        lines.append(f"{label:26}{left:>24}{A[group]['ece']:>24.3f}")
    level = "paragraph" if P else "article"
    lines += ["", f"{'frame':24}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}   ({level} level)"]
    for frame, m in ((P or A)["frames"] or {"per_frame": {}})["per_frame"].items():
        lines.append(
            f"{frame:24}{m['precision']:7.3f}{m['recall']:7.3f}{m['f1']:7.3f}{m['support']:9d}"
        )
    B = metrics["boilerplate"]
    if P:
        lines += [
            "",
            f"page furniture: precision {B['precision']:.3f}, recall {B['recall']:.3f}"
            f" ({B['gold']} marked); content: precision {B['content_precision']:.3f},"
            f" recall {B['content_recall']:.3f}",
        ]
    return "\n".join(lines)


def write_metrics(metrics: dict, out: str | Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "metrics.json"
    path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return path
