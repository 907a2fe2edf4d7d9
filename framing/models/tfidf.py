"""TF-IDF features with logistic-regression heads: the fast linear baseline.

Word uni- and bigrams plus character 2-5-grams (within word boundaries),
sublinear term frequency, one binary logistic regression per frame and a
multinomial one for stance. Saved as ``vocabulary.json`` and
``weights.safetensors``.
"""

from __future__ import annotations

import json
from pathlib import Path

from safetensors.numpy import save_file
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from framing.data.codebook import Codebook
from framing.errors import FramingError
from framing.models.base import FramingClassifier
from framing.models.heads import LinearHeads
from framing.models.io import read_arrays, read_json


class TfidfClassifier(FramingClassifier):
    """Paragraph frames and stance from TF-IDF n-grams and logistic regression.

    Parameters
    ----------
    word_ngram_max : longest word n-gram.
    char_ngram_min, char_ngram_max, use_chars : character n-grams within word bounds.
    min_df, max_features : vocabulary limits of each vectorizer.
    C_frames, C_stance : inverse regularisation of the heads.

    Examples
    --------
    >>> model = TfidfClassifier().fit(
    ...     ["Kazakhstan signs a drone deal worth millions", "Villages burned in the clashes"],
    ...     [["business"], ["conflict_humanitarian"]], ["neutral", "critical"])
    >>> model.predict(["another drone deal signed"])[0].stance in model.stances_
    True
    """

    family = "tfidf"

    def __init__(
        self,
        *,
        codebook: Codebook | None = None,
        word_ngram_max: int = 2,
        char_ngram_min: int = 2,
        char_ngram_max: int = 5,
        use_chars: bool = True,
        min_df: int = 1,
        max_features: int = 100_000,
        C_frames: float = 4.0,
        C_stance: float = 2.0,
    ):
        super().__init__(codebook=codebook)
        self.word_ngram_max = word_ngram_max
        self.char_ngram_min = char_ngram_min
        self.char_ngram_max = char_ngram_max
        self.use_chars = use_chars
        self.min_df = min_df
        self.max_features = max_features
        self.C_frames = C_frames
        self.C_stance = C_stance

    def _check_settings(self) -> None:
        super()._check_settings()
        if self.word_ngram_max < 1:
            raise FramingError(f"word_ngram_max must be >= 1, got {self.word_ngram_max}")
        if not 1 <= self.char_ngram_min <= self.char_ngram_max:
            raise FramingError(
                f"need 1 <= char_ngram_min <= char_ngram_max, got {self.char_ngram_min},"
                f" {self.char_ngram_max}"
            )
        if self.C_frames <= 0 or self.C_stance <= 0:
            raise FramingError("C_frames and C_stance must be positive")

    def _vectorizers(self) -> dict[str, TfidfVectorizer]:
        c = self
        out = {
            "word": TfidfVectorizer(
                ngram_range=(1, c.word_ngram_max),
                min_df=c.min_df,
                sublinear_tf=True,
                max_features=c.max_features,
                lowercase=True,
            )
        }
        if c.use_chars:
            out["char"] = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(c.char_ngram_min, c.char_ngram_max),
                min_df=c.min_df,
                sublinear_tf=True,
                max_features=c.max_features,
            )
        return out

    def _features(self, texts: list[str]):
        return sparse.hstack([v.transform(texts) for v in self.vectorizers_.values()]).tocsr()

    def _fit(self, texts, Y, y):
        self.vectorizers_ = self._vectorizers()
        X = sparse.hstack([v.fit_transform(texts) for v in self.vectorizers_.values()]).tocsr()
        self.heads_ = LinearHeads(C_frames=self.C_frames, C_stance=self.C_stance)
        self.heads_.fit(X, Y, y, n_stances=len(self.stances_))

    def _predict_proba(self, texts):
        return self.heads_.predict_proba(self._features(texts))

    def _save(self, path: Path) -> None:
        vocab = {
            name: {term: int(i) for term, i in v.vocabulary_.items()}
            for name, v in self.vectorizers_.items()
        }
        (path / "vocabulary.json").write_text(
            json.dumps(vocab, ensure_ascii=False), encoding="utf-8"
        )
        arrays = {f"{name}.idf": v.idf_ for name, v in self.vectorizers_.items()}
        arrays.update(self.heads_.to_arrays())
        save_file(arrays, str(path / "weights.safetensors"))

    def _load(self, path: Path) -> None:
        vocab = read_json(path / "vocabulary.json")
        arrays = read_arrays(path / "weights.safetensors")
        self.vectorizers_ = self._vectorizers()
        for name, vectorizer in self.vectorizers_.items():
            vectorizer.vocabulary_ = vocab[name]
            vectorizer.idf_ = arrays[f"{name}.idf"]
        self.heads_ = LinearHeads.from_arrays(arrays)
