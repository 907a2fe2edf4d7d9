"""Corpus checks: label validation, near-duplicate articles, leakage across splits."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from framing.data.codebook import Codebook
from framing.data.corpus import Article, Problem, read_labeled
from framing.data.splits import corpus_codebook, split_files
from framing.errors import FramingError

SHINGLE = 5
NEAR_DUPLICATE = 0.5
_WORD = re.compile(r"\w+")


@dataclass
class CheckReport:
    """Problems (errors) and warnings found in a corpus, with what was read."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    articles: dict[str, list[Article]] = field(default_factory=dict)
    invalid: int = 0  # records read that could not be used
    codebook: Codebook | None = None

    def summary(self) -> str:
        n = sum(len(a) for a in self.articles.values())
        paragraphs = sum(len(x.paragraphs) for a in self.articles.values() for x in a)
        whole = sum(not x.paragraph_labels for a in self.articles.values() for x in a)
        state = f"{len(self.problems)} problems" if self.problems else "no problems"
        levels = f" ({whole} labeled per article only)" if whole else ""
        return (
            f"{n + self.invalid} articles read, {n} valid{levels}, {self.invalid} with"
            f" problems; {paragraphs} paragraphs: {state}, {len(self.warnings)} warnings"
        )


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    """Hashes of the word ``size``-grams of a text (lower-cased)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i : i + size])) for i in range(len(words) - size + 1)}


def near_duplicates(
    articles: list[tuple[str, Article]], threshold: float = NEAR_DUPLICATE
) -> list[tuple[str, str, float]]:
    """Pairs of articles whose word 5-gram sets have Jaccard similarity >= threshold.

    ``articles`` holds ``(split name, article)`` pairs; returns
    ``('split/id', 'split/id', jaccard)``. An inverted index over the shingles
    counts overlaps, so only articles that share text are ever compared.
    """
    sets = [shingles(a.text) for _, a in articles]
    index: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s:
            index[h].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for postings in index.values():
        if len(postings) > 1:
            for x in range(len(postings)):
                for y in range(x + 1, len(postings)):
                    shared[(postings[x], postings[y])] += 1
    out = []
    for (i, j), n in shared.items():
        jaccard = n / (len(sets[i]) + len(sets[j]) - n)
        if jaccard >= threshold:
            (si, ai), (sj, aj) = articles[i], articles[j]
            out.append((f"{si}/{ai.id}", f"{sj}/{aj.id}", round(jaccard, 3)))
    return sorted(out, key=lambda t: -t[2])


def check_corpus(path: str | Path, codebook: Codebook | str | Path | None = None) -> CheckReport:
    """Validate every article of a corpus file or folder, then look for near-duplicates
    within and across splits and for ids shared between splits.

    ``codebook``: the one given, else the folder's own ``codebook.yaml``, else the
    bundled one (:func:`framing.data.splits.corpus_codebook`).
    """
    path = Path(path)
    codebook = corpus_codebook(path, codebook)
    report = CheckReport(codebook=codebook)
    if path.is_dir():
        files = split_files(path)
        if not files:
            report.problems.append(Problem(str(path), "no train/dev/test files in this folder"))
            return report
    else:
        files = {"all": path}
    for name, file in files.items():
        articles, problems = read_labeled(file, codebook)
        report.articles[name] = articles
        report.problems.extend(problems)
        report.invalid += len({p.place for p in problems})
    owners: dict[str, str] = {}
    for name, articles in report.articles.items():
        for a in articles:
            if a.id in owners and owners[a.id] != name:
                report.problems.append(
                    Problem(
                        name,
                        f"article id {a.id!r} is in both {owners[a.id]} and {name}: leakage"
                        " across splits; keep each article in one split",
                    )
                )
            owners.setdefault(a.id, name)
    standoff = path / "seeds.standoff.jsonl" if path.is_dir() else None
    if standoff is not None and standoff.is_file():
        _check_standoff(report, standoff, codebook)
    pairs = [(name, a) for name, articles in report.articles.items() for a in articles]
    for left, right, jaccard in near_duplicates(pairs):
        across = left.split("/")[0] != right.split("/")[0]
        kind = "across splits (leakage)" if across else "within a split"
        report.warnings.append(
            f"near-duplicate articles {left} and {right}"
            f" (5-gram Jaccard {jaccard}) {kind}; keep one"
        )
    return report


def _check_standoff(report: CheckReport, standoff: Path, codebook: Codebook) -> None:
    """Join the stand-off annotations of real articles to their texts, when those are here."""
    from framing.data.seeds import default_seeds_dir, load_seeds

    seeds_dir = default_seeds_dir()
    if seeds_dir is None:
        report.warnings.append(
            f"{standoff.name}: seed texts not found (set FRAMING_SEEDS);"
            " the real articles were not checked"
        )
        return
    try:
        report.articles["real"] = load_seeds(codebook, seeds_dir, standoff)
    except FramingError as exc:
        report.problems.append(Problem(str(standoff), str(exc)))
