"""SMS segment counting: GSM-7 versus UCS-2 (Welsh circumflexes)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from channels.sms.segments import GSM7, UCS2, encoding_for, segment_count, split_for_sms


def test_plain_english_is_gsm7_160_a_segment() -> None:
    assert encoding_for("Hi! What is an IV?") is GSM7
    assert segment_count("a" * 160) == 1
    assert segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2
    assert segment_count("a" * 307) == 3


def test_one_welsh_circumflex_makes_the_whole_message_ucs2() -> None:
    assert encoding_for("Mae'n braf. Dŵr!") is UCS2
    assert segment_count("ŵ" * 70) == 1
    assert segment_count("ŵ" + "a" * 70) == 2
    assert segment_count("ŵ" * 134) == 2
    assert segment_count("ŵ" * 135) == 3


def test_gsm7_extension_characters_cost_two() -> None:
    assert segment_count("€" * 80) == 1
    assert segment_count("€" * 81) == 2


def test_long_text_is_split_at_sentence_boundaries() -> None:
    sentences = [f"Brawddeg rhif {i} am Ymwelwyr Annibynnol a'u gwaith." for i in range(12)]
    text = " ".join(sentences) + " Mae'n bwysig i'r tŷ."
    parts = split_for_sms(text, max_segments=2)
    assert len(parts) > 1
    assert all(segment_count(p) <= 2 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=1500))
def test_splitting_never_loses_words_or_exceeds_the_limit(text: str) -> None:
    parts = split_for_sms(text, max_segments=3)
    assert all(segment_count(p) <= 3 or " " not in p for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())
