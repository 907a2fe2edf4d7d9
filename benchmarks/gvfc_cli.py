"""GVFC as what it is, through the command line only: a frames-only corpus labeled per
headline (an article-level label on a one-paragraph article).

For each of the five published folds, the fold's `train.tsv` becomes a corpus folder with a
frames-only codebook (no stance block) and article-level records; `framing train` fits it
(thresholds tuned for article F1 on 15% of the training headlines held out, then refit) and
`framing evaluate` scores the held-out fold (`dev.tsv`, as published). Multi-label macro-F1
with tuned thresholds, no frame forced; means and standard deviations over the folds.

    python benchmarks/gvfc_cli.py --data ../shared/benchmarks/gvfc [--families tfidf encoder]
        [--configs benchmarks/configs/ensemble-finetune.toml] [--folds 0 1 2 3 4]

``--configs`` trains with ``framing train --config FILE`` (the row is named by the file).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from gvfc import DEFINITIONS, FRAMES, read_fold


def cli(*args) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "framing", *map(str, args)], capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"framing {' '.join(map(str, args))} failed:\n{result.stderr}")


def write_corpus(folder: Path, fold: Path) -> None:
    folder.mkdir(parents=True)
    codebook = {
        "name": "gvfc-frames",
        "version": "1",
        "frames": [
            {"id": f, "name": f.replace("_", " "), "definition": d}
            for f, d in zip(FRAMES, DEFINITIONS, strict=True)
        ],
    }
    (folder / "codebook.yaml").write_text(yaml.safe_dump(codebook), encoding="utf-8")
    for source, split in (("train.tsv", "train"), ("dev.tsv", "test")):
        with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as handle:
            for n, (image, title, flags) in enumerate(read_fold(fold / source)):
                frames = [f for f, on in zip(FRAMES, flags, strict=True) if on]
                record = {"id": f"{image}-{n}", "text": title, "frames": frames, "language": "en"}
                handle.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="The gvfc folder.")
    parser.add_argument("--families", nargs="+", default=["tfidf", "encoder"])
    parser.add_argument("--configs", nargs="*", type=Path, default=[])
    parser.add_argument("--folds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    if not (args.data / "folds").is_dir():
        raise SystemExit(f"{args.data}: no folds/ folder; give the GVFC folder with --data")
    print(
        "| model (framing train / evaluate) | multi-label macro-F1 | micro-F1 | seconds per fold |"
    )
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(f, ["--model", f]) for f in args.families]
        runs += [(c.stem, ["--config", c.resolve()]) for c in args.configs]
        for family, how in runs:
            macro, micro, seconds = [], [], []
            for fold in args.folds:
                corpus = Path(tmp) / f"{family}-{fold}" / "corpus"
                write_corpus(corpus, args.data / "folds" / str(fold))
                started = time.perf_counter()
                cli("train", "--data", corpus, "--out", corpus.parent / "model", *how)
                cli(
                    "evaluate",
                    "--model",
                    corpus.parent / "model",
                    "--data",
                    corpus,
                    "--out",
                    corpus.parent / "report",
                    "--bootstrap",
                    "0",
                )
                seconds.append(time.perf_counter() - started)
                metrics = json.loads((corpus.parent / "report" / "metrics.json").read_text())
                macro.append(metrics["article"]["frames"]["macro_f1"])
                micro.append(metrics["article"]["frames"]["micro_f1"])
                print(f"{family} fold {fold}: macro-F1 {macro[-1]:.3f}", file=sys.stderr)
            sd = statistics.stdev if len(macro) > 1 else (lambda values: 0.0)
            print(
                f"| {family} | {statistics.mean(macro):.3f} ± {sd(macro):.3f}"
                f" | {statistics.mean(micro):.3f} ± {sd(micro):.3f}"
                f" | {statistics.mean(seconds):.0f} |"
            )


if __name__ == "__main__":
    main()
