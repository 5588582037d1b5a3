"""The risk corpus is big enough, balanced, and kept apart from the sets it
is measured on: no evaluation message (or near-copy) in the training data."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.safeguarding.corpus import ordinary_messages, training_corpus
from bot.safeguarding.risk_model import prepare
from scripts.clean_risk_corpus import EVALUATION, evaluation_texts, near, texts
from scripts.evaluate_safeguarding import LANGUAGES

MIN_PER_LABEL = 800  # concerns, and hard negatives, per language


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_enough_concerns_and_as_many_hard_negatives(language: str) -> None:
    items = training_corpus().language(language).items
    counts = Counter(item.concern for item in items)
    assert counts[True] >= MIN_PER_LABEL and counts[False] >= MIN_PER_LABEL, counts
    assert len({item.writer for item in items}) >= 4


def test_no_evaluation_message_or_near_copy_is_in_the_training_data() -> None:
    # The everyday examples (data/nlu) must not copy an everyday evaluation
    # message; a disclosure near one is a hard case, not a copy: "dim bwyd eto"
    # (no food again) beside "dim byd eto" (nothing yet).
    everyday = [prepare(t) for t in evaluation_texts(label="none")]
    evaluation = [text for path in EVALUATION for text in texts(path)]
    leaks = [t for t in ordinary_messages() if near(t, everyday)]
    leaks += [item.text for item in training_corpus().items if near(item.text, evaluation)]
    assert not leaks, leaks[:10]


def test_the_corpus_has_no_repeats() -> None:
    from bot.safeguarding.risk_model import prepare

    prepared = [prepare(item.text) for item in training_corpus().items]
    assert [t for t, n in Counter(prepared).items() if n > 1] == []
