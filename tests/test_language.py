"""Language detection on texting-style messages, and explicit requests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.language import detect, requested_language

HELDOUT = Path(__file__).parent / "nlu"
# Measured on the held-out sets (README, "Language"): a clear call must
# almost never be wrong, since it switches the conversation's language.
MIN_GUESS_ACCURACY = 0.90
MAX_WRONG_CLEAR_CALLS = 0.02


def heldout_texts(language: str) -> list[str]:
    data = yaml.safe_load((HELDOUT / f"heldout_{language}.yml").read_text(encoding="utf-8"))
    return [
        line.strip()[2:].strip()
        for block in data["nlu"]
        if block["intent"] != "choose_language"  # these name the other language on purpose
        for line in block["examples"].splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize("language", ["cy", "en"])
def test_held_out_messages_are_recognised_and_rarely_switched_wrongly(language: str) -> None:
    texts = heldout_texts(language)
    detections = [detect(text) for text in texts]
    right = sum(d.language == language for d in detections)
    wrong_clear = sum(d.clear and d.language != language for d in detections)
    assert right / len(texts) >= MIN_GUESS_ACCURACY
    assert wrong_clear / len(texts) <= MAX_WRONG_CLEAR_CALLS


@pytest.mark.parametrize("text", ["ok", "👍", "lol", "IV?", "x"])
def test_tiny_messages_never_switch_language(text: str) -> None:
    assert not detect(text).clear


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Cymraeg plis", "cy"),
        ("can we talk in welsh", "cy"),
        ("yn Gymraeg os gwelwch yn dda", "cy"),
        ("english pls", "en"),
        ("siarad Saesneg plis", "en"),
        ("newid i'r saesneg", "en"),
    ],
)
def test_a_named_language_is_the_one_asked_for(text: str, language: str) -> None:
    assert requested_language(text) == language


def test_naming_both_languages_asks_for_neither() -> None:
    assert requested_language("do you speak welsh or english") is None
