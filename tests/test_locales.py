"""Every text exists in both languages, fits an SMS-sized message, reads
easily, and takes service-specific values from settings."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import textstat
import yaml

from bot.locales import LOCALES_DIR, NON_RESPONSE_KEYS, catalogue, render_text
from bot.nlg import ALIASES, GENERATOR_KEYS, MAX_MESSAGE_CHARS, UTTER_PREFIX, bilingual
from bot.settings import LANGUAGES, get_settings
from channels.texts import CHANNEL_KEYS

ROOT = Path(__file__).resolve().parent.parent
ENGLISH_MAX_GRADE = 7.0  # Flesch-Kincaid grade 7: a 12-year-old reader
ENGLISH_MEAN_GRADE = 6.0
# Values some texts get at run time (cases), with realistic worst-case sizes.
RUNTIME_VALUES = {
    "case_id": "a1b2c3",
    "kind": "safeguarding",
    "categories": "physical_abuse,immediate_danger",
    "channel": "telegram",
    "language": "cy",
    "status": "acknowledged",
    "excerpt": "x" * 60,
    "signals": "x" * 40,
    "waiting": "12 h 59 min",
    # Forms: references, and answers shortened to 40 characters in summaries.
    "reference": "R-7K3PQX",
    "status_text": "we're looking for the right IV for you",
    "changed_on": "24/11/2026",
    "name": "x" * 40,
    "age": "17",
    "care_status": "Not sure if in care",
    "council": "Bournemouth, Christchurch and Poole",
    "contact_method": "through an adult",
    "contact_time": "x" * 40,
    "interests": "x" * 40,
    "social_worker": "x" * 40,
    "council_name": "Rhondda Cynon Taf",
    "duplicate": "R-7K3PQX",
    "about": "service",
    "rating": "2",
}


def domain_response_keys() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    names = set(domain["responses"]) - set(ALIASES)
    return {name.removeprefix(UTTER_PREFIX) for name in names}


def test_both_languages_have_the_same_files_and_keys() -> None:
    files = {lang: sorted(p.name for p in (LOCALES_DIR / lang).glob("*.yml")) for lang in LANGUAGES}
    assert files["cy"] == files["en"]
    assert set(catalogue("cy")) == set(catalogue("en"))


def test_both_languages_offer_the_same_buttons() -> None:
    for key, entry in catalogue("en").items():
        welsh = catalogue("cy")[key]
        assert [b.payload for b in entry.buttons] == [b.payload for b in welsh.buttons], key


def test_every_domain_response_has_a_text_and_every_text_is_used() -> None:
    assert domain_response_keys() == set(catalogue("en")) - GENERATOR_KEYS - CHANNEL_KEYS - NON_RESPONSE_KEYS


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_all_known_settings(language: str) -> None:
    known = set(get_settings().text_values("en")) | set(RUNTIME_VALUES)
    for key, entry in catalogue(language).items():  # type: ignore[arg-type]
        fields = {name for _, name, _, _ in string.Formatter().parse(entry.text) if name}
        assert fields <= known, f"{language}/{key}: unknown placeholders {fields - known}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_fits_even_with_the_first_reply_language_offer(language: str) -> None:
    other = "en" if language == "cy" else "cy"
    offer = render_text("offer_language", other)  # type: ignore[arg-type]
    for key in catalogue(language):  # type: ignore[arg-type]
        text = render_text(key, language, RUNTIME_VALUES)  # type: ignore[arg-type]
        assert len(text) + 2 + len(offer) <= MAX_MESSAGE_CHARS, f"{language}/{key} is {len(text)} chars"


def test_first_contact_welcome_fits_in_both_languages_at_once() -> None:
    message = bilingual("welcome", {})
    assert message is not None
    assert message["text"].index(render_text("welcome", "cy")) == 0, "Welsh comes first"
    assert {b["payload"] for b in message["buttons"]} == {
        '/choose_language{"language":"cy"}',
        '/choose_language{"language":"en"}',
    }


def test_english_is_readable_by_a_twelve_year_old() -> None:
    # coordinator_* texts are read by staff, not by young people.
    young_peoples = [key for key in catalogue("en") if not key.startswith("coordinator_")]
    grades = {
        key: textstat.flesch_kincaid_grade(render_text(key, "en", RUNTIME_VALUES)) for key in young_peoples
    }
    too_hard = {key: grade for key, grade in grades.items() if grade > ENGLISH_MAX_GRADE}
    assert not too_hard
    assert sum(grades.values()) / len(grades) <= ENGLISH_MEAN_GRADE


@pytest.mark.parametrize("language", LANGUAGES)
def test_contacts_and_limits_come_from_settings_not_from_the_texts(language: str) -> None:
    settings = get_settings()
    literal_values = [
        settings.service_phone,
        settings.service_email,
        settings.childline_phone,
        settings.meic_phone,
        settings.meic_text,
        settings.samaritans_phone,
        settings.hours_open,
        settings.hours_close,
    ]
    for key, entry in catalogue(language).items():  # type: ignore[arg-type]
        for value in literal_values:
            assert value not in entry.text, f"{language}/{key} writes {value!r} instead of a placeholder"
        for number in (settings.emergency_number, str(settings.max_new_referral_age)):
            assert not re.search(rf"(?<![\d{{]){number}(?!\d)", entry.text), f"{language}/{key}: {number}"


def test_welsh_keeps_its_circumflexes() -> None:
    # Dropping them to save SMS segments would treat Welsh less favourably.
    welsh = " ".join(render_text(key, "cy", RUNTIME_VALUES) for key in catalogue("cy")).lower()
    dropped = re.findall(r"\b(ffon|siwr|ty|dwr|rwan|hyn\b(?= na))\b", welsh)
    assert not dropped
