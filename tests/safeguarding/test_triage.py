"""The rules that turn signals into a level (bot/safeguarding/triage.py),
with a risk classifier whose scores the test sets, and the readers of cues,
check-in answers and retractions, in both languages."""

from __future__ import annotations

import pytest

from bot.safeguarding.check_in import read_check_in_answer
from bot.safeguarding.cues import read_cues
from bot.safeguarding.retraction import is_retraction, says_not_in_danger
from bot.safeguarding.risk_model import RiskModel, RiskScore
from bot.safeguarding.triage import Context, Thresholds, assess, sentences

THRESHOLDS = Thresholds(concern=0.4, urgent=0.6, concerns_for_urgent=3)


class ScoredModel(RiskModel):
    """A risk classifier that gives each text the score the test says."""

    def __init__(self, scores: dict[str, tuple[float, float]], category: str = "suicide") -> None:
        self.scores = scores
        self.fixed_category = category

    def score(self, text: str) -> RiskScore:
        concern, explicit = self.scores.get(text, (0.0, 0.0))
        return RiskScore(concern, explicit, row=text)

    def category_of(self, score: RiskScore) -> str | None:
        return self.fixed_category


def level(text: str, scores: dict[str, tuple[float, float]] | None = None, **context: int | bool) -> str:
    found = assess(text, model=ScoredModel(scores or {}), thresholds=THRESHOLDS, context=Context(**context))  # type: ignore[arg-type]
    return found.level


def test_an_explicit_statement_is_urgent_whatever_the_classifier_says() -> None:
    assert level("my foster dad hits me") == "urgent"
    assert level("mae fy nhad maeth yn fy nharo i") == "urgent"


def test_a_lowering_cue_makes_an_explicit_hit_a_concern_never_nothing() -> None:
    assert level("i used to self harm but ive been clean for two years now") == "concern"
    assert level("my foster mum will kill me if im late lol") == "concern"


def test_a_threat_about_telling_is_not_an_idiom() -> None:
    assert read_cues("he will kill me if i tell anyone").lowering == []
    assert read_cues("neith o fy lladd i os dwi'n deud wrth rywun").lowering == []
    assert level("he will kill me if i tell anyone") == "urgent"


def test_misspelt_key_words_are_read_as_the_word_they_mean() -> None:
    text = "thinking about sucide tonight"
    found = assess(text, model=ScoredModel({text: (0.3, 0.1)}), thresholds=THRESHOLDS)
    assert found.level == "urgent"
    assert any(s.startswith("lexicon_misspelt") for s in found.signals)


def test_the_classifier_alone_gives_a_concern_or_urgent_by_its_thresholds() -> None:
    text = "not sure ill be around much longer"
    assert level(text, {text: (0.39, 0.1)}) == "none"
    assert level(text, {text: (0.5, 0.1)}) == "concern"
    assert level(text, {text: (0.9, 0.7)}) == "urgent"


def test_a_word_or_two_counts_only_when_the_classifier_is_sure() -> None:
    assert level("Sam", {"Sam": (0.5, 0.1)}) == "none"
    assert level("cant cope", {"cant cope": (0.7, 0.1)}) == "concern"


def test_a_raising_cue_takes_a_classifier_concern_to_urgent() -> None:
    text = "ive got the tablets saved up for tonight"
    assert level(text, {text: (0.5, 0.1)}) == "urgent"


def test_a_lowering_cue_cancels_a_weak_classifier_signal_and_never_pages() -> None:
    text = "what happens if i tell you something bad?"
    assert level(text, {text: (0.5, 0.1)}) == "none"
    assert level(text, {text: (0.9, 0.9)}) == "concern"


def test_a_disclosure_tucked_behind_an_ordinary_question_is_read_on_its_own() -> None:
    text = "Can my IV come on Saturday? Sundays my uncle comes round and gets rough with me."
    tucked = "Sundays my uncle comes round and gets rough with me."
    assert sentences(text)[-1] == tucked
    assert level(text, {text: (0.5, 0.1), tucked: (0.8, 0.2)}) == "concern"


def test_an_answer_to_the_check_in_is_read_as_an_answer() -> None:
    assert level("no not really", after_check_in=True) == "urgent"
    assert level("nac ydw", after_check_in=True) == "urgent"
    assert level("dunno", after_check_in=True) == "urgent"
    assert level("yeah im ok", after_check_in=True) == "none"
    assert level("ydw dwi'n iawn", after_check_in=True) == "none"
    # The same words out of context are nothing at all.
    assert level("no not really") == "none"


def test_an_answer_to_a_form_question_needs_a_sure_classifier_but_not_the_lexicon() -> None:
    text = "nobody called me back for three weeks"
    assert level(text, {text: (0.7, 0.1)}) == "concern"
    assert level(text, {text: (0.7, 0.1)}, after_form_question=True) == "none"
    assert level(text, {text: (0.9, 0.1)}, after_form_question=True) == "concern"
    assert level("my carer hits me", after_form_question=True) == "urgent"


def test_risk_builds_over_a_conversation() -> None:
    text = "everything is just too much"
    assert level(text, {text: (0.5, 0.1)}, earlier_concerns=1) == "concern"
    assert level(text, {text: (0.5, 0.1)}, earlier_concerns=2) == "urgent"


@pytest.mark.parametrize(
    ("answer", "safe"),
    [
        ("no", False), ("na", False), ("not rly", False), ("idk", False), ("dwn i'm", False),
        ("safe for now but i have to go back tonight", False), ("saff am rŵan ond rhaid mynd nôl heno", False),
        ("yes", True), ("ye im fine", True), ("ydw", True), ("dwi'n saff diolch", True),
        ("what happens now?", None),
    ],
)  # fmt: skip
def test_check_in_answers(answer: str, safe: bool | None) -> None:
    assert read_check_in_answer(answer) is safe


@pytest.mark.parametrize("text", ["jk forget it", "never mind lol", "anghofia fo", "jocian o'n i"])
def test_taking_it_back(text: str) -> None:
    assert is_retraction(text)


@pytest.mark.parametrize(
    "text",
    ["wait what?? im not in danger", "I only asked if she can come to my house", "dwi ddim mewn perygl"],
)
def test_saying_not_in_danger(text: str) -> None:
    assert says_not_in_danger(text)
    assert not is_retraction(text)
