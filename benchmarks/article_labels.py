"""What paragraph labels buy: the bundled corpus trained with its paragraph labels, and with
article-level labels only, through the command line (`framing train`, `framing evaluate`);
and a plain baseline for article labels: each article's paragraphs embedded with MiniLM,
mean-pooled, one logistic regression per frame (threshold tuned on dev articles) and one for
stance.

Every model is scored on the authored test split (21 articles, paragraph-labeled), so the
article-level scores are comparable; the article-only models are also scored at paragraph
level, since the test split has paragraph labels.

    python benchmarks/article_labels.py [--families tfidf encoder]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from framing.data.codebook import load_codebook
from framing.data.corpus import as_unlabeled
from framing.data.splits import bundled_corpus_dir, load_splits
from framing.models.thresholds import best_thresholds
from framing.models.transformer import Encoder


def cli(*args) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "framing", *map(str, args)], capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"framing {' '.join(map(str, args))} failed:\n{result.stderr}")


def article_only_copy(folder: Path) -> Path:
    """The bundled train and dev splits with paragraph labels dropped (test kept whole)."""
    codebook = load_codebook()
    splits = load_splits(bundled_corpus_dir(), codebook)
    for name in ("train", "dev"):
        with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for a in splits[name]:
                record = {"id": a.id, "text": a.text, "frames": a.frames, "stance": a.stance}
                record.update(a.meta)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def stance_only_copy(folder: Path) -> Path:
    """The bundled corpus (all three splits) with the frames left out of codebook and labels."""
    codebook = load_codebook()
    raw = codebook.to_dict()
    raw.pop("frames")
    (folder / "codebook.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    for name, articles in load_splits(bundled_corpus_dir(), codebook).items():
        with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for a in articles:
                record = a.to_record()
                record.pop("frames"), record.pop("primary_frame")
                for p in record["paragraphs"]:
                    p.pop("frames")
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def scored(metrics_file: Path) -> dict:
    m = json.loads(metrics_file.read_text())
    P, A = m["paragraph"], m["article"]
    frames = A["frames"]
    return {
        "para_micro": P["frames"]["micro_f1"] if P and P["frames"] else None,
        "art_micro": frames["micro_f1"] if frames else None,
        "art_macro": frames["macro_f1"] if frames else None,
        "art_stance": A["stance"]["accuracy"],
        "art_micro_ci": (frames["micro_f1_ci_low"], frames["micro_f1_ci_high"]) if frames else None,
        "para_stance": P["stance"]["macro_f1"] if P else None,
    }


def pooled_baseline() -> dict:
    codebook = load_codebook()
    splits = load_splits(bundled_corpus_dir(), codebook)
    encoder = Encoder(cache=None)

    def features(articles):
        rows = []
        for a in articles:
            content = [p.text for p in as_unlabeled(a).paragraphs if not p.boilerplate]
            rows.append(encoder.encode(content or [a.text]).mean(axis=0))
        return np.vstack(rows)

    def labels(articles):
        Y = np.array([[f in (a.frames or []) for f in codebook.frame_ids] for a in articles])
        return Y.astype(int), [a.stance for a in articles]

    X = {name: features(splits[name]) for name in ("train", "dev", "test")}
    Y = {name: labels(splits[name]) for name in ("train", "dev", "test")}
    heads = [
        LogisticRegression(C=16.0, max_iter=2000, class_weight="balanced").fit(
            X["train"], Y["train"][0][:, j]
        )
        for j in range(len(codebook.frame_ids))
    ]
    dev_scores = np.column_stack([h.predict_proba(X["dev"])[:, 1] for h in heads])
    thresholds = best_thresholds(Y["dev"][0], dev_scores)
    test_scores = np.column_stack([h.predict_proba(X["test"])[:, 1] for h in heads])
    predicted = (test_scores >= thresholds).astype(int)
    stance = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(
        X["train"], Y["train"][1]
    )
    return {
        "para_micro": None,
        "art_micro": f1_score(Y["test"][0], predicted, average="micro", zero_division=0),
        "art_macro": f1_score(Y["test"][0], predicted, average="macro", zero_division=0),
        "art_stance": accuracy_score(Y["test"][1], stance.predict(X["test"])),
        "art_micro_ci": None,
        "para_stance": None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=["tfidf", "encoder"])
    parser.add_argument("--no-baseline", action="store_true", help="Skip the pooled baseline.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "articles").mkdir()
        (tmp / "stance").mkdir()
        corpora = {
            "paragraph labels": bundled_corpus_dir(),
            "article labels only": article_only_copy(tmp / "articles"),
            "stance labels only": stance_only_copy(tmp / "stance"),
        }
        for family in args.families:
            for name, data in corpora.items():
                model = tmp / f"{family}-{name.replace(' ', '-')}"
                cli("train", "--data", data, "--out", model, "--model", family)
                report = tmp / f"report-{model.name}"
                data = corpora[name] if name == "stance labels only" else bundled_corpus_dir()
                cli(
                    "evaluate", "--model", model, "--data", data, "--split", "test", "--out", report
                )
                rows.append((family, name, scored(report / "metrics.json")))
                print(f"done: {family}, {name}", file=sys.stderr)
    if not args.no_baseline:
        rows.append(
            ("pooled MiniLM + logistic regression", "article labels only", pooled_baseline())
        )
    print(
        "| model | trained on | test article frames micro-F1 [95% CI] | article frames"
        " macro-F1 | article stance acc. | paragraph frames micro-F1 | paragraph stance"
        " macro-F1 |"
    )
    print("|---|---|---|---|---|---|---|")

    def cell(value):
        return "-" if value is None else f"{value:.3f}"

    for family, name, r in rows:
        ci = r["art_micro_ci"]
        interval = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
        print(
            f"| {family} | {name} | {cell(r['art_micro'])}{interval} | {cell(r['art_macro'])}"
            f" | {cell(r['art_stance'])} | {cell(r['para_micro'])} | {cell(r['para_stance'])} |"
        )


if __name__ == "__main__":
    main()
