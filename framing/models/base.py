"""The one classifier interface every model family implements.

A :class:`FramingClassifier` labels paragraphs. It has scikit-learn's verbs
(``fit``, ``predict``, ``predict_proba``) plus ``save`` and ``load``, takes and
returns codebook ids (strings) at its edges, and keeps integers and arrays
inside. Two heads share one input: frames (multi-label, one probability per
frame, each with its own decision threshold) and stance (single-label, one
probability per stance label, summing to one).

A saved model is a directory: ``config.json`` (family, settings, labels,
thresholds), ``codebook.yaml``, weights in safetensors or JSON, and a model
card. Loading reads only those formats; nothing is unpickled or executed.
"""

from __future__ import annotations

import abc
import hashlib
import importlib
import inspect
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from framing.data.codebook import Codebook, load_codebook
from framing.errors import FramingError

CONFIG_FILE = "config.json"
CODEBOOK_FILE = "codebook.yaml"
# Written last by save(): it marks a folder as a framing model (only such a folder may be
# replaced by training) and holds a digest of the files that decide its predictions.
MARKER_FILE = ".framing-model"
_NOT_DIGESTED = {MARKER_FILE, "README.md", "train.toml"}

# Model families by name: the CLI's --model choices. Imported on use, so that
# `framing --help` never pays for torch.
FAMILIES = {
    "tfidf": "framing.models.tfidf:TfidfClassifier",
    "keywords": "framing.models.keywords:KeywordsClassifier",
    "encoder": "framing.models.encoder:EncoderClassifier",
    "ensemble": "framing.models.ensemble:EnsembleClassifier",
    "zeroshot": "framing.models.zeroshot:ZeroShotClassifier",
    "finetune": "framing.models.finetune:FinetuneClassifier",
}


class Scores(NamedTuple):
    """Probabilities for a batch of paragraphs.

    frames : array (n_texts, n_frames), independent per-frame probabilities.
    stance : array (n_texts, n_stances), rows sum to one.
    vectors : array (n_texts, dim), the texts' representation, for families that embed
        text (the article-stance layer reads it); None for the others.
    """

    frames: np.ndarray
    stance: np.ndarray
    vectors: np.ndarray | None = None


@dataclass(frozen=True)
class Labels:
    """The labels predicted for one paragraph, as codebook ids."""

    frames: list[str]
    stance: str | None


def family_class(name: str) -> type[FramingClassifier]:
    """The classifier class of a family name such as ``'tfidf'``."""
    if name not in FAMILIES:
        raise FramingError(f"unknown model family {name!r}; expected one of {', '.join(FAMILIES)}")
    module, _, attr = FAMILIES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def make_model(family: str, *, codebook: Codebook | None = None, **settings) -> FramingClassifier:
    """A new, unfitted classifier of ``family``; an unknown setting is a FramingError."""
    cls = family_class(family)
    known = cls.setting_names()
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise FramingError(
            f"unknown setting {unknown[0]!r} for model family {family!r}; expected one"
            f" of: {', '.join(known) or '(none)'}"
        )
    return cls(codebook=codebook, **settings)


class FramingClassifier(BaseEstimator, abc.ABC):
    """Base class: paragraph-level frames and stance.

    A scikit-learn estimator: ``__init__`` stores its keyword-only settings and
    nothing else, so ``get_params``, ``set_params`` and ``sklearn.base.clone``
    work; settings are checked in ``fit`` (and when a saved model is loaded).
    Subclasses set ``family`` and implement ``_fit(texts, Y, y)``,
    ``_predict_proba(texts)``, ``_save(path)`` and ``_load(path)``; ``Y`` is a 0/1
    array (n, n_frames), ``y`` holds stance indexes (n,).

    Learned attributes (after ``fit`` or ``load``): ``codebook_``,
    ``frames_`` and ``stances_`` (codebook ids, column order of the scores),
    ``thresholds_`` (array (n_frames,)), ``calibration_``, ``article_stance_``
    and ``boilerplate_`` (None when absent), ``language_`` (the training text's
    language code when known, e.g. ``'en'``).
    """

    family: ClassVar[str] = ""
    # False for baselines that do not learn frames from data (they cannot overfit).
    learns_frames: ClassVar[bool] = True
    # False for fixed-rule baselines whose scores must stay as the rules give them
    # (no calibration, no threshold tuning).
    tunable: ClassVar[bool] = True
    # False for families too slow to refit five times (the article-stance layer is then
    # left out and the article stance is the word-weighted mean of paragraph stances).
    cross_fit_cheap: ClassVar[bool] = True

    def __init__(self, *, codebook: Codebook | None = None):
        self.codebook = codebook

    # ------------------------------------------------------------------ settings

    # Settings added after models of the family were first saved, with the value that
    # gives what those models did; a saved model without them loads with these.
    later_settings: ClassVar[dict] = {}

    @classmethod
    def setting_names(cls) -> list[str]:
        """The family's settings: every ``__init__`` parameter but ``codebook``."""
        return [name for name in cls._get_param_names() if name != "codebook"]

    def settings(self) -> dict:
        """The settings as plain JSON/TOML values (tuples become lists)."""
        return {
            name: list(v) if isinstance(v, tuple) else v
            for name in self.setting_names()
            for v in [getattr(self, name)]
        }

    def _check_settings(self) -> None:
        """Check every setting's type against its default; families add range checks."""
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if name in self.setting_names()
        }
        for name, default in defaults.items():
            value = getattr(self, name)
            if default is None:
                continue
            expected = (int, float) if type(default) is float else type(default)
            if isinstance(default, tuple):
                expected = (tuple, list)
            ok = isinstance(value, expected) and not (
                isinstance(value, bool) and not isinstance(default, bool)
            )
            if not ok:
                raise FramingError(
                    f"setting {name!r} of model family {self.family!r} must be"
                    f" {type(default).__name__}, got {type(value).__name__} {value!r:.40}"
                )

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        texts: Sequence[str],
        frames: Sequence[Sequence[str]],
        stances: Sequence[str],
        *,
        eval_set: tuple | None = None,
    ) -> FramingClassifier:
        """Learn from labeled paragraphs.

        Parameters
        ----------
        texts : n paragraph texts.
        frames : n lists of frame ids (possibly empty).
        stances : n stance ids.
        eval_set : optional held-out ``(texts, frames, stances)`` for families that
            stop training early on it; the others ignore it.

        Returns
        -------
        self
        """
        self._check_settings()
        codebook = self.codebook or load_codebook()
        texts = _check_texts(texts)
        if not (len(texts) == len(frames) == len(stances)):
            raise FramingError(
                f"fit needs as many frame lists and stances as texts; got {len(texts)} texts,"
                f" {len(frames)} frame lists, {len(stances)} stances"
            )
        if not texts:
            raise FramingError("fit needs at least one labeled paragraph; got none")
        self._start(codebook)
        Y = self.encode_frames(frames)
        y = self.encode_stances(stances)
        # Families that stop early read the encoded eval set while they fit.
        self._eval_set = None
        if eval_set is not None:
            dev_texts, dev_frames, dev_stances = eval_set
            self._eval_set = (
                _check_texts(dev_texts),
                self.encode_frames(dev_frames),
                self.encode_stances(dev_stances),
            )
        try:
            self._fit(texts, Y, y)
        finally:
            self._eval_set = None
        return self

    def refit_params(self) -> dict:
        """Settings for refitting on all the data after a fit that stopped early on
        held-out data (for example the epoch count that scored best); empty for
        families that fit the same way with or without held-out data."""
        return {}

    def _start(self, codebook: Codebook, thresholds=None) -> None:
        """Set the labels from ``codebook`` and clear everything learned before."""
        self.codebook_ = codebook
        self.frames_ = codebook.frame_ids
        self.stances_ = codebook.stance_ids
        self.thresholds_ = (
            np.full(len(self.frames_), 0.5)
            if thresholds is None
            else np.asarray(thresholds, dtype=np.float64)
        )
        self.calibration_ = None
        self.article_stance_ = None
        self.boilerplate_ = None
        self.language_ = None

    def encode_frames(self, frames: Sequence[Sequence[str]]) -> np.ndarray:
        """Frame id lists to a 0/1 array (n, n_frames); unknown ids raise FramingError."""
        index = {f: j for j, f in enumerate(self.frames_)}
        Y = np.zeros((len(frames), len(self.frames_)), dtype=np.int64)
        for i, labels in enumerate(frames):
            if isinstance(labels, str):
                raise FramingError(
                    f"frames of item {i} must be a list of ids, got the string {labels!r}"
                )
            for f in labels:
                if f not in index:
                    raise FramingError(f"item {i}: {self.codebook_.check_frame(f)}")
                Y[i, index[f]] = 1
        return Y

    def encode_stances(self, stances: Sequence[str]) -> np.ndarray:
        """Stance ids to indexes (n,); unknown ids raise FramingError. A codebook without
        stance gives an empty-width placeholder (zeros) that no family reads."""
        if not self.stances_:
            return np.zeros(len(stances), dtype=np.int64)
        index = {s: j for j, s in enumerate(self.stances_)}
        out = np.empty(len(stances), dtype=np.int64)
        for i, s in enumerate(stances):
            if s not in index:
                raise FramingError(f"item {i}: {self.codebook_.check_stance(s)}")
            out[i] = index[s]
        return out

    def tune_thresholds(
        self, texts: Sequence[str], frames: Sequence[Sequence[str]]
    ) -> FramingClassifier:
        """Set each frame's threshold to the one that maximises its F1 on held-out paragraphs.

        Frames with no positive example in ``texts`` keep their threshold.
        """
        from framing.models.thresholds import best_thresholds

        self._check_fitted()
        proba = self.predict_proba(texts).frames
        Y = self.encode_frames(frames)
        self.thresholds_ = best_thresholds(Y, proba, default=self.thresholds_)
        return self

    def calibrate(
        self,
        texts: Sequence[str],
        frames: Sequence[Sequence[str]],
        stances: Sequence[str],
        groups: Sequence[str],
    ) -> dict:
        """Fit probability calibration on held-out paragraphs, kept only where a
        grouped cross-validation shows it lowers the calibration error.

        ``groups`` names each paragraph's article. Returns the ECE report.
        """
        from framing.models.calibration import choose_calibration

        self._check_fitted()
        self.calibration_ = None
        raw = self.predict_proba(texts)
        chosen = choose_calibration(
            self.encode_frames(frames),
            raw.frames,
            self.encode_stances(stances),
            raw.stance,
            np.asarray(groups),
        )
        frames_params, temperature = chosen["frames"], chosen["stance_temperature"]
        if frames_params is not None or temperature is not None:
            self.calibration_ = {
                "frames": None if frames_params is None else frames_params.tolist(),
                "stance_temperature": temperature,
            }
        return chosen["report"]

    # ------------------------------------------------------------------ predicting

    def predict_proba(self, texts: Sequence[str]) -> Scores:
        """Frame and stance probabilities for each text.

        Returns
        -------
        Scores with ``frames`` (n, n_frames) and ``stance`` (n, n_stances).
        """
        self._check_fitted()
        texts = _check_texts(texts)
        if not texts:
            return Scores(np.zeros((0, len(self.frames_))), np.zeros((0, len(self.stances_))))
        frames, stance, *vectors = self._predict_proba(texts)
        frames = np.asarray(frames, dtype=np.float64)
        stance = np.asarray(stance, dtype=np.float64)
        calibration = self.calibration_
        if calibration:
            from framing.models.calibration import apply_platt, apply_temperature

            if calibration.get("frames") is not None:
                frames = apply_platt(frames, np.asarray(calibration["frames"]))
            if calibration.get("stance_temperature") is not None:
                stance = apply_temperature(stance, calibration["stance_temperature"])
        return Scores(frames, stance, vectors[0] if vectors else None)

    def decide(self, scores: Scores) -> list[Labels]:
        """Turn probabilities into labels with the per-frame thresholds."""
        present = scores.frames >= self.thresholds_
        stances = (
            [self.stances_[int(k)] for k in scores.stance.argmax(axis=1)]
            if self.stances_
            else [None] * len(present)
        )
        return [
            Labels([f for f, on in zip(self.frames_, row, strict=True) if on], stance)
            for row, stance in zip(present, stances, strict=True)
        ]

    def predict(self, texts: Sequence[str]) -> list[Labels]:
        """Frames (ids above their thresholds) and stance (most probable id) for each text."""
        return self.decide(self.predict_proba(texts))

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> Path:
        """Write the model as a directory (created if needed); returns its path."""
        from framing import __version__

        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        config = {
            "family": self.family,
            "framing_version": __version__,
            "settings": self.settings(),
            "codebook": {"name": self.codebook_.name, "version": self.codebook_.version},
            "frames": self.frames_,
            "stances": self.stances_,
            "thresholds": [float(t) for t in self.thresholds_],
            "calibration": self.calibration_,
            "language": self.language_,
            "article_stance": None
            if self.article_stance_ is None
            else self.article_stance_.to_dict(),
        }
        (path / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        self.codebook_.save(path / CODEBOOK_FILE)
        if self.boilerplate_ is not None:
            self.boilerplate_.save(path)
        self._save(path)
        marker = {"format": 1, "family": self.family, "digest": model_digest(path)}
        (path / MARKER_FILE).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        apply_umask(path)
        return path

    @staticmethod
    def load(path: str | Path) -> FramingClassifier:
        """Load a model directory written by ``save``, whatever its family.

        Only JSON, YAML and safetensors are read: nothing is unpickled or
        executed. A missing, unknown or ill-typed entry is a FramingError that
        names the file and the key.
        """
        from framing.models.article_stance import ArticleStanceHead
        from framing.models.boilerplate import BoilerplateDetector

        path = Path(path)
        config_path = path / CONFIG_FILE
        config = read_model_config(path)
        cls = family_class(config["family"])
        settings = config["settings"]
        known = cls.setting_names()
        for key in sorted(set(settings) - set(known)):
            raise FramingError(
                f"{config_path}: unknown setting {key!r} for model family {cls.family!r};"
                " the model was written by another version of framing, retrain it"
            )
        settings = {**cls.later_settings, **settings}
        for key in known:
            if key not in settings:
                raise FramingError(
                    f"{config_path}: setting {key!r} is missing; the file is damaged or was"
                    " written by another version of framing, retrain the model"
                )
        model = cls(codebook=load_codebook(path / CODEBOOK_FILE), **settings)
        try:
            model._check_settings()
        except FramingError as exc:
            raise FramingError(f"{config_path}: {exc}") from None
        model._start(model.codebook, config["thresholds"])
        if list(config["frames"]) != model.frames_ or list(config["stances"]) != model.stances_:
            raise FramingError(
                f"{config_path}: 'frames' and 'stances' do not match {path / CODEBOOK_FILE};"
                " restore the model directory or retrain it"
            )
        model.calibration_ = config["calibration"]
        language = config.get("language")
        model.language_ = language if isinstance(language, str) else None
        if config["article_stance"]:
            model.article_stance_ = ArticleStanceHead.from_dict(
                config["article_stance"], place=f"{config_path}: article_stance"
            )
        try:
            model.boilerplate_ = BoilerplateDetector.load(path)
            model._load(path)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            if isinstance(exc, FramingError):
                raise
            raise FramingError(
                f"{path}: the model's files do not fit together ({type(exc).__name__}: {exc});"
                " the directory is damaged, retrain the model"
            ) from None
        return model

    # ------------------------------------------------------------------ for subclasses

    def _check_fitted(self) -> None:
        if not hasattr(self, "thresholds_"):
            raise FramingError(
                f"this {type(self).__name__} is not fitted yet; call fit() or load a saved model"
            )

    @abc.abstractmethod
    def _fit(self, texts: list[str], Y: np.ndarray, y: np.ndarray) -> None:
        """Learn from paragraphs ``texts``, frame indicators ``Y`` and stance indexes ``y``."""

    @abc.abstractmethod
    def _predict_proba(self, texts: list[str]) -> tuple[np.ndarray, ...]:
        """Raw (uncalibrated) frame and stance probabilities; families that embed text
        may add the texts' vectors as a third array."""

    @abc.abstractmethod
    def _save(self, path: Path) -> None:
        """Write the family's own weights into ``path``."""

    @abc.abstractmethod
    def _load(self, path: Path) -> None:
        """Read what ``_save`` wrote."""

    def describe(self) -> str:
        """A one-line name for predictions and reports."""
        from framing import __version__

        return f"framing {__version__} {self.family} ({self.codebook_.label})"


def model_digest(path: str | Path) -> str:
    """SHA-256 over the names and bytes of a model directory's files (the model card,
    ``train.toml`` and the marker left out): equal digests, equal predictions."""
    path = Path(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        relative = file.relative_to(path).as_posix()
        if relative in _NOT_DIGESTED:
            continue
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def is_model_dir(path: str | Path) -> bool:
    """Whether ``path`` is a folder that :meth:`FramingClassifier.save` wrote."""
    return (Path(path) / MARKER_FILE).is_file()


def model_is_intact(path: str | Path) -> bool:
    """Whether a model directory's files still have the digest written when it was saved."""
    try:
        marker = json.loads((Path(path) / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("digest") == model_digest(path)


def apply_umask(path: str | Path) -> None:
    """Give a written folder the user's usual permissions (safetensors and temporary
    folders are private by default; Dask workers of another user must read a model)."""
    mask = os.umask(0)
    os.umask(mask)
    for root, _dirs, files in os.walk(path):
        os.chmod(root, 0o777 & ~mask)
        for name in files:
            os.chmod(os.path.join(root, name), 0o666 & ~mask)


_CONFIG_SHAPE = {
    "family": str,
    "settings": dict,
    "frames": list,
    "stances": list,
    "thresholds": list,
    "calibration": (dict, type(None)),
    "article_stance": (dict, type(None)),
}


def read_model_config(path: Path) -> dict:
    """``config.json`` of a model directory, checked for shape; FramingError names the key."""
    config_path = path / CONFIG_FILE
    if not config_path.is_file():
        raise FramingError(
            f"{path}: not a model directory (no {CONFIG_FILE}); train one with 'framing train'"
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FramingError(f"{config_path}: unreadable model config ({exc})") from None
    if not isinstance(config, dict):
        raise FramingError(f"{config_path}: expected a JSON object, got {type(config).__name__}")
    for key, kind in _CONFIG_SHAPE.items():
        if key not in config:
            raise FramingError(f"{config_path}: key {key!r} is missing; retrain the model")
        if not isinstance(config[key], kind):
            raise FramingError(
                f"{config_path}: key {key!r} has the wrong type"
                f" ({type(config[key]).__name__}); retrain the model"
            )
    if len(config["thresholds"]) != len(config["frames"]) or not all(
        isinstance(t, (int, float)) for t in config["thresholds"]
    ):
        raise FramingError(
            f"{config_path}: key 'thresholds' must hold one number per frame; retrain the model"
        )
    return config


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise FramingError("expected a list of texts, got a single string; wrap it in a list")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise FramingError(f"text {i} is {type(t).__name__}, expected str")
    return texts
