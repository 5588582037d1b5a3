"""Intent accuracy on the held-out and development sets, which are never
trained on (the final test set is scored by hand, once per release).

The thresholds sit a little under what `make evaluate` measured (README), so
a change that makes the classifier clearly worse fails here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scripts.evaluate_nlu import evaluate

MIN_ACCURACY = {"cy": 0.93, "en": 0.93}
MIN_MACRO_F1 = {"cy": 0.93, "en": 0.93}
# The development set (another writer's, issue 12): measured cy 0.876, en 0.930.
MIN_DEV_ACCURACY = {"cy": 0.85, "en": 0.90}


@pytest.fixture(scope="module")
def report(agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop) -> dict[str, Any]:
    return evaluate(agent, event_loop_for_agent)


@pytest.fixture(scope="module")
def dev_report(agent: Any, event_loop_for_agent: asyncio.AbstractEventLoop) -> dict[str, Any]:
    return evaluate(agent, event_loop_for_agent, kind="dev")


@pytest.mark.parametrize("language", ["cy", "en"])
def test_development_set_intent_accuracy(dev_report: dict[str, Any], language: str) -> None:
    assert dev_report[language]["accuracy"] >= MIN_DEV_ACCURACY[language]
    # In-scope questions that fall back: at most 5 % (issue 12).
    assert dev_report[language]["fallbacks"] <= 0.05 * dev_report[language]["examples"]


@pytest.mark.parametrize("language", ["cy", "en"])
def test_held_out_intent_accuracy_and_macro_f1(report: dict[str, Any], language: str) -> None:
    assert report[language]["accuracy"] >= MIN_ACCURACY[language]
    assert report[language]["macro_f1"] >= MIN_MACRO_F1[language]


def test_held_out_disclosures_are_never_mistaken_for_small_talk(report: dict[str, Any]) -> None:
    # Issue 4 adds the deterministic detector; until then the classifier is the
    # only net, so a disclosure may fall back but must not be answered as chat.
    chatty = {"greet", "goodbye", "thank", "affirm", "deny", "out_of_scope"}
    missed = [
        e
        for language in ("cy", "en")
        for e in report[language]["errors"]
        if e["gold"] == "safeguarding_concern" and e["predicted"] in chatty
    ]
    assert not missed
