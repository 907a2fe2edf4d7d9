"""Train a model family on a labeled corpus, tune its thresholds, save it with a card."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.splits import HELDOUT_ONLY, bundled_corpus_dir, corpus_codebook, load_splits
from framing.errors import FramingError
from framing.eval.evaluate import evaluate
from framing.models.base import (
    FramingClassifier,
    apply_umask,
    family_class,
    is_model_dir,
    make_model,
)
from framing.train.card import write_card
from framing.train.config import CONFIG_NAME, save_config
from framing.train.fit import fit_and_tune

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What a training run produced and measured."""

    model: FramingClassifier
    path: Path | None
    sizes: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Lines for the terminal: what was trained, on what, and its held-out scores."""
        sizes = ", ".join(f"{k}: {v['articles']} articles" for k, v in self.sizes.items())
        where = f"; saved to {self.path}" if self.path else ""
        lines = [f"trained {self.model.family} in {self.seconds:.1f} s ({sizes}){where}"]
        for name, metrics in self.scores.items():
            level = "paragraph" if metrics["paragraph"] else "article"
            frames, stance = metrics[level]["frames"], metrics[level]["stance"]
            parts = [f"frames micro-F1 {frames['micro_f1']:.3f}"] if frames else []
            parts += [f"stance macro-F1 {stance['macro_f1']:.3f}"] if stance else []
            lines.append(f"  {name}: {level} " + ", ".join(parts))
        return "\n".join(lines)


def train(
    data: str | Path | None,
    out: str | Path | None,
    *,
    family: str = "tfidf",
    codebook: Codebook | str | Path | None = None,
    settings: dict | None = None,
    seed: int = 0,
    force: bool = False,
    tune_on: str = "auto",
) -> TrainResult:
    """Train ``family`` on the corpus at ``data`` and save it to ``out``.

    Parameters
    ----------
    data : a labeled corpus file, or a folder with train (and dev, test) files, or a
        folder saved by ``datasets``; None for the bundled corpus.
    out : the model directory to write (a temporary folder beside it is renamed into
        place); None to not save. An existing model directory is replaced only with
        ``force``; any other non-empty folder is refused before training starts.
    family : a model family name (see ``framing.models.base.FAMILIES``).
    tune_on : the level the frame thresholds maximise F1 at: ``paragraph``, ``article``,
        or ``auto`` (article when any tuning article is labeled only as a whole).
    seed : the seed of the tuning hold-out, the article-stance folds, and of
        the family when it has a ``seed`` setting.
    codebook : a Codebook or codebook path; default: the corpus folder's
        ``codebook.yaml`` if it has one, else the bundled codebook.
    settings : family settings overriding the defaults.

    Examples
    --------
    >>> result = train("corpus.jsonl", "models/tfidf")  # doctest: +SKIP
    """
    if out is not None:
        check_out(out, force=force)
    data = Path(data) if data is not None else bundled_corpus_dir()
    codebook = corpus_codebook(data, codebook)
    splits = load_splits(data, codebook)
    train_articles = splits.get("train") or splits.get("all")
    if not train_articles:
        raise FramingError(f"{data}: no training articles found")
    real = [a.id for a in train_articles if a.origin == "real"]
    if real:
        logger.warning(
            f"note: {len(real)} training articles have origin 'real'; scores on real text"
            " must then come from other articles"
        )
    settings = dict(settings or {})
    if "seed" in family_class(family).setting_names():
        settings.setdefault("seed", seed)
    started = time.perf_counter()
    model = make_model(family, codebook=codebook, **settings)
    requested = model.settings()
    notes = fit_and_tune(model, train_articles, splits.get("dev"), seed=seed, tune_on=tune_on)
    seconds = time.perf_counter() - started
    sizes = {
        name: {"articles": len(arts), "paragraphs": sum(len(a.paragraphs) for a in arts)}
        for name, arts in splits.items()
    }
    scores = {
        name: evaluate(model, arts)
        for name, arts in splits.items()
        if name in ("dev", "test", *HELDOUT_ONLY) and arts
    }
    where = "bundled corpus" if data.resolve() == bundled_corpus_dir().resolve() else str(data)
    result = TrainResult(model, None, sizes, scores, seconds, notes)
    if out is not None:

        def write(folder: Path) -> None:
            model.save(folder)
            save_config(model, seed, where, folder / CONFIG_NAME, requested)
            write_card(
                folder,
                model,
                data=where,
                sizes=sizes,
                scores=scores,
                notes=notes,
                seconds=seconds,
                trained_on=date.today().isoformat(),
            )
            apply_umask(folder)

        result.path = publish(write, out, force=force)
    return result


def check_out(out: str | Path, *, force: bool = False) -> Path:
    """Check that ``out`` may receive a model; called before any training starts.

    A missing or empty folder may; a framing model directory only with ``force``; any
    other existing file or folder never (training never deletes what it did not write).
    """
    out = Path(out)
    resolved = out.resolve()
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        raise FramingError(
            f"--out {out} is the current folder or holds it; give a new folder for the model"
        )
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise FramingError(f"--out {out} exists and is not a folder; choose a new path")
    if out.is_dir() and any(out.iterdir()):
        if not is_model_dir(out):
            raise FramingError(
                f"--out {out}: folder exists and is not a framing model directory; nothing"
                " was written; choose a new --out path"
            )
        if not force:
            raise FramingError(
                f"--out {out} holds a framing model already; pass --force to replace it, or"
                " choose a new --out path"
            )
    return out


def publish(write, out: str | Path, *, force: bool = False) -> Path:
    """Call ``write(folder)`` on a temporary folder beside ``out`` and put it in place of
    ``out`` (checked again with :func:`check_out`); the old model is removed only once
    the new one is there. On any failure ``out`` is left as it was."""
    out = check_out(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    old = None
    try:
        write(staging)
        check_out(out, force=force)
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
        os.rename(staging, out)
    except BaseException:
        if old is not None and not out.exists():
            os.rename(old, out)
            old = None
        raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        if old is not None:
            shutil.rmtree(old)
    return out
