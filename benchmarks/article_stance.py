"""How the article stance is best built: grouped cross-validation on the bundled corpus.

Every fold trains a model on the other folds' articles (``fit_and_tune``, 15% of
them held out for thresholds, as ``framing train`` does without a dev split),
computes the inputs of its training articles from out-of-fold paragraph scores
(as training does), and labels the held-out articles' stance several ways from
the same paragraph scores:

- mean: the most probable label of the word-weighted mean of paragraph stances
  (the title counted as a content paragraph);
- paragraph-stance layer: a logistic regression (C=1) on the nine
  paragraph-stance features (word-weighted mean, strongest paragraph and share of
  paragraphs won, per label): the layer of families that do not embed text;
- + lead: those features and the lead's (the title's) own stance scores,
  standardised, C chosen by cross-validated log loss;
- for families that embed text: + article embedding (the nine features and the
  article's mean embedding: the layer training fits with ``article_embedding``);
  + lead + article embedding; the article embedding alone;
- the trained layer: the layer ``fit_and_tune`` fitted (for the encoder the
  benchmark turns ``article_embedding`` on, so this is the "+ article embedding"
  layer, fitted on its own out-of-fold scores; the default encoder's is the
  paragraph-stance layer);
- layer, no title: the trained layer when the held-out article's title is
  withheld.

Articles are grouped by id (each is in one fold); train, dev and test splits are
pooled (the headlines split is not used). Accuracy and macro-F1 over all
held-out articles, with 95% bootstrap intervals.

    python benchmarks/article_stance.py [--family encoder] [--folds 5]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from framing.data.codebook import load_codebook
from framing.data.corpus import Article, as_unlabeled
from framing.data.splits import HELDOUT_ONLY, bundled_corpus_dir, load_splits
from framing.models.article import ArticleClassifier
from framing.models.article_stance import C_GRID, ArticleStanceHead
from framing.models.base import make_model
from framing.train.fit import article_stance_inputs, fit_and_tune, layer_inputs


def _with_lead(model, articles: list[Article]) -> np.ndarray:
    """The layer's inputs of unlabeled ``articles``, then each article's lead (its title,
    else its first content paragraph) stance scores."""
    clf = ArticleClassifier(model)
    prepared = clf.prepare(articles)
    leads = []
    for article, scores in zip(prepared, clf.score(prepared), strict=True):
        content = np.array([not p.boilerplate for p in article.paragraphs], dtype=bool)
        titles = np.array([p.title for p in article.paragraphs], dtype=bool)
        first = np.flatnonzero(content & titles if (content & titles).any() else content)
        leads.append(scores.stance[first[0]] if first.size else np.zeros(scores.stance.shape[1]))
    return np.hstack([layer_inputs(model, articles), np.array(leads)])


def _standardised_lr():
    return make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(
            Cs=list(C_GRID), max_iter=3000, class_weight="balanced", scoring="neg_log_loss"
        ),
    )


def _ci(gold, pred, metric, n_boot=1000, seed=0) -> str:
    rng = np.random.default_rng(seed)
    gold, pred = np.asarray(gold), np.asarray(pred)
    values = []
    for _ in range(n_boot):
        i = rng.integers(0, len(gold), len(gold))
        values.append(metric(gold[i], pred[i]))
    low, high = np.percentile(values, [2.5, 97.5])
    return f"{metric(gold, pred):.3f} [{low:.2f}, {high:.2f}]"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="encoder")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    codebook = load_codebook()
    splits = load_splits(bundled_corpus_dir(), codebook)
    articles = [a for name, part in splits.items() if name not in HELDOUT_ONLY for a in part]
    gold, preds = [], {}
    folds = KFold(n_splits=args.folds, shuffle=True, random_state=0)
    for k, (train_idx, test_idx) in enumerate(folds.split(np.arange(len(articles)))):
        train = [articles[i] for i in train_idx]
        # An encoder gives its paragraph vectors only with article_embedding on.
        embedding = {"article_embedding": True} if args.family == "encoder" else {}
        model = make_model(args.family, codebook=codebook, **embedding)
        fit_and_tune(model, train, None, seed=k)
        n = len(model.stances_)
        XL = article_stance_inputs(model, train, seed=k, inputs=_with_lead)
        X, L = XL[:, :-n], XL[:, -n:]
        y = np.array([model.stances_.index(a.stance) for a in train])
        test = [as_unlabeled(articles[i]) for i in test_idx]
        XLt = _with_lead(model, test)
        Xt, Lt = XLt[:, :-n], XLt[:, -n:]
        untitled = [
            Article(a.id, a.paragraphs, meta={**a.meta, "title": ""}, place=a.place) for a in test
        ]
        gold += [model.stances_.index(articles[i].stance) for i in test_idx]
        base, base_t = X[:, : 3 * n], Xt[:, : 3 * n]
        ways = {
            "mean": Xt[:, :n],
            "paragraph-stance layer": ArticleStanceHead().fit(base, y, n).predict_proba(base_t),
            "+ lead": _standardised_lr()
            .fit(np.hstack([base, L]), y)
            .predict_proba(np.hstack([base_t, Lt])),
        }
        if X.shape[1] > 3 * n:
            emb, emb_t = X[:, 3 * n :], Xt[:, 3 * n :]
            ways["+ article embedding"] = ArticleStanceHead().fit(X, y, n).predict_proba(Xt)
            ways["+ lead + article embedding"] = (
                _standardised_lr().fit(np.hstack([X, L]), y).predict_proba(np.hstack([Xt, Lt]))
            )
            ways["article embedding alone"] = _standardised_lr().fit(emb, y).predict_proba(emb_t)
        ways["the trained layer"] = model.article_stance_.predict_proba(Xt)
        ways["layer, no title"] = model.article_stance_.predict_proba(layer_inputs(model, untitled))
        for name, out in ways.items():
            preds.setdefault(name, []).extend(np.asarray(out).argmax(axis=1).tolist())
        print(f"fold {k}: {len(test_idx)} held-out articles", flush=True)
    print(
        f"\n{args.family}, {args.folds}-fold cross-validation over {len(articles)} authored"
        " articles (train + dev + test pooled); article stance of the held-out articles\n"
    )
    print("| article stance from | accuracy | macro-F1 |")
    print("|---|---|---|")

    def macro(g, p):
        return f1_score(g, p, average="macro", labels=list(range(n)), zero_division=0)

    for name, pred in preds.items():
        print(f"| {name} | {_ci(gold, pred, accuracy_score)} | {_ci(gold, pred, macro)} |")


if __name__ == "__main__":
    main()
