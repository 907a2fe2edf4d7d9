"""Articles, labeled and unlabeled, and their validation.

The formats are those of ``corpus-format.md``: one article per JSONL line with
its paragraphs (labeled), or a record with ``text`` or ``paragraphs`` (unlabeled).
Labeled CSV and Parquet files hold one paragraph per row; see
:func:`group_paragraph_rows`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.readers import Columns, Record, read_records
from framing.data.segment import Paragraph, is_boilerplate, segment, split_long
from framing.data.text import text_hash
from framing.errors import FramingError

MAX_CHARS = 1_000_000


@dataclass
class Article:
    """One article: its paragraphs in reading order, labels and metadata."""

    id: str
    paragraphs: list[Paragraph]
    stance: str | None = None
    frames: list[str] | None = None
    primary_frame: str | None = None
    meta: dict = field(default_factory=dict)
    place: str = field(default="", repr=False, compare=False)  # where it was read from

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def paragraph_labels(self) -> bool:
        """Whether the article is labeled per paragraph (else only as a whole)."""
        return all(p.frames is not None for p in self.paragraphs)

    @property
    def origin(self) -> str:
        return str(self.meta.get("origin", "unknown"))

    def to_record(self) -> dict:
        """The article in the labeled JSONL format (article-level when it has no paragraph
        labels)."""
        record = {"id": self.id, **self.meta}
        if not self.paragraph_labels:
            record["text"] = self.text
            record.update(frames=self.frames, primary_frame=self.primary_frame)
            record["stance"] = self.stance
            return record
        record["paragraphs"] = [
            {
                "text": p.text,
                "frames": p.frames or [],
                "stance": p.stance,
                "boilerplate": p.boilerplate,
            }
            for p in self.paragraphs
        ]
        record.update(frames=self.frames, primary_frame=self.primary_frame, stance=self.stance)
        return record


@dataclass(frozen=True)
class Problem:
    """One validation problem: where, and what."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def content_id(text: str) -> str:
    """An id derived from an article's text, for input records without one."""
    return "sha256-" + text_hash(text)[:16]


def article_frames(paragraphs: list[Paragraph], frame_order: list[str]) -> list[str]:
    """The codebook rule: an article's frames are the union of its paragraphs' frames."""
    present = {f for p in paragraphs for f in (p.frames or [])}
    return [f for f in frame_order if f in present]


def primary_frame(paragraphs: list[Paragraph], frame_order: list[str]) -> str | None:
    """The codebook rule: the frame carried by the most paragraph words.

    Ties go to the frame that appears first in the article; None when no
    paragraph has a frame.
    """
    words: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, p in enumerate(paragraphs):
        for f in p.frames or []:
            words[f] += len(p.text.split())
            first.setdefault(f, i)
    if not words:
        return None
    return max(words, key=lambda f: (words[f], -first[f], -frame_order.index(f)))


def paragraph_rows(articles: Iterable[Article]) -> tuple[list[str], list[list[str]], list[str]]:
    """The paragraphs of ``articles`` as ``(texts, frames, stances)``, the three arguments
    of a classifier's ``fit``.

    Articles labeled per paragraph give their paragraphs' labels. Articles labeled only as
    a whole give each content paragraph (not flagged as boilerplate) the article's frames
    and stance: the starting point of multiple-instance learning, which
    :func:`framing.train.fit.fit_paragraphs` then narrows to the paragraphs that carry
    each frame.

    A labeled paragraph longer than classification's limit (400 words) is cut at sentence
    ends as classification cuts it, each piece keeping the paragraph's labels, so training
    and prediction see the same units.
    """
    texts, frames, stances = [], [], []
    for _, text, labels, stance in _rows(articles):
        texts.append(text)
        frames.append(labels)
        stances.append(stance)
    return texts, frames, stances


def row_owners(articles: Iterable[Article]) -> list[str]:
    """The article id of each row of :func:`paragraph_rows` (for grouped folds)."""
    return [article.id for article, *_ in _rows(articles)]


def _rows(articles: Iterable[Article]) -> Iterator[tuple[Article, str, list[str], str | None]]:
    for article in articles:
        whole = not article.paragraph_labels
        for p in article.paragraphs:
            if whole and p.boilerplate:
                continue
            for piece in [p.text] if whole else split_long(p.text):
                labels = list(article.frames or []) if whole else list(p.frames or [])
                yield article, piece, labels, article.stance if whole else p.stance


def as_unlabeled(article: Article) -> Article:
    """The article as classification sees it: its text only, boilerplate flagged by the
    heuristic rather than taken from gold labels."""
    return Article(
        id=article.id,
        paragraphs=[Paragraph(p.text, is_boilerplate(p.text)) for p in article.paragraphs],
        meta=dict(article.meta),
    )


# --------------------------------------------------------------------------- unlabeled


# Input metadata longer than this (a second copy of the text, say) is not carried into
# predictions; the prediction's ``omitted_fields`` names what was left out.
MAX_META_CHARS = 10_000


def _meta_value(value):
    """Metadata as a JSON value for predictions: ISO text for dates, None when unusable."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None if value != value else str(value)  # NaN is an empty table cell
    if isinstance(value, (bool, int, float, str)):
        return value
    return None


def _unencodable(value) -> str | None:
    """The first string in ``value`` that cannot be written as UTF-8 (a lone surrogate)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value
        return None
    items = value.items() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        for part in item if isinstance(value, dict) else (item,):
            found = _unencodable(part)
            if found is not None:
                return found
    return None


def parse_unlabeled(record: dict, place: str, *, max_chars: int = MAX_CHARS) -> Article:
    """Turn one input record into an unlabeled article; FramingError when unusable."""
    bad = _unencodable(record)
    if bad is not None:
        raise FramingError(
            f"{place}: text holds bytes that are not UTF-8 or an unpaired surrogate"
            f" ({bad[:40].encode('utf-8', 'backslashreplace').decode('ascii', 'replace')!r});"
            " re-save the input as UTF-8"
        )
    paragraphs = record.get("paragraphs")
    text = record.get("text")
    if paragraphs not in (None, "") and not (isinstance(paragraphs, float)):
        if isinstance(paragraphs, str):
            try:
                paragraphs = json.loads(paragraphs)
            except json.JSONDecodeError:
                raise FramingError(
                    f"{place}: field 'paragraphs' is a string but not a JSON list"
                ) from None
        if not isinstance(paragraphs, list):
            raise FramingError(
                f"{place}: field 'paragraphs' must be a list of strings or of objects with"
                f" 'text', got {type(paragraphs).__name__}"
            )
        paras = []
        for i, item in enumerate(paragraphs):
            body = item.get("text") if isinstance(item, dict) else item
            if not isinstance(body, str):
                raise FramingError(f"{place}: paragraphs[{i}] has no text")
            if body.strip():
                paras.append(Paragraph(" ".join(body.split()), is_boilerplate(body)))
        size = sum(len(p.text) for p in paras)
    elif isinstance(text, str):
        size = len(text)
        paras = None
    else:
        found = "field 'text' is " + ("missing" if text is None else type(text).__name__)
        raise FramingError(f"{place}: article has no text ({found}); give 'text' or 'paragraphs'")
    if size > max_chars:
        raise FramingError(
            f"{place}: article is {size:,} characters, over the limit of {max_chars:,};"
            " split it or raise --max-chars"
        )
    if paras is None:
        paras = segment(text)
    if not paras:
        raise FramingError(f"{place}: article text is empty")
    body = "\n\n".join(p.text for p in paras)
    article_id = record.get("id")
    article_id = str(article_id) if article_id not in (None, "") else content_id(body)
    meta, omitted = {}, []
    for key, raw in record.items():
        if key in ("id", "text", "paragraphs"):
            continue
        value = _meta_value(raw)
        if value is None or value == "":
            continue
        if isinstance(value, str) and len(value) > MAX_META_CHARS:
            omitted.append(key)
        else:
            meta[key] = value
    if omitted:
        meta["omitted_fields"] = omitted
    return Article(id=article_id, paragraphs=paras, meta=meta, place=place)


def iter_unlabeled(
    inputs, *, columns: Columns | None = None, max_chars: int = MAX_CHARS
) -> Iterator[tuple[Article | None, Problem | None]]:
    """Yield ``(article, None)`` per good input item and ``(None, problem)`` per bad one."""
    for record in read_records(inputs, columns=columns):
        if record.error:
            yield None, Problem(record.place, record.error.removeprefix(record.place + ": "))
            continue
        try:
            yield parse_unlabeled(record.data, record.place, max_chars=max_chars), None
        except FramingError as exc:
            yield None, Problem(record.place, str(exc).removeprefix(record.place + ": "))


# --------------------------------------------------------------------------- labeled


def _as_list(value) -> list:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError:
                raise FramingError(f"a list that is not valid JSON: {value[:60]!r}") from None
            return list(parsed) if isinstance(parsed, list) else [parsed]
        for sep in ("|", ";", ","):
            if sep in value:
                return [v.strip() for v in value.split(sep) if v.strip()]
        return [value] if value else []
    return list(value)


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "t"}
    return bool(value) if value is not None else False


def parse_labeled(
    record: dict, place: str, codebook: Codebook
) -> tuple[Article | None, list[Problem]]:
    """Validate one labeled article record against the codebook.

    Returns the article (None when it cannot be used) and every problem found,
    each naming the place and field.
    """
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem(place, message))

    article_id = record.get("id")
    if article_id in (None, ""):
        problem("field 'id' is missing; every labeled article needs a unique id")
        article_id = None
    raw_paragraphs = record.get("paragraphs")
    if raw_paragraphs is None and isinstance(record.get("text"), str):
        return _article_level(record, place, codebook, article_id, problems)
    if not isinstance(raw_paragraphs, list):
        problem(
            "no labels: expected 'paragraphs' (a list of labeled paragraphs) or 'text' with"
            " article-level 'frames' and 'stance'"
        )
        return None, problems
    if not raw_paragraphs:
        problem("article is empty: 'paragraphs' has no items")
        return None, problems

    paragraphs: list[Paragraph] = []
    for i, item in enumerate(raw_paragraphs):
        at = f"paragraphs[{i}]"
        if not isinstance(item, dict):
            problem(f"{at}: expected an object with text, frames, stance; got {item!r:.40}")
            continue
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            problem(f"{at}: missing text")
            continue
        frames = item.get("frames", [])
        if not isinstance(frames, list):
            problem(f"{at}.frames: expected a list of frame ids, got {frames!r:.40}")
            frames = []
        frames = _check_frames(frames, codebook, problem, f"{at}.frames")
        stance = item.get("stance")
        if not codebook.has_stance:
            if stance is not None:
                problem(f"{at}.stance: codebook {codebook.label} codes no stance")
        elif stance is None:
            problem(f"{at}.stance: missing; expected one of {', '.join(codebook.stance_ids)}")
        else:
            message = codebook.check_stance(stance)
            if message:
                problem(f"{at}.stance: {message}")
        boilerplate = _as_bool(item.get("boilerplate", False))
        if boilerplate and frames:
            problem(f"{at}: boilerplate paragraph has frames {frames}; boilerplate carries none")
        paragraphs.append(
            Paragraph(" ".join(text.split()), boilerplate, list(dict.fromkeys(frames)), stance)
        )

    stance = record.get("stance") or None
    _check_article_stance(stance, codebook, problem)

    frame_order = codebook.frame_ids
    derived = article_frames(paragraphs, frame_order)
    try:
        given = None if record.get("frames") is None else _as_list(record["frames"])
    except FramingError as exc:
        problem(f"frames: {exc}")
        given = None
    if given is not None and set(given) != set(derived):
        problem(
            f"frames: article frames {sorted(given)} are not the union of its"
            f" paragraph frames {sorted(derived)}; fix one or drop the article field"
        )
    primary = record.get("primary_frame")
    if primary in (None, ""):
        primary = primary_frame(paragraphs, frame_order)
    elif primary not in derived:
        problem(f"primary_frame: {primary!r} is not among the article's frames {derived}")
    if problems:
        return None, problems
    meta = _labeled_meta(record)
    return Article(str(article_id), paragraphs, stance, derived, primary, meta), problems


_LABEL_FIELDS = {"id", "paragraphs", "frames", "primary_frame", "stance", "text"}


def _labeled_meta(record: dict) -> dict:
    """A labeled record's metadata: every non-empty field that is not text or a label."""
    return {k: v for k, v in record.items() if k not in _LABEL_FIELDS and v not in (None, "")}


def _check_frames(frames: list, codebook: Codebook, problem, at: str) -> list[str]:
    """Report unknown and repeated frame ids at ``at``; return the known ones."""
    for f in frames:
        message = codebook.check_frame(f)
        if message:
            problem(f"{at}: {message}")
    known = [f for f in frames if f in codebook.frame_ids]
    if len(set(known)) != len(known):
        problem(f"{at}: frame listed twice in {known}")
    return known


def _check_article_stance(stance, codebook: Codebook, problem) -> None:
    if not codebook.has_stance:
        if stance not in (None, ""):
            problem(f"stance: codebook {codebook.label} codes no stance; drop the field")
        return
    if stance in (None, ""):
        problem(
            f"stance: article stance is missing; expected one of {', '.join(codebook.stance_ids)}"
        )
    else:
        message = codebook.check_stance(stance)
        if message:
            problem(f"stance: {message}")


def _article_level(
    record: dict, place: str, codebook: Codebook, article_id, problems: list[Problem]
) -> tuple[Article | None, list[Problem]]:
    """An article labeled as a whole: ``text`` with article ``frames`` and ``stance``. Its
    paragraphs are cut as classification cuts them and carry no labels of their own."""

    def problem(message: str) -> None:
        problems.append(Problem(place, message))

    text = record["text"]
    paragraphs = segment(text)
    if not paragraphs:
        problem("article text is empty")
    try:
        frames = _as_list(record.get("frames"))
    except FramingError as exc:
        problem(f"frames: {exc}")
        frames = []
    frames = _check_frames(frames, codebook, problem, "frames")
    stance = record.get("stance") or None
    _check_article_stance(stance, codebook, problem)
    primary = record.get("primary_frame") or None
    if primary is not None and primary not in frames:
        problem(f"primary_frame: {primary!r} is not among the article's frames {frames}")
    if problems:
        return None, problems
    frames = [f for f in codebook.frame_ids if f in frames]
    meta = _labeled_meta(record)
    return Article(str(article_id), paragraphs, stance, frames, primary, meta), problems


def group_paragraph_rows(records: Iterable[Record]) -> Iterator[Record]:
    """Group one-paragraph-per-row records (CSV, Parquet) into article records.

    A row has ``id`` (the article), ``text`` (the paragraph), ``frames`` (a list,
    or ids separated by ``;``, ``|`` or ``,``), ``stance``, optional
    ``boilerplate``, and the article's ``article_stance`` plus any metadata
    columns, taken from the article's first row. Rows of an article need not
    be adjacent; their order is the paragraph order.
    """
    articles: dict[str, Record] = {}
    for record in records:
        if record.error:
            yield record
            continue
        row = record.data
        key = str(row.get("id") or "")
        if not key:
            yield Record(record.place, error=f"{record.place}: row has no article id")
            continue
        if key not in articles:
            article = {
                k: v
                for k, v in row.items()
                if k not in {"text", "frames", "stance", "boilerplate", "article_stance"}
            }
            article["paragraphs"] = []
            article["stance"] = row.get("article_stance") or None
            articles[key] = Record(record.place, data=article)
        try:
            frames = _as_list(row.get("frames"))
        except FramingError as exc:
            yield Record(record.place, error=f"{record.place}: frames: {exc}")
            continue
        paragraph = {
            "text": row.get("text"),
            "frames": frames,
            "stance": row.get("stance") or None,
            "boilerplate": _as_bool(row.get("boilerplate")),
        }
        articles[key].data["paragraphs"].append(paragraph)
    yield from articles.values()


def read_labeled(
    path: str | Path, codebook: Codebook, *, columns: Columns | None = None
) -> tuple[list[Article], list[Problem]]:
    """Read a labeled corpus file or folder; return the good articles and all problems.

    JSONL holds one article per line; CSV and Parquet one paragraph per row
    (:func:`group_paragraph_rows`). Duplicate ids are problems too.
    """
    path = Path(path)
    if not path.exists():
        raise FramingError(f"{path}: no such corpus file or folder")
    records = read_records([str(path)], columns=columns)
    if path.is_file() and path.suffix.lower() in {".csv", ".tsv", ".parquet"}:
        records = table_records(records)
    return labeled_from_records(records, codebook)


def table_records(records: Iterable[Record]) -> Iterator[Record]:
    """Labeled table rows as article records: one paragraph per row when the table has an
    ``article_stance`` column (:func:`group_paragraph_rows`), else one article per row
    (``text``, ``frames`` joined by ``;``, the article's ``stance``)."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        return iter(())
    rows = itertools.chain([first], records)
    if first.data is not None and "article_stance" not in first.data:
        return rows
    return group_paragraph_rows(rows)


def labeled_from_records(
    records: Iterable[Record], codebook: Codebook
) -> tuple[list[Article], list[Problem]]:
    """Validate article records (see :func:`parse_labeled`); duplicate ids are problems."""
    articles: list[Article] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for record in records:
        if record.error:
            problems.append(Problem(record.place, record.error.removeprefix(record.place + ": ")))
            continue
        article, found = parse_labeled(record.data, record.place, codebook)
        problems.extend(found)
        if article is None:
            continue
        if article.id in seen:
            problems.append(
                Problem(
                    record.place,
                    f"duplicate id {article.id!r}, first used at"
                    f" {seen[article.id]}; ids must be unique",
                )
            )
            continue
        seen[article.id] = record.place
        articles.append(article)
    return articles, problems


def dataset_records(dataset, name: str) -> Iterator[Record]:
    """Article records from a ``datasets.Dataset``: one article per row when it has a
    ``paragraphs`` column (as :func:`to_dataset` writes), else one paragraph per row."""
    rows = (
        Record(f"{name}:row {i}", data=row) for i, row in enumerate(dataset.to_iterable_dataset())
    )
    if "paragraphs" in dataset.column_names:
        return rows
    return table_records(rows)


def load_labeled(
    path: str | Path,
    codebook: Codebook,
    *,
    columns: Columns | None = None,
) -> list[Article]:
    """Read a labeled corpus and fail on the first problems (use ``framing data check`` for all)."""
    articles, problems = read_labeled(path, codebook, columns=columns)
    if problems:
        more = (
            f" (and {len(problems) - 1} more; run 'framing data check {path}')"
            if len(problems) > 1
            else ""
        )
        raise FramingError(f"{problems[0]}{more}")
    if not articles:
        raise FramingError(f"{path}: corpus has no articles")
    return articles


def to_dataset(articles: list[Article]):
    """One row per article, in the labeled JSONL format, as a ``datasets.Dataset``.

    ``Dataset.save_to_disk`` on the result (or on a ``DatasetDict`` of such
    datasets named train, dev or validation, and test) gives a folder that every
    command taking a labeled corpus reads.
    """
    from datasets import Dataset

    records = [a.to_record() for a in articles]
    keys = list(dict.fromkeys(k for r in records for k in r))
    return Dataset.from_dict({k: [r.get(k) for r in records] for k in keys})
