"""Which article to ask about next: the one whose labels would teach the model most.

An article's value is computed from the scores of two model families on its content
paragraphs:

- **uncertainty**: how close each frame score is to its threshold (1 at the threshold,
  0 at 0 or 1), the largest over frames, and the normalised entropy of the stance
  scores; averaged over the paragraphs;
- **disagreement**: how far apart the two families' frame scores are (mean absolute
  difference), when a second family is there.

The next pick is the most valuable of the unlabeled articles after a **diversity**
step: among the ``shortlist`` best, the one least similar (cosine similarity of the
articles' mean sentence-encoder embeddings; hashed word n-grams where no encoder is
at hand) to the articles already labeled or picked, so the annotator is not asked
about ten near-identical items. All of it is a few vector operations over scores
computed once per model, so a pick takes milliseconds on a pool of ten thousand
paragraphs (``benchmarks/annotate.py``).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

SHORTLIST = 20
N_FEATURES = 2**18


def paragraph_value(
    frames: np.ndarray, thresholds: np.ndarray, stance: np.ndarray, other: np.ndarray | None
) -> np.ndarray:
    """Per paragraph: (uncertainty + disagreement) from frame scores (n, F), thresholds (F,),
    stance scores (n, S) and a second family's frame scores (n, F) or None."""
    n = len(frames)
    parts = []
    if frames.shape[1]:
        t = np.clip(thresholds, 1e-6, 1 - 1e-6)
        closeness = 1 - np.abs(frames - t) / np.maximum(t, 1 - t)
        parts.append(closeness.max(axis=1))
    if stance.shape[1] > 1:
        p = np.clip(stance, 1e-12, 1)
        parts.append(-(p * np.log(p)).sum(axis=1) / np.log(stance.shape[1]))
    value = np.mean(parts, axis=0) if parts else np.zeros(n)
    if other is not None and frames.shape[1]:
        value = value + np.abs(frames - other).mean(axis=1)
    return value


def text_vectors(texts: list[str]) -> sparse.csr_matrix:
    """L2-normalised hashed word 1-2-grams: cheap vectors for the diversity step."""
    return HashingVectorizer(ngram_range=(1, 2), n_features=N_FEATURES).transform(texts)


def article_vectors(paragraph_embeddings: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Each article's mean paragraph embedding, L2-normalised: (n_articles, dim)."""
    out = np.zeros((len(sizes), paragraph_embeddings.shape[1]))
    start = 0
    for i, n in enumerate(sizes):
        if n:
            out[i] = paragraph_embeddings[start : start + n].mean(axis=0)
        start += n
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


def choose(
    values: np.ndarray,
    candidates: np.ndarray,
    vectors: sparse.csr_matrix,
    seen: np.ndarray,
    *,
    shortlist: int = SHORTLIST,
) -> int:
    """The index (into the pool) of the next article: among the ``shortlist`` most valuable
    ``candidates``, the one whose greatest cosine similarity to the ``seen`` articles is
    smallest (ties to the more valuable)."""
    if not len(candidates):
        raise ValueError("no candidate left")
    order = candidates[np.argsort(-values[candidates], kind="stable")][:shortlist]
    if not len(seen):
        return int(order[0])
    similarity = vectors[order] @ vectors[seen].T
    if sparse.issparse(similarity):
        similarity = similarity.toarray()
    similarity = np.asarray(similarity).max(axis=1)
    return int(order[int(np.argmin(similarity))])
