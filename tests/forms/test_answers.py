"""Reading answers in Welsh and English, and fuzzing the readers: any text
gives a value or None, never an exception."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.referral import field_to_change
from bot.forms.answers import (
    CARE_STATUS,
    CONTACT_METHOD,
    free_text,
    is_cancel,
    parse_age,
    parse_choice,
    parse_name,
    parse_rating,
    parse_yes_no,
)
from bot.forms.councils import COUNCILS_FILE, councils, match_council


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("13", 13), ("I'm 13", 13), ("13 yrs", 13), ("thirteen", 13), ("twenty one", 21), ("tair ar ddeg", 13),
        ("dwi'n bymtheg oed", 15), ("un deg tri", 13), ("deunaw", 18), ("un ar hugain", 21), ("7", 7),
        ("dunno", None), ("13 or 14", None), ("999", None), ("banana", None), ("", None),
    ],
)  # fmt: skip
def test_ages_in_words_or_digits_in_both_languages(text: str, age: int | None) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("10 nerly 11", 10), ("im 10 nearly 11", 10), ("nearly 11", 10), ("going on 12", 11),
        ("10, 11 next month", 10), ("dwi bron yn 12", 11), ("deg, bron yn un ar ddeg", 10),
        ("13 in june", 13),
    ],
)  # fmt: skip
def test_an_age_with_a_birthday_to_come_is_the_age_now(text: str, age: int) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True), ("yeah go on", True), ("ie", True), ("iawn", True), ("ydw", True), ("ok sure", True),
        ("no", False), ("nah", False), ("na", False), ("dim diolch", False), ("no thanks", False),
        ("maybe", None), ("dunno", None), ("", None),
    ],
)  # fmt: skip
def test_yes_and_no_in_both_languages(text: str, answer: bool | None) -> None:
    assert parse_yes_no(text) == answer


@pytest.mark.parametrize(
    ("text", "council"),
    [
        ("Caerdydd", "cardiff"), ("yng Nghaerdydd", "cardiff"), ("swansee", "swansea"), ("Abertawe", "swansea"),
        ("o Bowys", "powys"), ("ym Mhen-y-bont", "bridgend"), ("Ynys Môn", "anglesey"), ("RCT", "rhondda-cynon-taf"),
        ("Bro Morgannwg", "vale-of-glamorgan"), ("I live in Hull", "kingston-upon-hull"), ("Leeds", "leeds"),
        ("not sure", "other"), ("dim syniad", "other"), ("Narnia", None),
    ],
)  # fmt: skip
def test_councils_by_welsh_or_english_name_mutated_or_misspelt(text: str, council: str | None) -> None:
    assert match_council(text) == council


def test_all_22_welsh_councils_are_known_by_both_names() -> None:
    wales = yaml.safe_load(COUNCILS_FILE.read_text(encoding="utf-8"))["wales"]
    assert len(wales) == 22
    for council in wales:
        assert match_council(council["en"]) == council["id"]
        assert match_council(council["cy"]) == council["id"]


@pytest.mark.parametrize(
    ("text", "options", "choice"),
    [
        ("1", CARE_STATUS, "in_care"), ("I live with foster carers", CARE_STATUS, "in_care"),
        ("wedi gadael gofal", CARE_STATUS, "care_leaver"), ("dunno", CARE_STATUS, "not_sure"),
        ("call me", CONTACT_METHOD, "phone"), ("through my social worker", CONTACT_METHOD, "via_adult"),
        ("negeseuon yma", CONTACT_METHOD, "chat"), ("9", CARE_STATUS, None),
    ],
)  # fmt: skip
def test_choices_by_number_or_words(text: str, options: dict, choice: str | None) -> None:
    assert parse_choice(text, options) == choice


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("4", 4),
        ("4/5", 4),
        ("⭐⭐⭐", 3),
        ("not good", 2),
        ("gwych", 5),
        ("😐", 3),
        ("10", None),
        ("hmm", None),
    ],
)
def test_ratings(text: str, rating: int | None) -> None:
    assert parse_rating(text) == rating


@pytest.mark.parametrize(
    ("text", "name"),
    [("Sam", "Sam"), ("I'm Sam", "Sam"), ("my name is Siân", "Siân"), ("fy enw i yw Siôn", "Siôn"),
     ("???", None), ("dunno", None), ("12345", None)],
)  # fmt: skip
def test_names(text: str, name: str | None) -> None:
    assert parse_name(text) == name


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("2", "referral_age"),
        ("change my age", "referral_age"),
        ("enw", "referral_name"),
        ("9", None),
        ("yes", None),
    ],
)
def test_naming_an_answer_to_change_at_the_summary(text: str, slot: str | None) -> None:
    assert field_to_change(text) == slot


def test_stop_only_when_it_is_the_whole_answer() -> None:
    assert is_cancel("stop") and is_cancel("Canslo!") and not is_cancel("stop seeing my IV")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_no_answer_crashes_a_reader(text: str) -> None:
    age = parse_age(text)
    assert age is None or 3 <= age <= 30
    assert parse_yes_no(text) in (True, False, None)
    assert parse_choice(text, CARE_STATUS) in (*CARE_STATUS, None)
    assert match_council(text) is None or match_council(text) in {*councils(), "other"}
    rating = parse_rating(text)
    assert rating is None or 1 <= rating <= 5
    name = parse_name(text)
    assert name is None or 0 < len(name) <= 40
    cleaned = free_text(text)
    assert cleaned is None or len(cleaned) <= 500
    field_to_change(text)
