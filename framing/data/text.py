"""The one recipe for fingerprinting text.

Article ids for input without one, the exact-duplicate check of batch
classification, the stand-off paragraph hashes and the embedding cache all key
text the same way: SHA-256 of the UTF-8 text with runs of whitespace collapsed
to one space, so re-wrapped or re-indented copies of a text hash alike.
"""

from __future__ import annotations

import hashlib


def normalise_space(text: str) -> str:
    """``text`` with leading, trailing and repeated whitespace collapsed to single spaces."""
    return " ".join(text.split())


def text_hash(text: str, *, salt: str = "") -> str:
    """Hex SHA-256 of ``salt`` followed by the whitespace-normalised ``text``.

    Examples
    --------
    >>> text_hash("a  b\\n") == text_hash("a b")
    True
    """
    return hashlib.sha256(
        (salt + normalise_space(text)).encode("utf-8", "surrogatepass")
    ).hexdigest()
