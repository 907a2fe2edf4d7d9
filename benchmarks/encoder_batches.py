"""How the encoder's batch sizes change the default model's speed: one table.

The shipped default model labels the authored test split's articles (embedding
cache off) with each combination of the encoder's batch size (texts per forward
pass) and the article classifier's batch size (paragraphs per call of the model,
sorted by length together). Every combination runs once per round, in turn, so a
slow spell of the machine falls on all of them alike; the median over rounds is
reported, with the range.

    python benchmarks/encoder_batches.py [--rounds 9]
"""

from __future__ import annotations

import argparse

from timing import interleaved_seconds, rates

from framing.data.codebook import load_codebook
from framing.data.corpus import as_unlabeled
from framing.data.splits import bundled_corpus_dir, load_splits
from framing.models.article import ArticleClassifier
from framing.models.base import FramingClassifier
from framing.train.default import shipped_model_dir

ENCODER_BATCHES = (8, 16, 32, 64, 128)
CALL_BATCHES = (256, 2048)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    test = load_splits(bundled_corpus_dir(), load_codebook())["test"]
    articles = [as_unlabeled(a) for a in test]
    runs = {}
    for encoder_batch in ENCODER_BATCHES:
        for call_batch in CALL_BATCHES:
            model = FramingClassifier.load(shipped_model_dir())
            model.set_params(cache_embeddings=False, batch_size=encoder_batch)
            classifier = ArticleClassifier(model, batch_size=call_batch)
            classifier.predict(articles[:2])  # warm-up: lazy loading is not prediction time

            def run(model=model, classifier=classifier, encoder_batch=encoder_batch):
                model.set_params(batch_size=encoder_batch)  # the encoder is shared
                classifier.predict(articles)

            runs[(encoder_batch, call_batch)] = run
    times = interleaved_seconds(runs, args.rounds)
    print(
        f"The shipped default on the {len(articles)} authored test articles, embedding cache"
        f" off; articles per second, median (range) of {args.rounds} interleaved rounds\n"
    )
    print(
        "| encoder batch | " + " | ".join(f"{c} paragraphs per call" for c in CALL_BATCHES) + " |"
    )
    print("|---" * (1 + len(CALL_BATCHES)) + "|")
    for encoder_batch in ENCODER_BATCHES:
        cells = []
        for call_batch in CALL_BATCHES:
            median, low, high = rates(len(articles), times[(encoder_batch, call_batch)])
            cells.append(f"{median:.1f} ({low:.1f}-{high:.1f})")
        print(f"| {encoder_batch} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
