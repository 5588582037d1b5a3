"""Keeps the risk corpus and its evaluation sets apart.

    .venv/bin/python -m scripts.clean_risk_corpus

Drops from the evaluation sets what the intent classifier's examples
(data/nlu/, which the risk classifier also learns from) already hold; drops
from the training corpus (bot/safeguarding/corpus/) every message that
is the same as, or a near-copy of, a message in the development or final
set, and repeats within the corpus; drops from all sets the near-copies of
the examples in the writers' brief (docs/safeguarding-writers-brief.md),
which every writer saw. Near-copy: the same normalised text, or a
similarity ratio of at least NEAR_COPY (rapidfuzz), for messages of three
words or more. ``tests/safeguarding/test_corpus.py`` checks the result.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from bot.safeguarding.corpus import corpus_files, ordinary_messages
from bot.safeguarding.risk_model import prepare

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "docs" / "safeguarding-writers-brief.md"
EVALUATION = sorted((ROOT / "tests" / "safeguarding_dev").glob("*.yml")) + sorted(
    (ROOT / "tests" / "safeguarding_final").glob("*.yml")
)
NEAR_COPY = 90.0
MIN_WORDS = 3


def near(text: str, others: list[str]) -> bool:
    """The same text (of two words or more), or a near-copy (three or more)."""
    prepared = prepare(text)
    if prepared in others and len(prepared.split()) >= 2:
        return True
    if len(prepared.split()) < MIN_WORDS:
        return False
    return process.extractOne(prepared, others, scorer=fuzz.ratio, score_cutoff=NEAR_COPY) is not None


def brief_examples() -> list[str]:
    return [prepare(q) for q in re.findall(r'"([^"]{6,})"', BRIEF.read_text(encoding="utf-8"))]


def texts(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [prepare(i["text"]) for i in data.get("items") or []] + [
        prepare(a["text"]) for a in data.get("checkin_answers") or []
    ]


def evaluation_texts(label: str) -> list[str]:
    """The evaluation sets' messages with this label ("none": everyday ones)."""
    return [
        item["text"]
        for path in EVALUATION
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("items") or []
        if item.get("label") == label
    ]


def rewrite(path: Path, keep: Any) -> tuple[int, int]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    before = len(data.get("items") or []) + len(data.get("checkin_answers") or [])
    data["items"] = [i for i in data.get("items") or [] if keep(i["text"])]
    data["checkin_answers"] = [a for a in data.get("checkin_answers") or [] if keep(a["text"])]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return before, len(data["items"]) + len(data["checkin_answers"])


def main() -> None:
    examples = brief_examples()
    # The intent classifier's examples came first, and the risk classifier
    # learns from them too: an evaluation message they already hold is dropped.
    # Only an everyday message counts as held already: a disclosure that looks
    # like an everyday example ("dim bwyd eto", "dim byd eto") is a hard case.
    everyday = [prepare(t) for t in ordinary_messages()]
    labels = {prepare(t) for t in evaluation_texts("none")}
    for path in EVALUATION:
        print(
            path.name,
            rewrite(
                path, lambda t: not near(t, examples) and not (prepare(t) in labels and near(t, everyday))
            ),
        )
    evaluation = [t for path in EVALUATION for t in texts(path)]
    seen: list[str] = []

    def keep(text: str) -> bool:
        if near(text, evaluation) or near(text, examples) or prepare(text) in seen:
            return False
        seen.append(prepare(text))
        return True

    for path in corpus_files():
        print(path.name, rewrite(path, keep))


if __name__ == "__main__":
    main()
