"""Train a model family on a labeled corpus, tune its thresholds, save it with a card."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from framing.data.codebook import Codebook, load_codebook
from framing.data.corpus import Article
from framing.data.splits import load_splits, split_articles
from framing.errors import FramingError
from framing.models.base import FramingClassifier, family_class

MIN_ARTICLES_TO_TUNE = 8
HOLDOUT_FRACTION = 0.15


@dataclass
class TrainResult:
    """What a training run produced and measured."""

    model: FramingClassifier
    path: Path | None
    sizes: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def paragraph_rows(articles: list[Article]) -> tuple[list[str], list[list[str]], list[str]]:
    texts, frames, stances = [], [], []
    for article in articles:
        for p in article.paragraphs:
            texts.append(p.text)
            frames.append(list(p.frames or []))
            stances.append(p.stance)
    return texts, frames, stances


def fit_and_tune(
    model: FramingClassifier, train: list[Article], dev: list[Article] | None, *, seed: int = 0
) -> list[str]:
    """Fit on ``train``; on ``dev``, calibrate probabilities (when that helps) and tune
    the per-frame thresholds.

    Without dev articles, 15% of the training articles are held out for tuning
    and the model is then refit on all of them with the tuned thresholds.
    Returns notes on what was done, for the model card.
    """
    from framing.models.article_stance import fit_article_stance
    from framing.models.boilerplate import fit_boilerplate

    notes = []
    if not model.tunable:
        model.fit(*paragraph_rows(train))
        return [f"{model.family} is a fixed-rule baseline: no calibration or threshold tuning"]
    if not dev and len(train) < MIN_ARTICLES_TO_TUNE:
        model.fit(*paragraph_rows(train))
        return [f"only {len(train)} articles: thresholds left at 0.5 (no tuning data)"]
    refit = not dev
    if refit:
        train, dev = split_articles(train, (1 - HOLDOUT_FRACTION, HOLDOUT_FRACTION), seed=seed)
        where = f"{len(dev)} held-out training articles"
    else:
        where = f"the dev split ({len(dev)} articles)"
    dev_rows = paragraph_rows(dev)
    model.fit(*paragraph_rows(train), eval_set=dev_rows)
    groups = [a.id for a in dev for _ in a.paragraphs]
    report = model.calibrate(*dev_rows, groups)
    model.tune_thresholds(dev_rows[0], dev_rows[1])
    kept = model.calibration_ or {}
    notes.append(
        f"calibration on {where}: frames ECE {report['frames_ece_raw']:.3f} raw vs"
        f" {report.get('frames_ece_calibrated_cv', float('nan')):.3f} Platt-scaled (grouped CV),"
        f" {'kept' if kept.get('frames') is not None else 'not kept'}; stance ECE"
        f" {report['stance_ece_raw']:.3f} raw vs"
        f" {report.get('stance_ece_calibrated_cv', float('nan')):.3f} temperature-scaled,"
        f" {'kept' if kept.get('stance_temperature') is not None else 'not kept'}"
    )
    notes.append(f"thresholds tuned on {where} to maximise each frame's F1")
    if refit:
        thresholds, calibration = model.thresholds_.copy(), model.calibration_
        model.fit(*paragraph_rows(train + dev))
        model.thresholds_, model.calibration_ = thresholds, calibration
        train = train + dev
        notes.append("then refit on all training articles, keeping thresholds and calibration")
    notes.append(fit_boilerplate(model, train))
    notes.append(fit_article_stance(model, train, seed=seed))
    return notes


def train(
    data: str | Path,
    out: str | Path | None,
    *,
    family: str = "tfidf",
    codebook: Codebook | str | Path | None = None,
    settings: dict | None = None,
    seed: int = 0,
    log=None,
) -> TrainResult:
    """Train ``family`` on the corpus at ``data`` and save it to ``out``.

    Parameters
    ----------
    data : a labeled corpus file, or a folder with train (and dev, test) files.
    out : the model directory to write (replaced atomically); None to not save.
    family : a model family name (see ``framing.models.base.FAMILIES``).
    codebook : a Codebook or codebook path; default: the corpus folder's
        ``codebook.yaml`` if it has one, else the bundled codebook.
    settings : family settings overriding the defaults.

    Examples
    --------
    >>> result = train("corpus.jsonl", "models/tfidf")  # doctest: +SKIP
    """
    from framing.eval.evaluate import evaluate
    from framing.models.card import write_card
    from framing.train.config import CONFIG_NAME, save_config

    log = log or (lambda message: print(message, file=sys.stderr))
    data = Path(data)
    if not isinstance(codebook, Codebook):
        if codebook is None and data.is_dir() and (data / "codebook.yaml").is_file():
            codebook = data / "codebook.yaml"
        codebook = load_codebook(codebook)
    splits = load_splits(data, codebook)
    train_articles = splits.get("train") or splits.get("all")
    if not train_articles:
        raise FramingError(f"{data}: no training articles found")
    real = [a.id for a in train_articles if a.origin == "real"]
    if real:
        log(
            f"note: {len(real)} training articles have origin 'real'; scores on real text"
            " must then come from other articles"
        )
    settings = dict(settings or {})
    cls = family_class(family)
    if "seed" in {f.name for f in fields(cls.Config)}:
        settings.setdefault("seed", seed)
    started = time.perf_counter()
    model = cls(codebook=codebook, **settings)
    notes = fit_and_tune(model, train_articles, splits.get("dev"), seed=seed)
    seconds = time.perf_counter() - started
    sizes = {
        name: {"articles": len(arts), "paragraphs": sum(len(a.paragraphs) for a in arts)}
        for name, arts in splits.items()
    }
    scores = {
        name: evaluate(model, arts)
        for name, arts in splits.items()
        if name in ("dev", "test") and arts
    }
    result = TrainResult(model, None, sizes, scores, seconds, notes)
    if out is not None:
        out = Path(out)
        if out.exists() and not (out / "config.json").is_file() and any(out.iterdir()):
            raise FramingError(
                f"{out}: folder exists and is not a model directory; choose a new --out path"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            model.save(staging)
            save_config(model, seed, str(data), staging / CONFIG_NAME)
            write_card(
                staging,
                model,
                data=str(data),
                sizes=sizes,
                scores=scores,
                notes=notes,
                seconds=seconds,
                trained_on=date.today().isoformat(),
            )
            if out.exists():
                shutil.rmtree(out)
            staging.rename(out)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        result.path = out
    return result
