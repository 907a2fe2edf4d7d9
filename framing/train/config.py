"""Training configuration files (TOML): one file for every setting of a run.

```toml
family = "encoder"
seed = 0

[settings]          # the family's own settings; see `framing train --help`
C_frames = 16.0
dtype = "auto"
```

``framing train --config FILE`` reads it (command-line options win); the
effective configuration, defaults included, is saved beside every model as
``train.toml``, so a model can be retrained exactly.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from framing.errors import FramingError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = "train.toml"
_TOP = {"family", "seed", "settings", "data", "codebook"}


@dataclass
class TrainConfig:
    """What a training run needs besides the data."""

    family: str = "tfidf"
    seed: int = 0
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        from framing.models.base import FAMILIES

        if self.family not in FAMILIES:
            raise FramingError(
                f"unknown model family {self.family!r}; expected one of {', '.join(FAMILIES)}"
            )
        if not isinstance(self.settings, dict):
            raise FramingError("[settings] must be a TOML table of the family's settings")


def resolve_config(
    config: str | Path | None = None, *, family: str | None = None, seed: int | None = None
) -> TrainConfig:
    """The configuration of a run from a TOML file and/or options: ``family`` may
    only repeat the file's family, ``seed`` overrides the file's seed."""
    run = load_config(config) if config else TrainConfig()
    if family is not None and config is not None and family != run.family:
        raise FramingError(
            f"--model {family} conflicts with family {run.family!r} in {config}; drop one of them"
        )
    return TrainConfig(
        family=family or run.family,
        seed=run.seed if seed is None else seed,
        settings=run.settings,
    )


def load_config(path: str | Path) -> TrainConfig:
    """Read a TOML training configuration; FramingError names the problem."""
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"{path}: config file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FramingError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        raise FramingError(
            f"{path}: unknown key {unknown[0]!r}; expected family, seed and a [settings] table"
        )
    family, seed, settings = raw.get("family", "tfidf"), raw.get("seed", 0), raw.get("settings", {})
    for key, value, kind, name in (
        ("family", family, str, "a string"),
        ("seed", seed, int, "an integer"),
        ("settings", settings, dict, "a [settings] table"),
    ):
        if not isinstance(value, kind) or isinstance(value, bool):
            raise FramingError(
                f"{path}: {key} must be {name}, got {type(value).__name__} {value!r:.40}"
            )
    return TrainConfig(family=family, seed=seed, settings=dict(settings))


def save_config(
    model, seed: int, data: str, path: str | Path, settings: dict | None = None
) -> Path:
    """Write the configuration a model was trained with (defaults included): ``settings``
    as they were before training (a refit may change some, e.g. a fine-tuned epoch
    count; the model card says how), else the model's own."""
    import tomli_w

    settings = model.settings() if settings is None else settings
    settings = {k: v for k, v in settings.items() if v is not None}
    document = {
        "family": model.family,
        "seed": seed,
        "data": data,
        "codebook": f"{model.codebook_.name} v{model.codebook_.version}",
        "settings": settings,
    }
    path = Path(path)
    path.write_text(
        "# Written by framing train: the settings this model was trained with.\n"
        + tomli_w.dumps(document),
        encoding="utf-8",
    )
    return path
