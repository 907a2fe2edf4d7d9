"""The default model: trained from the bundled corpus on first use, then cached.

The cache folder is ``$FRAMING_CACHE``, else ``$XDG_CACHE_HOME/framing``, else
``~/.cache/framing``. The cached model's name holds the package version, the
family and a hash of the bundled corpus and codebook, so an upgrade or a corpus
change trains a fresh one instead of reusing a stale model.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

from filelock import FileLock

from framing.data.codebook import default_codebook_path
from framing.data.paths import cache_dir
from framing.data.splits import bundled_corpus_dir, split_files
from framing.models.base import is_model_dir, model_is_intact
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
    """Path of the cached default model, training it first if it is not there yet.

    A cached model whose files no longer match the digest written when it was built
    (a disk error, an interrupted copy, a hand edit) is rebuilt, with a message. A file
    lock makes concurrent first runs train it once: the others wait, then use it.
    """
    path = default_model_dir(family)
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
            logger.warning(f"the cached default model in {path} is damaged ({why}); rebuilding it")
            shutil.rmtree(path)  # a cache folder of ours, named for this model only
        else:
            logger.warning(
                f"training the default {family} model from the bundled corpus (first use"
                f" only; cached in {path})"
            )
        train(bundled_corpus_dir(), path, family=family)
    return path
