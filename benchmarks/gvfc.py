"""Reproduce the Gun Violence Frame Corpus (GVFC) results with our model families.

The five published folds are read from their folder (never copied into the
project). For each fold, a family is trained on ``train.tsv`` only (thresholds
and calibration chosen on an inner hold-out of it, as ``framing train`` does
without a dev split) and scored on ``dev.tsv``, the held-out fold the published
numbers are measured on. Two tasks, through the same classifier interface:

- single-label first frame: the single-label (stance) head is trained on the
  first frame, so its argmax is the predicted first frame;
- multi-label: the frame head with per-frame thresholds; also with at least one
  frame forced per headline (the strongest), as Akyurek et al. (2020) do.

    python benchmarks/gvfc.py [--data ../shared/benchmarks/gvfc] [--families tfidf encoder]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from framing.data.codebook import parse_codebook
from framing.data.corpus import Article
from framing.data.segment import Paragraph
from framing.models.base import family_class
from framing.train.fit import fit_and_tune

FRAMES = [
    "gun_rights",
    "gun_control",
    "politics",
    "mental_health",
    "public_safety",
    "race_ethnicity",
    "public_opinion",
    "society_culture",
    "economic",
]
DEFINITIONS = [
    "Gun or Second Amendment rights: the right to own and carry guns.",
    "Gun control and regulation: laws, background checks, bans, restrictions on guns.",
    "Politics: politicians, parties, elections, lobbying, political fights over guns.",
    "Mental health: the shooter's mental illness, psychological state, treatment.",
    "School or public space safety: security of schools and public places, drills, guards.",
    "Race and ethnicity: racial motives, hate crimes, ethnic groups, white supremacy.",
    "Public opinion: polls, protests, marches, what the public thinks or demands.",
    "Society and culture: community, religion, media, violent culture, families, victims' lives.",
    "Economic consequences: costs, businesses, the gun industry, money, markets.",
]


def gvfc_codebook():
    """A codebook for GVFC: nine frames, and the first frame as the single-label head."""
    frames = [
        {"id": f, "name": f.replace("_", " "), "definition": d}
        for f, d in zip(FRAMES, DEFINITIONS, strict=True)
    ]
    first = [
        {"id": f"first_{f}", "name": f"first frame: {f}", "definition": d}
        for f, d in zip(FRAMES, DEFINITIONS, strict=True)
    ]
    return parse_codebook(
        {
            "name": "gvfc",
            "version": "1",
            "frames": frames,
            "stance": {"target": "the headline's first frame", "labels": first},
        },
        source="gvfc",
    )


def read_fold(path: Path) -> list[tuple[str, str, list[int]]]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            rows.append((row[0], row[1], [int(float(v)) for v in row[3:12]]))
    return rows


def first_frames(data: Path) -> dict[tuple[str, str], int]:
    """First frame (0-8) of every headline, keyed by (image id, headline)."""
    out = {}
    with (data / "english.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out[(row["ImageID"], row["news_title"])] = int(row["Q3 Theme1"]) - 1
    return out


def as_articles(rows, first) -> list[Article]:
    articles = []
    for n, (image, title, flags) in enumerate(rows):
        frames = [f for f, on in zip(FRAMES, flags, strict=True) if on]
        stance = f"first_{FRAMES[first[(image, title)]]}"
        paragraph = Paragraph(title, False, frames, stance)
        articles.append(
            Article(f"{image}-{n}", [paragraph], stance, frames, None, {"origin": "real"})
        )
    return articles


def run_fold(family: str, data: Path, fold: int, first, settings: dict) -> dict:
    codebook = gvfc_codebook()
    train = as_articles(read_fold(data / "folds" / str(fold) / "train.tsv"), first)
    test_rows = read_fold(data / "folds" / str(fold) / "dev.tsv")
    test = as_articles(test_rows, first)
    started = time.perf_counter()
    model = family_class(family)(codebook=codebook, **settings)
    fit_and_tune(model, train, None, seed=fold)
    train_s = time.perf_counter() - started
    texts = [a.paragraphs[0].text for a in test]
    started = time.perf_counter()
    scores = model.predict_proba(texts)
    predict_s = time.perf_counter() - started
    gold_first = [codebook.stance_ids.index(a.stance) for a in test]
    pred_first = scores.stance.argmax(axis=1)
    Y = np.array([flags for _, _, flags in test_rows])
    Y_pred = (scores.frames >= model.thresholds_).astype(int)
    forced = Y_pred.copy()
    empty = forced.sum(axis=1) == 0
    forced[empty, scores.frames[empty].argmax(axis=1)] = 1
    return {
        "first_accuracy": accuracy_score(gold_first, pred_first),
        "first_macro_f1": f1_score(
            gold_first, pred_first, average="macro", labels=list(range(9)), zero_division=0
        ),
        "multi_macro_f1": f1_score(Y, Y_pred, average="macro", zero_division=0),
        "multi_macro_f1_forced": f1_score(Y, forced, average="macro", zero_division=0),
        "train_s": train_s,
        "ms_per_headline": 1000 * predict_s / len(texts),
        "n_test": len(texts),
    }


# The embedding cache is off so that prediction times count the encoding.
SETTINGS = {
    "encoder": {"cache_embeddings": False},
    "zeroshot": {"cache_embeddings": False},
    "ensemble": {"member_settings": {"encoder": {"cache_embeddings": False}}},
    "finetune": {"epochs": 10, "max_length": 64, "batch_size": 16, "learning_rate": 1e-4},
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/benchmarks/gvfc"))
    parser.add_argument(
        "--families", nargs="+", default=["tfidf", "encoder", "ensemble", "zeroshot"]
    )
    parser.add_argument("--folds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    args = parser.parse_args(argv)
    if not (args.data / "english.csv").is_file() or not (args.data / "folds").is_dir():
        sys.exit(
            f"error: {args.data}: GVFC data not found (expected english.csv and folds/);"
            " pass --data PATH to the folder of the benchmark"
        )
    first = first_frames(args.data)
    print(
        f"GVFC, folds {args.folds}: trained on train.tsv, scored on the held-out dev.tsv"
        " (real headlines); means over folds\n"
    )
    print(
        "| model | first-frame accuracy | first-frame macro-F1 | multi-label macro-F1 "
        "(tuned thresholds) | multi-label macro-F1 (>= 1 frame forced) | train s per fold "
        "| predict ms per headline |"
    )
    print("|---|---|---|---|---|---|---|")
    for family in args.families:
        results = [
            run_fold(family, args.data, f, first, SETTINGS.get(family, {})) for f in args.folds
        ]

        def mean(key, results=results):
            return statistics.mean(r[key] for r in results)

        print(
            f"| ours: {family} | {mean('first_accuracy'):.3f} | {mean('first_macro_f1'):.3f} "
            f"| {mean('multi_macro_f1'):.3f} | {mean('multi_macro_f1_forced'):.3f} "
            f"| {mean('train_s'):.1f} | {mean('ms_per_headline'):.2f} |",
            flush=True,
        )
    print("| published: fine-tuned BERT-base (Liu et al. 2019) | 0.83 | 0.77 | - | - | GPU | - |")
    print("| published: best of Akyurek et al. 2020 (BERT-base) | - | - | - | 0.76 | GPU | - |")


if __name__ == "__main__":
    main()
