"""The codebook: which frames and stance labels exist, and what they mean.

A codebook is a YAML file with ``name``, ``version``, a list of ``frames``
(each with ``id``, ``name``, ``definition`` and optional ``cues`` and ``not``)
and a ``stance`` block with ``target`` and ``labels``. The bundled default
covers news on Turkish arms exports and defence ties with Central Asia;
users may bring their own of the same shape.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from framing.errors import FramingError

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Label:
    """One frame or stance label of a codebook."""

    id: str
    name: str
    definition: str
    cues: tuple[str, ...] = ()
    not_: str = ""


@dataclass(frozen=True)
class Codebook:
    """A validated label schema.

    Attributes
    ----------
    name, version : identify the codebook; saved with every model.
    frames : the multi-label frame labels, in codebook order.
    stances : the single-label stance labels, in codebook order.
    stance_target : what the stance is taken towards.
    rules, article : the annotation rules, kept verbatim for model cards.
    """

    name: str
    version: str
    frames: tuple[Label, ...]
    stances: tuple[Label, ...]
    stance_target: str = ""
    rules: tuple[str, ...] = ()
    article: dict = field(default_factory=dict)
    source: str = ""

    @property
    def frame_ids(self) -> list[str]:
        return [f.id for f in self.frames]

    @property
    def stance_ids(self) -> list[str]:
        return [s.id for s in self.stances]

    @property
    def has_frames(self) -> bool:
        """Whether the codebook codes frames (a stance-only codebook does not)."""
        return bool(self.frames)

    @property
    def has_stance(self) -> bool:
        """Whether the codebook codes stance (a frames-only codebook does not)."""
        return bool(self.stances)

    @property
    def neutral_stance(self) -> str | None:
        """The stance given to boilerplate: ``neutral`` if present, else the last label;
        None for a codebook without stance."""
        if not self.stances:
            return None
        return "neutral" if "neutral" in self.stance_ids else self.stance_ids[-1]

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def frame(self, frame_id: str) -> Label:
        for f in self.frames:
            if f.id == frame_id:
                return f
        raise KeyError(frame_id)

    def check_frame(self, frame_id: object) -> str | None:
        """Return an error message if ``frame_id`` is not a frame of this codebook."""
        return _unknown(frame_id, self.frame_ids, "frame", self.label)

    def check_stance(self, stance_id: object) -> str | None:
        """Return an error message if ``stance_id`` is not a stance label of this codebook."""
        return _unknown(stance_id, self.stance_ids, "stance", self.label)

    def to_dict(self) -> dict:
        def label(item: Label) -> dict:
            out = {"id": item.id, "name": item.name, "definition": item.definition}
            if item.cues:
                out["cues"] = list(item.cues)
            if item.not_:
                out["not"] = item.not_
            return out

        out = {"name": self.name, "version": self.version}
        if self.frames:
            out["frames"] = [label(f) for f in self.frames]
        if self.stances:
            out["stance"] = {
                "target": self.stance_target,
                "labels": [label(s) for s in self.stances],
            }
        return {**out, "rules": list(self.rules), "article": dict(self.article)}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(
            yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


def _unknown(value: object, known: list[str], kind: str, codebook: str) -> str | None:
    if isinstance(value, str) and value in known:
        return None
    message = f"{kind} {value!r} is not in codebook {codebook}"
    close = difflib.get_close_matches(str(value), known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; expected one of: {', '.join(known)}"


def default_codebook_path() -> Path:
    """Path of the bundled default codebook."""
    return Path(str(resources.files("framing.data").joinpath("codebook.yaml")))


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook YAML file; the bundled default when ``path`` is None.

    Raises
    ------
    FramingError
        With the file and the field at fault, when the file is missing, is not YAML,
        or breaks the expected shape (unique ids, non-empty definitions, stance labels).

    Examples
    --------
    >>> cb = load_codebook()
    >>> cb.frame_ids[:2]
    ['counterbalancing', 'business']
    """
    path = Path(path) if path is not None else default_codebook_path()
    if not path.is_file():
        raise FramingError(
            f"{path}: codebook file not found; pass the path of a codebook YAML file"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FramingError(f"{path}: codebook is not UTF-8 text ({exc.reason})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        raise FramingError(f"{path}:{line} codebook is not valid YAML: {exc}") from None
    return parse_codebook(raw, source=str(path))


def parse_codebook(raw: object, *, source: str = "<codebook>") -> Codebook:
    """Validate a codebook already parsed into Python objects."""

    def fail(message: str) -> FramingError:
        return FramingError(f"{source}: {message}")

    if not isinstance(raw, dict):
        raise fail(
            f"expected a mapping with name, version, frames, stance; got {type(raw).__name__}"
        )
    for key in ("name", "version"):
        if key not in raw:
            raise fail(
                f"missing top-level field {key!r}; a codebook needs name, version, and frames,"
                " stance or both"
            )
    if "frames" not in raw and "stance" not in raw:
        raise fail("a codebook needs frames, stance or both; found neither")
    name = str(raw["name"]).strip()
    if not name:
        raise fail("field 'name' is empty; give the codebook a name")

    frames = _parse_labels(raw["frames"], "frames", fail) if "frames" in raw else []
    stance = raw.get("stance")
    if stance is None:  # a frames-only codebook
        stance, stances = {}, []
    else:
        if not isinstance(stance, dict) or "labels" not in stance:
            raise fail(
                "field 'stance' must be a mapping with 'labels' (and optionally 'target'),"
                " or be left out for a frames-only codebook"
            )
        stances = _parse_labels(stance["labels"], "stance.labels", fail)
        if len(stances) < 2:
            raise fail(f"stance.labels needs at least two labels, found {len(stances)}")
    clash = sorted({f.id for f in frames} & {s.id for s in stances})
    if clash:
        raise fail(f"ids used both as frame and stance: {', '.join(clash)}; rename one of them")

    rules = raw.get("rules") or []
    if not isinstance(rules, list):
        raise fail("field 'rules' must be a list of strings")
    article = raw.get("article") or {}
    if not isinstance(article, dict):
        raise fail("field 'article' must be a mapping")
    return Codebook(
        name=name,
        version=str(raw["version"]),
        frames=tuple(frames),
        stances=tuple(stances),
        stance_target=str(stance.get("target", "")).strip(),
        rules=tuple(str(r).strip() for r in rules),
        article={str(k): str(v).strip() for k, v in article.items()},
        source=source,
    )


def _parse_labels(items: object, where: str, fail) -> list[Label]:
    if not isinstance(items, list) or not items:
        raise fail(f"field {where!r} must be a non-empty list of labels")
    labels: list[Label] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise fail(f"{at}: expected a mapping with id, name, definition; got {item!r}")
        label_id = item.get("id")
        if not isinstance(label_id, str) or not _ID_PATTERN.match(label_id):
            raise fail(
                f"{at}: id {label_id!r} is not valid; use lower-case letters, digits and '_'"
                " (e.g. 'business')"
            )
        if label_id in seen:
            raise fail(f"{at}: duplicate id {label_id!r}; ids must be unique")
        seen.add(label_id)
        definition = str(item.get("definition") or "").strip()
        if not definition:
            raise fail(f"{at} ({label_id}): definition is empty; every label needs a definition")
        cues = item.get("cues") or []
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise fail(f"{at} ({label_id}): cues must be a list of strings")
        labels.append(
            Label(
                id=label_id,
                name=str(item.get("name") or label_id).strip(),
                definition=" ".join(definition.split()),
                cues=tuple(c.strip() for c in cues if c.strip()),
                not_=" ".join(str(item.get("not") or "").split()),
            )
        )
    return labels
