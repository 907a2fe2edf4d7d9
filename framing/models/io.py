"""Reading a model directory's files: only safetensors and JSON, and a damaged or missing
file is one FramingError that names it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from framing.errors import FramingError


def read_arrays(file: Path) -> dict[str, np.ndarray]:
    """The arrays of a model's safetensors file; FramingError names a missing or damaged one."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    try:
        return load_file(str(file))
    except (SafetensorError, OSError) as exc:
        raise FramingError(
            f"{file}: missing or damaged model file ({exc}); retrain the model"
        ) from None


def read_json(file: Path):
    """A model's JSON file; FramingError names a missing or damaged one."""
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FramingError(
            f"{file}: missing or damaged model file ({exc}); retrain the model"
        ) from None
