"""A cheap check of whether a text is English, so that a model trained on English text
can say when it is asked about another language instead of answering with confidence.

It is a heuristic, not a language identifier: a text is called English unless most of
its letters are outside the Latin alphabet (Cyrillic, Arabic, Chinese...), or it is long
enough to judge and almost none of its words are common English function words, or it
is short and many of its letters carry diacritics (Turkish, Kazakh Latin, Uzbek...).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "was",
        "by",
        "it",
        "at",
        "from",
        "be",
        "are",
        "has",
        "have",
        "had",
        "said",
        "will",
        "an",
        "its",
        "this",
        "his",
        "their",
        "were",
        "which",
        "not",
        "but",
        "or",
        "been",
        "who",
        "after",
        "over",
        "more",
        "than",
        "into",
        "also",
        "would",
        "about",
        "says",
        "new",
        "against",
    ]
)
# Long enough to judge by function words; English prose has 30-45% of them.
_MIN_WORDS = 12
_MIN_FUNCTION_SHARE = 0.08


def looks_english(text: str) -> bool:
    """Whether ``text`` reads as English (see the module docstring); True when too short
    or too bare to tell (a name, a number)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 8:
        return True
    ascii_letters = sum(c.isascii() for c in letters)
    if ascii_letters < 0.5 * len(letters):
        return False
    words = _WORD.findall(text.lower())
    if len(words) >= _MIN_WORDS:
        share = sum(w in _FUNCTION_WORDS for w in words) / len(words)
        return share >= _MIN_FUNCTION_SHARE
    return len(letters) - ascii_letters <= max(1, 0.04 * len(letters))
