"""The default model: trained from the bundled corpus on first use, then cached.

The cache folder is ``$FRAMING_CACHE``, else ``$XDG_CACHE_HOME/framing``, else
``~/.cache/framing``. The cached model's name holds the package version, the
family and a hash of the bundled corpus and codebook, so an upgrade or a corpus
change trains a fresh one instead of reusing a stale model.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from framing.data.codebook import default_codebook_path
from framing.data.paths import cache_dir
from framing.data.splits import bundled_corpus_dir, split_files
from framing.train.train import train

DEFAULT_FAMILY = "tfidf"
logger = logging.getLogger(__name__)


def _corpus_fingerprint() -> str:
    digest = hashlib.sha256(default_codebook_path().read_bytes())
    for name, path in sorted(split_files(bundled_corpus_dir()).items()):
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def default_model_dir(family: str = DEFAULT_FAMILY) -> Path:
    from framing import __version__

    return cache_dir() / f"default-{family}-{__version__}-{_corpus_fingerprint()}"


def ensure_default_model(family: str = DEFAULT_FAMILY) -> Path:
    """Path of the cached default model, training it first if it is not there yet."""
    path = default_model_dir(family)
    if (path / "config.json").is_file():
        return path
    logger.warning(
        f"training the default {family} model from the bundled corpus (first use only;"
        f" cached in {path})"
    )
    train(bundled_corpus_dir(), path, family=family)
    return path
