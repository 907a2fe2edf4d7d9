from __future__ import annotations

from framing.data.segment import is_boilerplate, paragraph_hash, segment

ARTICLE = """Drones for the border

BISHKEK, 2021

Kyrgyzstan received its first Bayraktar TB2 drones in December, officials said on Monday.

Photo: AFP

The drones will serve the border guard, according to the
security committee, which did not give numbers.

Related News
"""


def test_blank_line_paragraphs_merge_and_flag():
    paras = segment(ARTICLE)
    texts = [p.text for p in paras]
    # The short heading and dateline join the lead; hard-wrapped lines are joined.
    assert texts[0].startswith("Drones for the border BISHKEK, 2021 Kyrgyzstan received")
    assert texts[2] == (
        "The drones will serve the border guard, according to the security"
        " committee, which did not give numbers."
    )
    assert [p.boilerplate for p in paras] == [False, True, False, True]
    assert texts[1] == "Photo: AFP" and texts[3] == "Related News"


def test_single_newlines_split_when_no_blank_lines():
    text = (
        "Turkey sold drones to Turkmenistan in late 2020.\n"
        "Kyrgyzstan followed with its own order in 2021.\n"
        "Tajikistan turned to an Iranian drone factory."
    )
    assert len(segment(text)) == 3


def test_no_text_is_lost():
    words = " ".join(ARTICLE.split())
    joined = " ".join(p.text for p in segment(ARTICLE))
    assert sorted(words.split()) == sorted(joined.split())


def test_long_paragraph_cut_at_sentences():
    sentence = "The corvette was built in a Turkish yard for the Caspian fleet. "
    paras = segment(sentence * 200, max_words=100)
    assert len(paras) > 1
    assert all(len(p.text.split()) <= 100 for p in paras)
    assert all(p.text.endswith(".") for p in paras)


def test_boilerplate_heuristic():
    for text in [
        "Photo: AFP",
        "(Photo source: Twitter)",
        "15:18 / 08.11.2021 2520",
        "Related News Top",
        "By Aigerim Sadykova",
        "Leave a Reply",
        "Sign up for our weekly newsletter",
        "© 2024 All rights reserved",
        "3 thoughts on “Drones over the border”",
        "Tags: Kyrgyzstan, drones",
    ]:
        assert is_boilerplate(text), text
    for text in [
        "Kazakhstan will build the ANKA drones under licence, the ministry said.",
        "By the end of 2022, Kyrgyzstan had received three TB2 drones from Turkey.",
        "Security was the main concern of the talks.",
    ]:
        assert not is_boilerplate(text), text


def test_paragraph_hash_ignores_whitespace():
    assert paragraph_hash("a  b\n c") == paragraph_hash("a b c")
    assert paragraph_hash("a b c") != paragraph_hash("a b d")
