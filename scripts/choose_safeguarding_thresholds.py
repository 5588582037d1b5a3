"""Chooses the risk classifier's settings on the development set only.

    .venv/bin/python -m scripts.choose_safeguarding_thresholds

For each regularisation C, trains the risk classifier on the corpus and
tries concern and urgent thresholds; prints recall (any level, and urgent
for explicit disclosures) and false alarms per language, and the setting
``choose`` picks. The final set is never read here.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.safeguarding import triage
from bot.safeguarding.corpus import ordinary_messages, training_corpus
from bot.safeguarding.risk_model import RiskModel, RiskScore
from bot.safeguarding.spelling import known_words
from bot.safeguarding.triage import Context, Thresholds, assess
from scripts.evaluate_safeguarding import LANGUAGES, load, score

HELDOUT = Path(__file__).resolve().parent.parent / "tests" / "nlu"
MAX_ORDINARY = 0.05
MAX_FALSE_URGENT = 0.10  # twice the target: no setting here reaches 0.05 in Welsh
CS = (1.0, 3.0, 10.0)
CONCERN = (0.3, 0.35, 0.4, 0.45, 0.5)
URGENT = (0.4, 0.5)


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

    found = {language: score(load("development", language), classify) for language in LANGUAGES}
    for language in LANGUAGES:
        questions = ordinary_questions(language)
        alarms = sum(classify(text, False)[0] != "none" for text in questions)
        found[language]["ordinary_any"] = round(alarms / len(questions), 4)
    return found


def ordinary_questions(language: str) -> list[str]:
    """The intent development set's everyday messages (a writer who never saw
    the training data; choices are made on it): most of what a service hears,
    which must not set off a check-in."""
    data = yaml.safe_load((HELDOUT / f"dev_{language}.yml").read_text(encoding="utf-8"))
    return [
        line.strip().removeprefix("- ")
        for block in data["nlu"]
        if block["intent"] != "safeguarding_concern"
        for line in block["examples"].splitlines()
        if line.strip()
    ]


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
                    f"{language}_ordinary": f["ordinary_any"],
                }
            results.append(row)
            print(row, flush=True)
    print("best:", choose(results))


def choose(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Everyday messages first: at most MAX_ORDINARY of them at any level in
    each language (a check-in on every twentieth ordinary question is the
    ceiling). Then recall: the best recall in the worse language (to half a point);
    then the fewest hard negatives at any level; then, among urgent
    thresholds that page on at most MAX_FALSE_URGENT of hard negatives in
    each language, the one that makes the most explicit disclosures urgent."""

    def worst(r: dict[str, Any], figure: str) -> float:
        return min(r[f"{lang}_{figure}"] for lang in LANGUAGES)

    quiet = [r for r in results if all(r[f"{lang}_ordinary"] <= MAX_ORDINARY for lang in LANGUAGES)]
    results = quiet or results
    best_recall = max(round(worst(r, "recall") * 200) / 200 for r in results)
    pool = [r for r in results if round(worst(r, "recall") * 200) / 200 == best_recall]
    fewest_any = min(max(r[f"{lang}_any"] for lang in LANGUAGES) for r in pool)
    pool = [r for r in pool if max(r[f"{lang}_any"] for lang in LANGUAGES) == fewest_any]
    pages_ok = [r for r in pool if all(r[f"{lang}_urgent"] <= MAX_FALSE_URGENT for lang in LANGUAGES)]
    return max(pages_ok or pool, key=lambda r: worst(r, "explicit_urgent"))


if __name__ == "__main__":
    main()
