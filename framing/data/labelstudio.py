"""Label Studio in and out: a labeling configuration generated from the codebook, tasks
(with a model's predictions as pre-annotations), and the JSON export read back into the
corpus format.

One task per article. Articles have different numbers of paragraphs and a Label Studio
project has one configuration, so the configuration has one block per paragraph slot, as
many as the longest article; each task's ``data`` holds ``title``, ``article_id``,
``n_paragraphs`` and ``p0``, ``p1``... (empty past its last paragraph). Each block has a
``Text`` (``p{i}``) and three ``Choices``: ``frames_{i}`` (multiple, the codebook's frame
ids), ``stance_{i}`` (single) and ``boilerplate_{i}`` (one choice, ``furniture``); the
article stance is ``article_stance``. Codebooks without frames or without stance leave
those controls out.

Reading an export back (:func:`from_label_studio`) takes one annotation per task, by one
annotator (``completed_by``) or the first not cancelled, so that two passes can be read
apart and compared with ``framing data agreement``.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from framing.data.codebook import Codebook
from framing.data.corpus import Article
from framing.errors import FramingError

FURNITURE = "furniture"


def labeling_config(codebook: Codebook, slots: int) -> str:
    """The Label Studio labeling configuration (XML) for ``slots`` paragraph slots."""
    frames = "".join(
        f"<Choice value={quoteattr(f.id)} hint={quoteattr(f.name)}/>" for f in codebook.frames
    )
    stances = "".join(f"<Choice value={quoteattr(s)}/>" for s in codebook.stance_ids)
    lines = [
        "<View>",
        '  <Header value="$title"/>',
        '  <Text name="article_id" value="$article_id"/>',
    ]
    for i in range(slots):
        lines.append('  <View style="border-top: 1px solid #ccc; padding: 4px 0">')
        lines.append(f'    <Text name="p{i}" value="$p{i}"/>')
        if codebook.has_frames:
            lines.append(
                f'    <Choices name="frames_{i}" toName="p{i}" choice="multiple"'
                f' showInline="true">{frames}</Choices>'
            )
        if codebook.has_stance:
            lines.append(
                f'    <Choices name="stance_{i}" toName="p{i}" choice="single-radio"'
                f' showInline="true">{stances}</Choices>'
            )
        lines.append(
            f'    <Choices name="boilerplate_{i}" toName="p{i}" choice="multiple"'
            f' showInline="true"><Choice value="{FURNITURE}"/></Choices>'
        )
        lines.append("  </View>")
    if codebook.has_stance:
        lines.append('  <Header value="Article stance"/>')
        lines.append(
            f'  <Choices name="article_stance" toName="article_id" choice="single-radio"'
            f' showInline="true">{stances}</Choices>'
        )
    lines.append("</View>")
    return "\n".join(lines)


def _choice(name: str, to: str, values: list[str]) -> dict:
    return {
        "from_name": name,
        "to_name": to,
        "type": "choices",
        "value": {"choices": list(values)},
    }


def to_label_studio(
    articles: list[Article], codebook: Codebook, predictions: list[dict] | None = None
) -> tuple[str, list[dict]]:
    """The labeling configuration and the tasks for ``articles``; with ``predictions``
    (prediction records with paragraph rows, in the same order), each task carries them as
    a pre-annotation (``predictions`` with ``result``, ``score`` and ``model_version``)."""
    if not articles:
        raise FramingError("no articles to export to Label Studio")
    if predictions is not None and len(predictions) != len(articles):
        raise FramingError(
            f"{len(predictions)} predictions for {len(articles)} articles; give one each"
        )
    slots = max(len(a.paragraphs) for a in articles)
    tasks = []
    for n, article in enumerate(articles):
        data = {
            "article_id": article.id,
            "title": str(article.meta.get("title") or ""),
            "n_paragraphs": len(article.paragraphs),
        }
        for i in range(slots):
            data[f"p{i}"] = article.paragraphs[i].text if i < len(article.paragraphs) else ""
        task = {"data": data}
        if predictions is not None:
            task["predictions"] = [_pre_annotation(predictions[n], codebook)]
        tasks.append(task)
    return labeling_config(codebook, slots), tasks


def _pre_annotation(prediction: dict, codebook: Codebook) -> dict:
    result = []
    for row in prediction.get("paragraphs", []):
        i = row["index"]
        if row.get("boilerplate"):
            result.append(_choice(f"boilerplate_{i}", f"p{i}", [FURNITURE]))
            continue
        if codebook.has_frames and row.get("frames"):
            result.append(_choice(f"frames_{i}", f"p{i}", row["frames"]))
        if codebook.has_stance and row.get("stance"):
            result.append(_choice(f"stance_{i}", f"p{i}", [row["stance"]]))
    if codebook.has_stance and prediction.get("stance"):
        result.append(_choice("article_stance", "article_id", [prediction["stance"]]))
    scores = list(prediction.get("frame_scores", {}).values()) + list(
        prediction.get("stance_scores", {}).values()
    )
    return {
        "model_version": str(prediction.get("model", "framing")),
        "score": round(max(scores), 4) if scores else 0.0,
        "result": result,
    }


def write_label_studio(config: str, tasks: list[dict], out: str | Path) -> Path:
    """Write ``labeling_config.xml`` and ``tasks.json`` into folder ``out`` (created if need
    be; anything else in it is left alone). Files of those names already there are never
    replaced: give a new folder."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FramingError(f"{out}: exists and is not a folder; give a folder for --out")
    for name in ("labeling_config.xml", "tasks.json"):
        if (out / name).exists():
            raise FramingError(f"{out / name}: already exists; give a new folder for --out")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("labeling_config.xml", config),
        ("tasks.json", json.dumps(tasks, ensure_ascii=False, indent=1)),
    ):
        tmp = out / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out / name)
    return out


def _export(path: Path) -> list[dict]:
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise FramingError(f"{path}: cannot read the export ({exc.strerror})") from None
    except ValueError as exc:
        raise FramingError(
            f"{path}: not JSON ({exc}); export the project from Label Studio as JSON"
        ) from None
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise FramingError(
            f"{path}: expected Label Studio's JSON export (a list of tasks), found"
            f" {type(tasks).__name__}; export the project as JSON, not JSON-MIN or CSV"
        )
    return tasks


def _annotation(task: dict, annotator: str | None) -> dict | None:
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if annotator is not None:
        done = [a for a in done if _who(a) == annotator]
    return done[0] if done else None


def _who(annotation: dict) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return str(who)


def from_label_studio(
    export: str | Path, codebook: Codebook, *, annotator: str | None = None
) -> tuple[list[dict], list[str]]:
    """Labeled article records (the corpus format) from a Label Studio JSON export.

    Takes each task's annotation by ``annotator`` (``completed_by``: a user id or e-mail),
    or its first annotation that was not cancelled; tasks with none are skipped and named
    in the returned notes. A choice that is not in the codebook, a paragraph slot the
    task's data lacks, or a missing article stance is a FramingError naming the task. A
    content paragraph with no stance chosen gets the codebook's neutral stance.
    """
    tasks = _export(Path(export))
    frame_ids, stance_ids = set(codebook.frame_ids), set(codebook.stance_ids)
    records, notes = [], []
    for number, task in enumerate(tasks, start=1):
        data = task.get("data") or {}
        place = f"{export}: task {task.get('id', number)}"
        n = data.get("n_paragraphs")
        if not isinstance(n, int) or n < 1:
            raise FramingError(
                f"{place}: data has no paragraph count (n_paragraphs); export tasks made by"
                " `framing data to-label-studio`"
            )
        missing = [f"p{i}" for i in range(n) if not isinstance(data.get(f"p{i}"), str)]
        if missing:
            raise FramingError(
                f"{place}: paragraph {missing[0]} is missing from the task data ({n} expected)"
            )
        annotation = _annotation(task, annotator)
        if annotation is None:
            who = f" by {annotator}" if annotator else ""
            notes.append(f"{place}: no annotation{who}; skipped")
            continue
        chosen: dict[str, list[str]] = {}
        for item in annotation.get("result") or []:
            name = item.get("from_name")
            values = (item.get("value") or {}).get("choices")
            if isinstance(name, str) and isinstance(values, list):
                chosen[name] = [str(v) for v in values]
        paragraphs = []
        for i in range(n):
            furniture = FURNITURE in chosen.get(f"boilerplate_{i}", [])
            frames = chosen.get(f"frames_{i}", [])
            unknown = sorted(set(frames) - frame_ids)
            if unknown:
                raise FramingError(
                    f"{place}: paragraph {i} has frame {unknown[0]!r}, which is not in the"
                    f" codebook ({', '.join(codebook.frame_ids)})"
                )
            frames = [] if furniture else frames  # furniture carries no frame
            paragraph = {"text": data[f"p{i}"], "frames": frames, "boilerplate": furniture}
            if codebook.has_stance:
                stance = chosen.get(f"stance_{i}", [])
                stance = stance[0] if stance and not furniture else codebook.neutral_stance
                if stance is None:
                    raise FramingError(
                        f"{place}: paragraph {i} has no stance chosen, and the codebook has no"
                        " neutral stance to give it; label it in Label Studio and export again"
                    )
                if stance not in stance_ids:
                    raise FramingError(
                        f"{place}: paragraph {i} has stance {stance!r}; expected one of"
                        f" {', '.join(codebook.stance_ids)}"
                    )
                paragraph["stance"] = stance
            if not codebook.has_frames:
                del paragraph["frames"]
            paragraphs.append(paragraph)
        record = {"id": str(data.get("article_id") or task.get("id", number))}
        if data.get("title"):
            record["title"] = data["title"]
        record["paragraphs"] = paragraphs
        if codebook.has_stance:
            stance = chosen.get("article_stance", [])
            if not stance:
                raise FramingError(
                    f"{place}: no article stance chosen; label it in Label Studio and export again"
                )
            if stance[0] not in stance_ids:
                raise FramingError(
                    f"{place}: article stance {stance[0]!r} is not in the codebook"
                    f" ({', '.join(codebook.stance_ids)})"
                )
            record["stance"] = stance[0]
        record["annotator"] = _who(annotation)
        records.append(record)
    if not records:
        raise FramingError(
            f"{export}: no task has an annotation"
            + (f" by {annotator}" if annotator else "")
            + "; nothing to write"
        )
    return records, notes


def import_label_studio(
    export: str | Path, codebook: Codebook, out: str | Path, *, annotator: str | None = None
) -> tuple[int, list[str]]:
    """Write the labeled corpus read from a Label Studio export to ``out`` (JSONL), checked
    against the codebook; an existing ``out`` is never replaced. Returns the number of
    articles written and the notes (tasks skipped)."""
    from framing.data.corpus import parse_labeled

    out = Path(out)
    if out.exists():
        raise FramingError(f"{out}: already exists; give a new file name for --out")
    if out.suffix.lower() != ".jsonl":
        raise FramingError(f"{out}: write the corpus as .jsonl (got {out.suffix or 'no suffix'})")
    records, notes = from_label_studio(export, codebook, annotator=annotator)
    for record in records:
        _, problems = parse_labeled(record, f"{export}: {record['id']}", codebook)
        if problems:
            raise FramingError(str(problems[0]))
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(out)
    return len(records), notes
