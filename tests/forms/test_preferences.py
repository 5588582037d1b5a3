"""A wish about the IV is a preference to record, not a command."""

from __future__ import annotations

import pytest

from bot.forms.preferences import Preference, merge, read_preferences
from bot.language import requested_language

WOMAN, WELSH = Preference("gender", "woman"), Preference("language", "cy")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I want a woman who speaks Welsh", [WOMAN, WELSH]),
        ("dwi isio dynes sy'n siarad Cymraeg", [WOMAN, WELSH]),
        ("can i have a welsh speaking woman pls", [WOMAN, WELSH]),
        ("fi moyn menyw", [WOMAN]),
        (
            "can my IV be a man who plays rugby",
            [Preference("gender", "man"), Preference("interest", "rugby")],
        ),
        ("prefer someone who likes drawing and anime pls", [Preference("interest", "drawing and anime")]),
        ("ga i rywun sy'n hoffi pêl-droed plis", [Preference("interest", "pêl-droed")]),
    ],
)
def test_wishes_about_the_iv_are_read_in_both_languages(text: str, found: list[Preference]) -> None:
    assert read_preferences(text) == found


@pytest.mark.parametrize(
    "text",
    ["the lady who came to my review", "dyn ni'n moyn gwybod mwy", "I want to speak Welsh", "is my IV a man"],
)
def test_no_wish_about_the_iv_is_no_preference(text: str) -> None:
    assert read_preferences(text) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I want a woman who speaks Welsh", None),
        ("dwi isio dynes sy'n siarad Cymraeg", None),
        ("Welsh-speaking IV please", None),
        ("Cymraeg plis", "cy"),
        ("I want to speak Welsh", "cy"),
        ("dwi isio siarad Saesneg", "en"),
    ],
)
def test_a_language_wished_for_the_iv_is_not_a_request_to_switch(text: str, language: str | None) -> None:
    assert requested_language(text) == language


def test_a_new_wish_of_the_same_kind_replaces_the_old_and_interests_add_up() -> None:
    earlier = ["gender:man", "interest:art"]
    assert merge(earlier, [WOMAN, Preference("interest", "football")]) == [
        "interest:art",
        "gender:woman",
        "interest:football",
    ]
