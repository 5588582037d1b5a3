"""Every word of every text is spelt right: the techiaith cy_GB and the SCOWL
en_GB hunspell dictionaries (resources/dictionaries), read with spylls, or the
allowlist with a reason for each word. Welsh mutations count as known when the
dictionary's affix rules make them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml
from spylls.hunspell import Dictionary

from bot.locales import LOCALES_DIR, catalogue
from bot.settings import ROOT, Language

DICTIONARIES = ROOT / "resources" / "dictionaries"
ALLOWLIST = LOCALES_DIR / "spelling-allowlist.yml"
# Clitics after an apostrophe: dy'n, i'r, wedi'i, o'n; you're, don't.
CLITICS = frozenset({"n", "r", "i", "m", "w", "th", "ch", "u", "s", "t", "re", "ll", "ve", "d"})
NOT_WORDS = re.compile(r"\{[a-z0-9_]+\}|https?://\S+|/[a-z]+\b|python -m [a-z. ]+")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@cache
def dictionary(language: Language) -> Dictionary:
    name = f"{language}_GB"
    return Dictionary.from_files(str(DICTIONARIES / name / name))


@cache
def allowlist(language: Language) -> dict[str, str]:
    return yaml.safe_load(Path(ALLOWLIST).read_text(encoding="utf-8"))[language]


def words(text: str) -> Iterator[str]:
    """The words of a text: placeholders, URLs, commands and numbers skipped."""
    yield from WORD.findall(NOT_WORDS.sub(" ", text))


@cache
def is_known(word: str, language: Language) -> bool:
    lookup = dictionary(language).lookup
    if lookup(word) or word in allowlist(language):
        return True
    if "'" in word or "’" in word:
        parts = [p for p in re.split("['’]", word) if p]
        return all(p.lower() in CLITICS or is_known(p, language) for p in parts)
    if "-" in word:
        return all(is_known(part, language) for part in word.split("-"))
    return False


def texts(language: Language) -> Iterator[tuple[str, str]]:
    for key, entry in catalogue(language).items():
        yield key, entry.text
        for button in entry.buttons:
            yield key, button.title


def unknown_words(language: Language) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, text in texts(language):
        for word in words(text):
            if not is_known(word, language):
                found.setdefault(word, []).append(key)
    return found


def test_the_checker_catches_a_misspelling_and_knows_a_mutation() -> None:
    assert not is_known("gweithwr", "cy") and not is_known("recieve", "en")
    assert is_known("ngofalwr", "cy") and is_known("dy'n", "cy") and is_known("you're", "en")
    assert list(words("Call {service_phone} or /ack 12, see https://t.me/x")) == ["Call", "or", "see"]


@pytest.mark.parametrize("language", ["cy", "en"])
def test_every_word_of_every_text_is_spelt_right(language: Language) -> None:
    assert unknown_words(language) == {}


@pytest.mark.parametrize("language", ["cy", "en"])
def test_every_allowlisted_word_is_used_and_has_a_reason(language: Language) -> None:
    used = {part for _, text in texts(language) for word in words(text) for part in re.split("[-'’]", word)}
    for word, reason in allowlist(language).items():
        assert word in used, f"{language}: '{word}' is allowlisted but no text uses it"
        assert len(str(reason).split()) >= 3, f"{language}: '{word}' needs a reason"


def test_the_list_of_unreviewed_welsh_texts_is_in_step_with_the_locales() -> None:
    from scripts import welsh_review_list

    assert welsh_review_list.UNREVIEWED.read_text(encoding="utf-8") == welsh_review_list.render(), (
        "run: python -m scripts.welsh_review_list"
    )
