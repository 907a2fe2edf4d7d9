"""The built-in models, by the names a user types: ``default``, ``fast``, ``accurate``.

- ``default`` (the encoder family) ships trained inside the package
  (``framing/builtin/default``: safetensors and JSON; the encoder it uses is named,
  not copied), so the first ``framing classify`` starts at once. ``framing train
  --config`` with its ``train.toml`` rebuilds it from the bundled corpus, label for
  label when it runs as the shipped model was built: on :data:`BUILD_THREADS`
  threads with an empty embedding cache (bfloat16 embeddings and the BLAS sums of the
  logistic fits differ in their last digits with the thread count, and embeddings with
  the batch a text was first read in)::

      OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 FRAMING_CACHE=$(mktemp -d) framing train \
          --config framing/builtin/default/train.toml --out framing/builtin/default --force
- ``fast`` (tfidf) and ``accurate`` (the tfidf + encoder ensemble) are trained from
  the bundled corpus on first use and cached.

Why these: ``python benchmarks/models.py`` and ``benchmarks/cv.py`` (see the
README). The default is the best model on the real articles among those that run at
25 articles per second or more on two cores (27 in the latest run); grouped
cross-validation on the authored corpus prefers tfidf and the ensemble.

The cache folder is ``$FRAMING_CACHE``, else ``$XDG_CACHE_HOME/framing``, else
``~/.cache/framing``. A cached model's name holds the package version, the name
and a hash of the bundled corpus and codebook, so an upgrade or a corpus change
trains a fresh one instead of reusing a stale model. A cached model whose files
no longer match their digest is rebuilt; a damaged shipped model is an error.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from framing.data.codebook import default_codebook_path
from framing.data.paths import cache_dir
from framing.data.splits import bundled_corpus_dir, split_files
from framing.errors import FramingError
from framing.models.base import is_model_dir, model_is_intact
from framing.train.train import train

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "builtin"


@dataclass(frozen=True)
class Builtin:
    """A built-in model: its family and settings, whether it ships trained, and what it is
    for (shown in ``--help`` and the README)."""

    family: str
    settings: dict = field(default_factory=dict)
    shipped: bool = False
    about: str = ""


BUILTINS = {
    "default": Builtin(
        "encoder",
        shipped=True,
        about="frozen MiniLM encoder with logistic heads; ships trained (1 MB of heads)",
    ),
    "fast": Builtin("tfidf", about="tfidf n-grams with logistic heads; trained on first use"),
    "accurate": Builtin(
        "ensemble",
        {"members": ["tfidf", "encoder"]},
        about="tfidf + encoder, weights chosen on held-out articles; trained on first use",
    ),
}
DEFAULT_NAME = "default"
# The threads the shipped model is built on (see the module docstring).
BUILD_THREADS = 2


def _corpus_fingerprint() -> str:
    digest = hashlib.sha256(default_codebook_path().read_bytes())
    for name, path in sorted(split_files(bundled_corpus_dir()).items()):
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def shipped_model_dir(name: str = DEFAULT_NAME) -> Path:
    """Where a shipped built-in model lives inside the package."""
    return SHIPPED_DIR / name


def cached_model_dir(name: str) -> Path:
    """Where a built-in model trained on first use is cached."""
    from framing import __version__

    return cache_dir() / f"builtin-{name}-{__version__}-{_corpus_fingerprint()}"


def resolve_model(spec: str | Path | None = None) -> Path:
    """The model directory for ``spec``: a built-in name (``default`` when None) or a path.

    A name that is also an existing path is taken as the path (write ``./fast`` to be
    explicit). Built-in models not shipped are trained on first use and cached.
    """
    if spec is None:
        spec = DEFAULT_NAME
    path = Path(spec)
    if str(spec) in BUILTINS and not path.exists():
        return ensure_builtin(str(spec))
    return path


def ensure_builtin(name: str) -> Path:
    """Path of built-in model ``name``: the shipped folder, or the cached one (trained first
    when it is not there yet or damaged; a file lock makes concurrent first runs train it
    once, the others wait and use it)."""
    if name not in BUILTINS:
        raise FramingError(f"no built-in model {name!r}; expected one of {', '.join(BUILTINS)}")
    spec = BUILTINS[name]
    if spec.shipped:
        path = shipped_model_dir(name)
        if is_model_dir(path) and model_is_intact(path):
            return path
        raise FramingError(
            f"the shipped {name} model in {path} is missing or damaged; reinstall framing, or"
            f" rebuild it with `framing train --config {path / 'train.toml'} --out DIR`"
            " and pass --model DIR"
        )
    path = cached_model_dir(name)
    if is_model_dir(path) and model_is_intact(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.parent / f".{path.name}.lock")):
        if is_model_dir(path) and model_is_intact(path):
            return path  # built by another process while this one waited
        if path.exists():
            why = (
                "its files do not match the digest written when it was built"
                if is_model_dir(path)
                else "it was written by an older version of framing"
            )
            logger.warning(f"the cached {name} model in {path} is damaged ({why}); rebuilding it")
            shutil.rmtree(path)  # a cache folder of ours, named for this model only
        else:
            logger.warning(
                f"training the built-in {name} model ({spec.family}) from the bundled corpus"
                f" (first use only; cached in {path})"
            )
        build_builtin(name, path)
    return path


def build_builtin(name: str, out: Path, *, force: bool = False) -> Path:
    """Train built-in model ``name`` from the bundled corpus into ``out``."""
    spec = BUILTINS[name]
    return train(
        bundled_corpus_dir(), out, family=spec.family, settings=dict(spec.settings), force=force
    ).path
