"""Chooses the risk classifier's settings on the development set only.

    .venv/bin/python -m scripts.choose_safeguarding_thresholds

For each regularisation C, trains the risk classifier on the corpus and
tries concern and urgent thresholds; prints recall (any level, and urgent
for explicit disclosures) and false alarms per language, and the best
setting: recall of at least ``RECALL_FLOOR`` in each language, then the
fewest hard negatives at any level, then the fewest urgent. The final set
is never read here.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from functools import cache
from typing import Any

from bot.safeguarding import triage
from bot.safeguarding.corpus import ordinary_messages, training_corpus
from bot.safeguarding.risk_model import RiskModel, RiskScore
from bot.safeguarding.spelling import known_words
from bot.safeguarding.triage import Context, Thresholds, assess
from scripts.evaluate_safeguarding import LANGUAGES, load, score

RECALL_FLOOR = 0.99
CS = (1.0, 3.0)
CONCERN = (0.1, 0.15, 0.2, 0.25, 0.3)
URGENT = (0.4, 0.5, 0.6, 0.7)


class _Remembering(RiskModel):
    """The same model, scoring each text once however many thresholds are tried."""

    def __init__(self, model: RiskModel) -> None:
        self.__dict__.update(model.__dict__)
        self._seen: dict[str, RiskScore] = {}

    def score(self, text: str) -> RiskScore:
        if text not in self._seen:
            self._seen[text] = super().score(text)
        return self._seen[text]


def figures(model: RiskModel, thresholds: Thresholds, known: frozenset[str]) -> dict[str, Any]:
    def classify(text: str, after_check_in: bool) -> tuple[str, list[str]]:
        found = assess(
            text, model=model, thresholds=thresholds, known_words=known, context=Context(after_check_in)
        )
        return found.level, found.categories

    return {language: score(load("development", language), classify) for language in LANGUAGES}


def main() -> None:
    # The lexicon's answer for a text doesn't change between settings either.
    triage.lexicon_categories = cache(triage.lexicon_categories)  # type: ignore[assignment]
    corpus = training_corpus()
    ordinary = ordinary_messages()
    known = known_words([i.text for i in corpus.items if not i.concern])
    results = []
    for c in CS:
        model = _Remembering(RiskModel(c=c).fit(corpus.items, ordinary))
        for concern, urgent in itertools.product(CONCERN, URGENT):
            thresholds = replace(Thresholds(), concern=concern, urgent=urgent)
            found = figures(model, thresholds, known)
            row = {"c": c, "concern": concern, "urgent": urgent}
            for language in LANGUAGES:
                f = found[language]
                row |= {
                    f"{language}_recall": f["recall_any_level"],
                    f"{language}_explicit_urgent": f["explicit_urgent"],
                    f"{language}_any": f["any_level_rate_on_negatives"],
                    f"{language}_urgent": f["false_urgent_rate"],
                }
            results.append(row)
            print(row, flush=True)
    meets = [r for r in results if all(r[f"{lang}_recall"] >= RECALL_FLOOR for lang in LANGUAGES)]
    pool = meets or results

    def badness(r: dict[str, Any]) -> tuple[float, ...]:
        recall_gap = 0.0 if meets else -min(r[f"{lang}_recall"] for lang in LANGUAGES)
        return (
            recall_gap,
            max(r[f"{lang}_any"] for lang in LANGUAGES),
            max(r[f"{lang}_urgent"] for lang in LANGUAGES),
        )

    print(
        "best:",
        min(pool, key=badness),
        "(meets the recall floor)" if meets else "(no setting meets the floor)",
    )


if __name__ == "__main__":
    main()
