"""Every text exists in both languages, fits an SMS-sized message, reads
easily, and takes service-specific values from settings."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import textstat
import yaml

from bot.locales import LOCALES_DIR, NON_RESPONSE_KEYS, catalogue, render_both, render_text
from bot.nlg import ALIASES, GENERATOR_KEYS, MAX_MESSAGE_CHARS, UTTER_PREFIX, bilingual
from bot.settings import LANGUAGES, get_settings
from channels.texts import CHANNEL_KEYS

ROOT = Path(__file__).resolve().parent.parent
ENGLISH_MAX_GRADE = 7.0  # Flesch-Kincaid grade 7: a 12-year-old reader
ENGLISH_MEAN_GRADE = 6.0
# Values some texts get at run time (cases), with realistic worst-case sizes.
RUNTIME_VALUES = {
    "days": "365",
    "case_id": "a1b2c3",
    "kind": "safeguarding",
    "categories": "physical_abuse,immediate_danger",
    "channel": "telegram",
    "language": "cy",
    "status": "acknowledged",
    "excerpt": "x" * 60,
    "signals": "x" * 40,
    "waiting": "12 h 59 min",
    # Forms: references, and answers (summaries show them in full; 40 characters here).
    "reference": "R-7K3PQX",
    # "Did you mean ...?": the two longest intent labels.
    "option_1": "changing or ending your IV",
    "option_2": "what happens after you ask",
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
    # Wishes about the IV: a gender, a language and an interest of 25 characters.
    "preferences": "is a woman, speaks Welsh and likes " + "x" * 25,
    "interest": "x" * 25,
    "conversation": "sms-" + "x" * 32,
    "count": "12",
    "item": "123456",
    "reason": "x" * 60,
    "council_name": "Rhondda Cynon Taf",
    "duplicate": "R-7K3PQX",
    "about": "service",
    "rating": "2",
}


def domain_response_keys() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    # Rasa's own names (utter_default) stand for one of our texts (fallback).
    return {ALIASES.get(name, name).removeprefix(UTTER_PREFIX) for name in domain["responses"]}


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
    # coordinator_* and console_* texts and code_* labels are read by staff; intent_* are fragments.
    young_peoples = [
        key
        for key in catalogue("en")
        if not key.startswith(("coordinator_", "console_", "code_", "intent_"))
        # Names, not sentences: the service's and the other language's.
        and key not in ("webchat_title", "webchat_other_language")
    ]
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


def free_text_slots() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        name
        for name, slot in domain["slots"].items()
        if any(mapping.get("type") == "from_text" for mapping in slot.get("mappings", []))
    }


SAFETY_EXCEPTION = {"en": r"isn't safe", "cy": r"\bnad (?:wyt ti|yw rhywun)\b.*\bsaff\b"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_safeguarding_exception_is_said_before_any_free_text_is_asked_for(language: str) -> None:
    # Standard 3: before a young person writes in their own words, they know
    # what we would have to pass on.
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    free = free_text_slots()
    for form, spec in domain["forms"].items():
        slots = spec["required_slots"]
        first_free = next((i for i, slot in enumerate(slots) if slot in free), None)
        if first_free is None:
            continue
        asked = " ".join(
            render_text(key, language, RUNTIME_VALUES)  # type: ignore[arg-type]
            for key in (f"ask_{slot}" for slot in slots[: first_free + 1])
            if key in catalogue(language)  # type: ignore[arg-type]
        )
        assert re.search(SAFETY_EXCEPTION[language], asked), f"{language}/{form}: {slots[first_free]}"


def test_each_text_has_the_same_placeholders_in_both_languages() -> None:
    def fields(language: str, key: str) -> set[str]:
        text = catalogue(language)[key].text  # type: ignore[index]
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    # The one difference on purpose: the Samaritans' Welsh-language line, in Welsh only.
    welsh_only = {"safeguarding_helplines": {"samaritans_welsh_phone"}}
    differ = [
        key for key in catalogue("en") if fields("cy", key) - welsh_only.get(key, set()) != fields("en", key)
    ]
    assert not differ


def test_coordinators_read_the_codes_in_the_language_of_the_sentence() -> None:
    welsh, english = render_both(
        "coordinator_case_line",
        case_id="K-ABC123",
        kind="safeguarding urgent",
        status="acknowledged",
        categories="self_harm,missing",
        signals="-",
        waiting="5 min",
    ).split("\n\n")
    assert "diogelu brys" in welsh and "wedi'i gydnabod" in welsh and "hunan-niweidio,ar goll" in welsh
    assert "safeguarding" not in welsh and "acknowledged" not in welsh
    assert "safeguarding urgent" in english and "self-harm,missing" in english


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_service_phone_always_comes_with_its_hours(language: str) -> None:
    # The office phone isn't answered at midnight: a young person must know when it is.
    for key, entry in catalogue(language).items():  # type: ignore[arg-type]
        if "{service_phone}" in entry.text:
            assert "{phone_hours}" in entry.text or "{hours_open}" in entry.text, f"{language}/{key}"
