"""Batch classification benchmarks; prints tables (never asserts on time).

1. Articles per second per model family on the same generated articles, with the
   bare encoder forward pass over the same paragraphs as the reference.
2. Peak resident memory of `framing classify` into a shard folder for 10,000 and
   100,000 generated articles (it must stay flat).
3. Dask with 2 local workers against a single process, same input and output.
4. A run killed at a random point, resumed, and compared with an uninterrupted run.

    python benchmarks/classify.py [--families tfidf encoder] [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import bare_forward, median_seconds

from framing.data.codebook import load_codebook
from framing.data.splits import bundled_corpus_dir, load_splits
from framing.models.base import family_class
from framing.train.fit import fit_and_tune

NO_CACHE = {
    "encoder": {"cache_embeddings": False},
    "zeroshot": {"cache_embeddings": False},
    "ensemble": {"member_settings": {"encoder": {"cache_embeddings": False}}},
}


def generate(path: Path, n: int, seed: int = 0) -> Path:
    """n articles made of paragraphs of the bundled corpus, in random combinations."""
    splits = load_splits(bundled_corpus_dir(), load_codebook())
    paragraphs = [p.text for part in splits.values() for a in part for p in a.paragraphs]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            text = "\n\n".join(rng.sample(paragraphs, rng.randint(4, 10)))
            handle.write(
                json.dumps(
                    {
                        "id": f"gen-{i}",
                        "text": text,
                        "date": f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}",
                    }
                )
                + "\n"
            )
    return path


def train(family: str, folder: Path) -> Path:
    splits = load_splits(bundled_corpus_dir(), load_codebook())
    model = family_class(family)(codebook=load_codebook(), **NO_CACHE.get(family, {}))
    fit_and_tune(model, splits["train"], splits["dev"])
    return model.save(folder / family)


# Linux does not reset a process's peak-RSS mark on exec, so a child forked from this (large)
# process would report this process's size. A small launcher process forks the real run and
# reports the peak of its own children instead.
_LAUNCHER = (
    "import os, resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def run_classify(args: list[str]) -> tuple[float, int, int]:
    """Run `framing classify` as a process: (seconds, peak RSS in MiB, exit code)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "framing", "classify", *args, "-q"],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kb, code = (int(x) for x in result.stdout.split())
    return seconds, peak_kb // 1024, code


def speed(families: list[str], work: Path, n_articles: int, repeats: int) -> None:
    from framing.data.corpus import iter_unlabeled
    from framing.models.article import ArticleClassifier
    from framing.models.base import FramingClassifier

    source = generate(work / "speed.jsonl", n_articles, seed=1)
    articles = [a for a, _ in iter_unlabeled([str(source)])]
    texts = [p.text for a in articles for p in a.paragraphs if not p.boilerplate]
    print(
        f"## Throughput: {n_articles} generated articles, {len(texts)} content paragraphs"
        f" (median of {repeats} runs)\n"
    )
    print("| model | articles/s | paragraphs/s |")
    print("|---|---|---|")
    for family in families:
        model = FramingClassifier.load(train(family, work))
        classifier = ArticleClassifier(model)
        classifier.predict(articles[:8])  # warm-up
        seconds = median_seconds(lambda c=classifier: c.predict(articles), repeats)
        print(f"| {family} | {n_articles / seconds:.1f} | {len(texts) / seconds:.0f} |", flush=True)
    if any(f in families for f in ("encoder", "ensemble", "zeroshot")):
        rate, dtype = bare_forward(texts, repeats)
        seconds = len(texts) / rate
        print(
            f"| bare encoder forward pass ({dtype}), reference |"
            f" {n_articles / seconds:.1f} | {rate:.0f} |"
        )
    print()


def memory(model_dir: Path, work: Path, sizes: list[int]) -> None:
    print("## Peak resident memory of `framing classify INPUT --out FOLDER` (tfidf)\n")
    print("| articles | input MB | seconds | articles/s | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for n in sizes:
        source = generate(work / f"mem-{n}.jsonl", n, seed=2)
        seconds, rss, code = run_classify(
            [str(source), "--model", str(model_dir), "--out", str(work / f"mem-out-{n}")]
        )
        assert code == 0, f"classify failed on {n} articles"
        print(
            f"| {n:,} | {source.stat().st_size / 1e6:.0f} | {seconds:.0f} | {n / seconds:.0f}"
            f" | {rss} |",
            flush=True,
        )
    print()


def dask_vs_single(model_dir: Path, work: Path, n: int) -> None:
    source = generate(work / "dask.jsonl", n, seed=3)
    single, rss1, _ = run_classify(
        [str(source), "--model", str(model_dir), "--out", str(work / "single")]
    )
    dask, rss2, _ = run_classify(
        [
            str(source),
            "--model",
            str(model_dir),
            "--out",
            str(work / "dask"),
            "--engine",
            "dask",
            "--workers",
            "2",
        ]
    )
    same = _same(work / "single", work / "dask")
    print(f"## Dask (2 local workers) vs single process, {n:,} articles, {model_dir.name}\n")
    print("| engine | seconds | articles/s | output |")
    print("|---|---|---|---|")
    print(f"| single process | {single:.1f} | {n / single:.0f} | reference |")
    print(
        f"| dask, 2 workers | {dask:.1f} | {n / dask:.0f} |"
        f" {'identical' if same else 'DIFFERENT'} |\n"
    )


def kill_and_resume(model_dir: Path, work: Path, n: int) -> None:
    source = generate(work / "resume.jsonl", n, seed=4)
    reference, killed = work / "uninterrupted", work / "killed"
    run_classify([str(source), "--model", str(model_dir), "--out", str(reference)])
    args = [
        sys.executable,
        "-m",
        "framing",
        "classify",
        str(source),
        "--model",
        str(model_dir),
        "--out",
        str(killed),
        "--shard-size",
        "200",
        "-q",
    ]
    process = subprocess.Popen(args, stderr=subprocess.DEVNULL, start_new_session=True)
    delay = random.Random().uniform(2.0, 10.0)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    manifest = killed / "manifest.json"
    done = len(json.loads(manifest.read_text())["shards"]) if manifest.exists() else 0
    subprocess.run([*args, "--resume"], check=True, stderr=subprocess.DEVNULL)
    # the reference used the default shard size; compare the predictions line by line
    same = _lines(reference) == _lines(killed)
    print(f"## Kill and resume, {n:,} articles\n")
    print(
        f"killed after {delay:.1f} s with {done} shards of 200 done; resumed; predictions"
        f" {'identical to' if same else 'DIFFERENT from'} an uninterrupted run\n"
    )


def _lines(folder: Path) -> list[str]:
    return [
        line
        for f in sorted(folder.glob("predictions-*.jsonl"))
        for line in f.read_text().splitlines()
    ]


def _same(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.glob("*.jsonl"))
    return names == sorted(p.name for p in b.glob("*.jsonl")) and all(
        filecmp.cmp(a / n, b / n, shallow=False) for n in names
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--families", nargs="+", default=["keywords", "tfidf", "encoder", "ensemble", "zeroshot"]
    )
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--dask-articles", type=int, default=5000)
    parser.add_argument("--resume-articles", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="framing-bench-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("FRAMING_CACHE", str(work / "cache"))
        speed(args.families, work, args.articles, args.repeats)
        model_dir = train("tfidf", work / "tfidf-model")
        memory(model_dir, work, args.sizes)
        dask_vs_single(model_dir, work, args.dask_articles)
        kill_and_resume(model_dir, work, args.resume_articles)


if __name__ == "__main__":
    main()
