"""Paragraph segmentation and boilerplate flags.

An article's text is split into paragraphs at blank lines; text with no blank
lines at all is split at single newlines. Inside a blank-line block, hard-wrapped
lines are joined with a space. Fragments too short to be paragraphs (section
headings, a headline above the lead) are merged into the paragraph that follows
them, so reading order is kept and no text is dropped. Paragraphs that look like
page furniture (captions, bylines, time stamps, "Related News", comment
sections, share and subscribe prompts) are flagged as boilerplate: the article
model ignores them when it aggregates frames and stance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from framing.data.text import text_hash

MIN_WORDS = 5
MAX_WORDS = 400

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9])")

# Page furniture that is boilerplate whatever follows, if the paragraph is short.
_SHORT_PATTERNS = [
    r"^(photo|image|picture|photograph|video|caption|illustration|graphic|cover photo)s?"
    r"\s*(:|by\b|source\b|credit\b|courtesy\b|\()",
    r"^\(?(photo|image|picture)s?\s+(source|credit|courtesy)\b",
    r"^(related|read more|read also|also read|see also|more on this|recommended|trending"
    r"|most read|popular|latest|top|back to top|next article|previous article)\b",
    r"^by\s+(?-i:[A-Z\u00c0-\u024f][\w.'-]+(\s+(and\s+)?[A-Z\u00c0-\u024f][\w.'-]+){0,4})"
    r"\s*(,|\||$|\band\b|\bin\b|\bfor\b)",
    r"^(reporting|writing|editing|additional reporting) by\b",
    r"^(tags?|topics?|filed under|categories)\s*:",
    r"^(share|tweet|email|print|follow us|subscribe|sign up|advertisement|sponsored)\b",
    r"\b(newsletter|subscribe to|sign up for|follow us on|share this (article|story))\b",
    r"(©|\bcopyright\b|all rights reserved)",
    r"^\d+\s+(thoughts?|comments?|responses?|replies)\b",
    r"\bthoughts? on\b.*[“\"]",
    r"\bleave a (reply|comment)\b",
    r"\bcomments? (section|are closed|below|policy)\b",
    r"\b(akismet|bloggers like this|cookies? policy|privacy policy)\b",
    r"\bat \d{1,2}:\d{2}\s?(am|pm)\b",
]
# Patterns strong enough to flag somewhat longer paragraphs too.
_LONG_PATTERNS = [
    r"^\s*(\[…\]|\[\.\.\.\]|\[&hellip;\])",
    r"^\d+\.\s.+\bat \d{1,2}:\d{2}\s?(am|pm)\b",
]
_SHORT_RE = re.compile("|".join(f"(?:{p})" for p in _SHORT_PATTERNS), re.IGNORECASE)
_LONG_RE = re.compile("|".join(f"(?:{p})" for p in _LONG_PATTERNS), re.IGNORECASE)
# Time stamps, view counters, bare dates: nothing but digits and separators.
_NUMERIC_RE = re.compile(r"^[\d\s:/.,\-–—|+]+$")


@dataclass
class Paragraph:
    """One paragraph of an article, in reading order.

    ``frames`` and ``stance`` hold its labels in a labeled corpus; they are None
    for unlabeled text.
    """

    text: str
    boilerplate: bool = False
    frames: list[str] | None = None
    stance: str | None = None
    # True for an article's title when classification scores it beside the paragraphs.
    title: bool = False


def is_boilerplate(text: str) -> bool:
    """Whether a paragraph looks like page furniture rather than content.

    Examples
    --------
    >>> is_boilerplate("Photo: AFP")
    True
    >>> is_boilerplate("Kazakhstan will build the drones under licence.")
    False
    """
    text = text.strip()
    if not text:
        return True
    words = len(text.split())
    if _NUMERIC_RE.match(text):
        return True
    if words <= 40 and _SHORT_RE.search(text):
        return True
    return words <= 90 and bool(_LONG_RE.search(text))


def paragraph_hash(text: str) -> str:
    """A short, stable fingerprint of a paragraph's text (whitespace-normalised)."""
    return text_hash(text)[:16]


def split_blocks(text: str) -> list[str]:
    """Split text into raw blocks: at blank lines, or at newlines when there are none."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BLANK_LINE.search(text):
        blocks = [" ".join(b.split()) for b in _BLANK_LINE.split(text)]
    else:
        blocks = [" ".join(line.split()) for line in text.split("\n")]
    return [b for b in blocks if b]


def split_long(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Cut a very long paragraph at sentence ends into pieces of at most ~max_words words."""
    if len(text.split()) <= max_words:
        return [text]
    pieces, current, size = [], [], 0
    for sentence in _SENTENCE_END.split(text):
        n = len(sentence.split())
        if current and size + n > max_words:
            pieces.append(" ".join(current))
            current, size = [], 0
        if n > max_words:  # one giant "sentence": cut by words
            words = sentence.split()
            for i in range(0, len(words), max_words):
                pieces.append(" ".join(words[i : i + max_words]))
            continue
        current.append(sentence)
        size += n
    if current:
        pieces.append(" ".join(current))
    return pieces


def segment(
    text: str, *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS
) -> list[Paragraph]:
    """Split an article into paragraphs with boilerplate flags.

    Parameters
    ----------
    text : the whole article.
    min_words : content fragments with fewer words are merged into the next paragraph.
    max_words : paragraphs with more words are cut at sentence ends.

    Returns
    -------
    list of Paragraph, in reading order; every character of content is kept.

    Examples
    --------
    >>> [p.text for p in segment("Drones sold\\n\\nKyrgyzstan bought three TB2 drones in 2021.")]
    ['Drones sold Kyrgyzstan bought three TB2 drones in 2021.']
    """
    paragraphs: list[Paragraph] = []
    pending: list[str] = []  # short content fragments waiting for the next paragraph
    for block in split_blocks(text):
        if is_boilerplate(block):
            paragraphs.append(Paragraph(block, True))
            continue
        if len(block.split()) < min_words:
            pending.append(block)
            continue
        merged = " ".join([*pending, block])
        pending = []
        paragraphs.extend(Paragraph(piece, False) for piece in split_long(merged, max_words))
    if pending:  # trailing fragments: join the paragraph just before, keeping order
        tail = " ".join(pending)
        if paragraphs and not paragraphs[-1].boilerplate:
            paragraphs[-1] = Paragraph(f"{paragraphs[-1].text} {tail}", False)
        else:
            paragraphs.append(Paragraph(tail, False))
    return paragraphs
