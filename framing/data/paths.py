"""Where framing keeps files of its own on the user's machine."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The cache folder: ``$FRAMING_CACHE``, else ``$XDG_CACHE_HOME/framing``, else
    ``~/.cache/framing``. It holds the default model and the embedding cache."""
    if os.environ.get("FRAMING_CACHE"):
        return Path(os.environ["FRAMING_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "framing"
