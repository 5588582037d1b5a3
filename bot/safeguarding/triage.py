"""One message's safeguarding level, from signals combined by rules you can
read here. Levels, most severe first:

- ``urgent``: a clear statement of current harm, intent or danger, or "not
  safe" in answer to the check-in. A person is paged.
- ``concern``: possible risk, not clear. The bot checks in kindly, the case
  waits in the coordinators' queue, and the bot keeps talking.
- ``none``.

Signals:
1. the lexicon (explicit statements; misspelt key words corrected first):
   urgent, or concern when a lowering cue applies; never none;
2. the risk classifier: concern above ``concern_threshold``, urgent when its
   "explicit" probability is above ``urgent_threshold`` too;
3. cues (``cues.py``): with a lowering cue the classifier's level is concern
   if it is sure (``strong``), else none, and never urgent; a raising cue
   (first person with now, tonight, a plan or a method) takes a classifier
   concern up to urgent;
4. the conversation: an answer to the check-in is read as an answer, and the
   ``concerns_for_urgent``-th concern in a conversation is urgent (risk builds
   over a conversation, not one message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.safeguarding.check_in import read_check_in_answer
from bot.safeguarding.cues import Cues, read_cues
from bot.safeguarding.detector import categories as lexicon_categories
from bot.safeguarding.risk_model import RiskModel, RiskScore
from bot.safeguarding.spelling import misspelt_categories

Level = Literal["urgent", "concern", "none"]
LEVELS: tuple[Level, ...] = ("urgent", "concern", "none")
MAX_READ_CHARS = 2000  # what any signal reads of one message


@dataclass(frozen=True)
class Thresholds:
    concern: float = 0.5
    urgent: float = 0.5
    concerns_for_urgent: int = 3
    spelling: float = 0.15
    strong: float = 0.6  # a classifier concern this sure survives a lowering cue, or counts for a word or two
    sure: float = 0.8  # ...and this sure, for an answer to a form's question


@dataclass(frozen=True)
class Context:
    """What the conversation so far says about this message."""

    after_check_in: bool = False
    earlier_concerns: int = 0
    after_form_question: bool = False
    """The bot has just asked a form's question (a name, a council, what
    happened): the answer is read as an answer, and the classifier alone
    needs to be sure. The lexicon reads it as ever."""


@dataclass
class Assessment:
    level: Level
    categories: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    check_in_answer: bool | None = None  # True: safe, False: not safe

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "categories": self.categories, "signals": self.signals}


def _down(level: Level) -> Level:
    return "concern" if level == "urgent" else "none"


SENTENCE = re.compile(r"(?<=[.?!\n])\s+|\n+")
MAX_SENTENCES = 4
MIN_SENTENCE_WORDS = 3


def sentences(text: str) -> list[str]:
    """The message's sentences worth scoring on their own (a disclosure is
    often tucked behind an ordinary question)."""
    parts = [p.strip() for p in SENTENCE.split(text) if len(p.split()) >= MIN_SENTENCE_WORDS]
    return parts[:MAX_SENTENCES] if len(parts) > 1 else []


def _classifier_level(
    score: RiskScore, cues: Cues, thresholds: Thresholds, words: int, answering: bool = False
) -> Level:
    """The risk classifier's level for one piece of text, moved by its own cues.
    A word or two ("hi", "he/him") counts only when the classifier is sure,
    and never pages: the lexicon knows the short explicit ones."""
    if score.concern < thresholds.concern:
        return "none"
    if words < MIN_SENTENCE_WORDS and score.concern < thresholds.strong:
        # "hi", "Sam", "Pen-y-bont": a word or two carries too little to go on.
        return "none"
    if answering and score.concern < thresholds.sure:
        return "none"
    if cues.lowering:
        # A lowering cue never pages, and cancels only a weak signal.
        return "concern" if score.concern >= thresholds.strong else "none"
    explicit = score.explicit >= thresholds.urgent and words >= MIN_SENTENCE_WORDS
    return "urgent" if explicit or cues.raising else "concern"


def assess(
    text: str,
    *,
    model: RiskModel | None,
    thresholds: Thresholds,
    known_words: frozenset[str] = frozenset(),
    context: Context = Context(),
) -> Assessment:
    text = text[:MAX_READ_CHARS]
    signals: list[str] = []
    score = model.score(text) if model is not None else RiskScore(0.0, 0.0)
    signals.append(f"risk:{score.concern:.2f}/{score.explicit:.2f}")
    found = lexicon_categories(text)
    if found:
        signals.append("lexicon")
    elif score.concern >= thresholds.spelling:
        # Misspelt key words are looked for only where the classifier sees
        # some risk: correcting every long word of every message costs time.
        found, changes = misspelt_categories(text, known_words)
        if found:
            signals.append("lexicon_misspelt:" + ",".join(f"{a}>{b}" for a, b in changes))
    cues = read_cues(text)
    signals += [f"lower:{c}" for c in cues.lowering] + [f"raise:{c}" for c in cues.raising]

    if context.after_check_in:
        answer = read_check_in_answer(text)
        if answer is False:
            return Assessment("urgent", found, [*signals, "check_in:not_safe"], answer)
        if answer is True and not found:
            return Assessment("none", [], [*signals, "check_in:safe"], answer)

    level: Level
    if found:
        level = "concern" if cues.lowering else "urgent"
    else:
        answering = context.after_form_question
        level, best = _classifier_level(score, cues, thresholds, len(text.split()), answering), score
        # A sentence on its own, with its own cues: "Can my IV come on
        # Saturday? My uncle gets rough with me" is not a policy question.
        for sentence in sentences(text) if model is not None else []:
            part = model.score(sentence)  # type: ignore[union-attr]
            part_level = _classifier_level(
                part, read_cues(sentence), thresholds, len(sentence.split()), answering
            )
            if LEVELS.index(part_level) < LEVELS.index(level):
                level, best = part_level, part
                signals.append(f"sentence_risk:{part.concern:.2f}/{part.explicit:.2f}")
        category = model.category_of(best) if model is not None and level != "none" else None
        found = [category] if category else []
    if level == "concern" and context.earlier_concerns + 1 >= thresholds.concerns_for_urgent:
        level = "urgent"
        signals.append(f"conversation:{context.earlier_concerns + 1}_concerns")
    return Assessment(level, found if level != "none" else [], signals)
