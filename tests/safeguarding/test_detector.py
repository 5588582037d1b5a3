"""The deterministic detector: every category in both languages, however it
is typed, and the hard negatives that must not escalate."""

from __future__ import annotations

import pytest

from bot.safeguarding.detector import categories
from scripts.evaluate_safeguarding import load, score

# The blind set was written separately and never used to tune the lexicon:
# these floors sit just under what it measured (README, "Safeguarding").
BLIND_MIN_RECALL = 0.70
TUNED_MIN_RECALL = 0.95
MAX_FALSE_ESCALATION = 0.05

DISCLOSURES = {
    "suicide": ["i want to die", "gonna unalive myself", "kms", "thinking about sewerslide", "k1ll mys3lf",
                "k i l l  m y s e l f", "I WANT TO KILLLL MYSELFFF", "dwi isio marw", "dw i am ladd fy hun"],
    "self_harm": ["i cut myself last night", "been doing s/h again", "🔪🩸", "dwi'n torri fy hun",
                  "dw i wedi bod yn brifo fy hun", "dwi'n frifo fy hun"],
    "physical_abuse": ["my foster dad hits me", "can i get an IV. also my foster dad hits me",
                       "mae fy nhad maeth yn fy nharo i", "mae o'n fy nghuro i", "mae hi'n curo fi",
                       "dwi'n cael fy ngham-drin", "mae o'n cam-drin fi", "mae'n gam-drin fi", "roedd o'n cham-drin ni"],
    "sexual_abuse": ["i'm being forced to have sex and i'm only 12 years old", "my uncle touched me where he shouldnt",
                     "nath o gyffwrdd fi mewn lle preifat"],
    "emotional_abuse": ["my carer calls me worthless every day", "mae mam yn galw fi'n dwp drwy'r amser"],
    "neglect": ["theres no food in the house and i havent eaten since yesterday", "does dim bwyd yn y tŷ ers dyddiau"],
    "exploitation": ["my boyfriend is 24 and buys me stuff", "he asked me to send pics", "they make me carry packages for them",
                     "mae dyn hŷn yn prynu anrhegion i fi"],
    "sextortion": ["he says he'll post my nudes if i dont pay", "mae o'n bygwth rhannu fy lluniau"],
    "missing": ["im going to run away tonight", "dwi am redeg i ffwrdd"],
    "immediate_danger": ["i dont feel safe at home right now", "he's got a knife", "dwi ddim yn teimlo'n saff", "mae o'n mynd i fy lladd i"],
    "domestic_violence": ["my stepdad beats my mum", "mae dad yn curo mam"],
    "eating_disorder": ["i make myself sick after i eat", "dwi'n gwneud fy hun yn sâl ar ôl bwyta"],
    "substance_misuse": ["im drunk every night", "dwi'n cymryd cyffuriau bob dydd"],
    "unsafe_adult": ["my IV asked me to keep it a secret", "my IV added me on snap", "mae fy IV isio i fi gadw cyfrinach"],
}  # fmt: skip

THIRD_PARTY = ["my friend says she wants to die", "my mate is cutting herself", "mae fy ffrind isio marw"]

HARD_NEGATIVES = [
    "this homework is killing me",
    "dying laughing 😂",
    "got killed in Fortnite",
    "mae'r gwaith cartref yn fy lladd i",
    "what happens if I tell my IV something bad?",
    "we're doing a school project about self-harm awareness",
    "marw chwerthin",
    "i cut my hair",
    "my IV took me bowling and it was class",
]


@pytest.mark.parametrize(
    ("category", "text"),
    [(c, t) for c, texts in DISCLOSURES.items() for t in texts],
    ids=lambda v: str(v)[:40],
)
def test_each_category_is_detected_however_it_is_typed(category: str, text: str) -> None:
    found = categories(text)
    assert found, f"missed: {text}"
    assert category in found or category in {"suicide", "self_harm"} and set(found) & {"suicide", "self_harm"}


@pytest.mark.parametrize("text", THIRD_PARTY)
def test_a_concern_about_someone_else_counts(text: str) -> None:
    assert categories(text)


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_do_not_escalate(text: str) -> None:
    assert categories(text) == []


def lexicon_alone(text: str, after_check_in: bool) -> tuple[str, list[str]]:
    found = categories(text)
    return ("urgent" if found else "none"), found


@pytest.mark.parametrize("language", ["cy", "en"])
def test_recall_and_false_escalations_of_the_lexicon_alone_on_the_earlier_sets(language: str) -> None:
    tuned = score(load("earlier lexicon", language), lexicon_alone)
    blind = score(load("earlier blind", language), lexicon_alone)
    assert tuned["recall_any_level"] >= TUNED_MIN_RECALL
    assert blind["recall_any_level"] >= BLIND_MIN_RECALL
    assert tuned["false_urgent_rate"] <= MAX_FALSE_ESCALATION
    assert blind["false_urgent_rate"] <= MAX_FALSE_ESCALATION
