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

Beside our models, ``plain`` is the plain recipe a user would write with
``transformers`` alone: the same MiniLM fine-tuned with the Trainer's defaults
(float32, random batches) for 10 epochs at learning rate 1e-4, batch 16, one
multi-label (BCE) output per frame, thresholds at 0.5, first frame = the
highest-scoring frame. Every row is measured in the same run, one after the other.

    python benchmarks/gvfc.py [--data ../shared/benchmarks/gvfc] [--models tfidf plain finetune]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import statistics
import sys
import tempfile
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


def plain_finetune(train_rows, texts: list[str], seed: int, first=None):
    """A plain recipe (see the module docstring): a function giving the frame
    probabilities of ``texts``, or, given the first frames (``first``), the first frame's."""
    import torch
    from datasets import Dataset
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
    )
    from transformers.utils import logging as hf_logging

    from framing.models.transformer import DEFAULT_ENCODER, resolve_encoder

    hf_logging.set_verbosity_error()
    path = resolve_encoder(DEFAULT_ENCODER)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if first is None:
        model = AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=len(FRAMES), problem_type="multi_label_classification"
        )
        labels = [[float(v) for v in r[2]] for r in train_rows]
    else:
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=len(FRAMES))
        labels = [first[(r[0], r[1])] for r in train_rows]
    data = Dataset.from_dict({"text": [r[1] for r in train_rows], "labels": labels}).map(
        lambda b: tokenizer(b["text"], truncation=True, max_length=64), batched=True
    )
    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp,
            num_train_epochs=10,
            per_device_train_batch_size=16,
            learning_rate=1e-4,
            save_strategy="no",
            logging_strategy="no",
            report_to=[],
            seed=seed,
            use_cpu=True,
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=data.remove_columns("text"),
            data_collator=DataCollatorWithPadding(tokenizer),
        )
        with contextlib.redirect_stdout(sys.stderr):  # the Trainer prints a summary
            trainer.train()
    model.eval()

    def predict():
        batch = tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        with torch.inference_mode():
            logits = model(**batch).logits
        return (torch.sigmoid(logits) if first is None else torch.softmax(logits, 1)).numpy()

    return predict


# Benchmark rows: name -> (family, settings). The embedding cache is off so that
# prediction times count the encoding.
MODELS = {
    "tfidf": ("tfidf", {}),
    "encoder": ("encoder", {"cache_embeddings": False}),
    "ensemble": ("ensemble", {"member_settings": {"encoder": {"cache_embeddings": False}}}),
    "zeroshot": ("zeroshot", {"cache_embeddings": False}),
    "finetune": ("finetune", {"epochs": 8, "max_length": 64}),
    "ensemble+finetune": (
        "ensemble",
        {
            "members": ["tfidf", "encoder", "finetune"],
            "member_settings": {
                "encoder": {"cache_embeddings": False},
                "finetune": {"epochs": 8, "max_length": 64},
            },
        },
    ),
}


def run_fold(name: str, data: Path, fold: int, first) -> dict:
    codebook = gvfc_codebook()
    train_rows = read_fold(data / "folds" / str(fold) / "train.tsv")
    train = as_articles(train_rows, first)
    test_rows = read_fold(data / "folds" / str(fold) / "dev.tsv")
    test = as_articles(test_rows, first)
    texts = [a.paragraphs[0].text for a in test]
    gold_first = [codebook.stance_ids.index(a.stance) for a in test]
    Y = np.array([flags for _, _, flags in test_rows])
    started = time.perf_counter()
    if name.startswith("plain"):
        predict = plain_finetune(
            train_rows, texts, seed=fold, first=first if name == "plain-first" else None
        )
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        frames = predict()
        predict_s = time.perf_counter() - started
        pred_first = frames.argmax(axis=1)
        # the single-label recipe has no multi-label output: its columns stay empty
        Y_pred = (frames >= 0.5).astype(int) if name == "plain-multi" else None
    else:
        family, settings = MODELS[name]
        model = family_class(family)(codebook=codebook, **settings)
        fit_and_tune(model, train, None, seed=fold)
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        scores = model.predict_proba(texts)
        predict_s = time.perf_counter() - started
        frames = scores.frames
        pred_first = scores.stance.argmax(axis=1)
        Y_pred = (frames >= model.thresholds_).astype(int)
    multi = {}
    if Y_pred is not None:
        forced = Y_pred.copy()
        empty = forced.sum(axis=1) == 0
        forced[empty, frames[empty].argmax(axis=1)] = 1
        multi = {
            "multi_macro_f1": f1_score(Y, Y_pred, average="macro", zero_division=0),
            "multi_macro_f1_forced": f1_score(Y, forced, average="macro", zero_division=0),
        }
    return {
        "first_accuracy": accuracy_score(gold_first, pred_first),
        "first_macro_f1": f1_score(
            gold_first, pred_first, average="macro", labels=list(range(9)), zero_division=0
        ),
        **multi,
        "train_s": train_s,
        **({"epochs": model.epochs} if name == "finetune" else {}),
        "ms_per_headline": 1000 * predict_s / len(texts),
        "n_test": len(texts),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/benchmarks/gvfc"))
    parser.add_argument(
        "--models",
        nargs="+",
        default=[
            "tfidf",
            "encoder",
            "ensemble",
            "zeroshot",
            "plain-multi",
            "plain-first",
            "finetune",
            "ensemble+finetune",
        ],
        choices=[*MODELS, "plain-multi", "plain-first"],
    )
    parser.add_argument("--folds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", type=Path, help="also write every fold's numbers as JSON")
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
    everything = {}
    for name in args.models:
        results = []
        for fold in args.folds:
            results.append(run_fold(name, args.data, fold, first))
            print(f"{name} fold {fold}: {results[-1]}", file=sys.stderr, flush=True)
        everything[name] = results

        def cell(key, digits=3, results=results):
            values = [r[key] for r in results if key in r]
            if not values:
                return "-"
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            return f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f}"

        label = (
            f"{name}: plain transformers fine-tune" if name.startswith("plain") else f"ours: {name}"
        )
        print(
            f"| {label} | {cell('first_accuracy')} | {cell('first_macro_f1')} "
            f"| {cell('multi_macro_f1')} | {cell('multi_macro_f1_forced')} "
            f"| {cell('train_s', 0)} | {cell('ms_per_headline', 2)} |",
            flush=True,
        )
    if args.out:
        args.out.write_text(json.dumps(everything, indent=2))
    print("| published: fine-tuned BERT-base (Liu et al. 2019) | 0.83 | 0.77 | - | - | GPU | - |")
    print("| published: best of Akyurek et al. 2020 (BERT-base) | - | - | - | 0.76 | GPU | - |")


if __name__ == "__main__":
    main()
