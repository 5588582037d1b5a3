"""The risk corpus and the evaluation sets: messages labelled by people who
wrote them for this purpose (see ``bot/safeguarding/corpus/README.md``).

Every file has the same shape: ``items`` (a message, ``concern`` or
``none``, whether it is explicit, its category and kind) and
``checkin_answers`` (replies to "are you safe right now?", safe or not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class Labelled:
    text: str
    language: str
    concern: bool
    explicit: bool
    category: str | None
    kind: str
    writer: str


@dataclass(frozen=True)
class CheckInAnswer:
    text: str
    language: str
    safe: bool
    writer: str


@dataclass(frozen=True)
class LabelledSet:
    items: list[Labelled]
    check_in_answers: list[CheckInAnswer]

    def language(self, language: str) -> LabelledSet:
        return LabelledSet(
            [i for i in self.items if i.language == language],
            [a for a in self.check_in_answers if a.language == language],
        )


def load_file(path: Path) -> LabelledSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    language, writer = str(data["language"]), str(data.get("writer", path.stem))
    items = [
        Labelled(
            text=str(item["text"]),
            language=language,
            concern=item["label"] == "concern",
            explicit=bool(item.get("explicit", False)) and item["label"] == "concern",
            category=item.get("category") if item["label"] == "concern" else None,
            kind=str(item.get("kind", "")),
            writer=writer,
        )
        for item in data.get("items") or []
        if str(item.get("text", "")).strip()
    ]
    answers = [
        CheckInAnswer(str(a["text"]), language, bool(a["safe"]), writer)
        for a in data.get("checkin_answers") or []
        if str(a.get("text", "")).strip()
    ]
    return LabelledSet(items, answers)


def load(paths: Iterable[Path]) -> LabelledSet:
    items: list[Labelled] = []
    answers: list[CheckInAnswer] = []
    for path in sorted(paths):
        loaded = load_file(path)
        items += loaded.items
        answers += loaded.check_in_answers
    return LabelledSet(items, answers)


def training_corpus(directory: Path = CORPUS_DIR) -> LabelledSet:
    return load(directory.glob("*.yml"))


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yml"))


NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def ordinary_messages(directory: Path = NLU_DIR, concern_intent: str = "safeguarding_concern") -> list[str]:
    """The intent classifier's training examples, but its safeguarding ones:
    everyday messages the risk classifier learns are not a concern (what
    ``rasa train`` hands the component, read here for the scripts)."""
    texts: list[str] = []
    for path in sorted(directory.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if block.get("intent") in (None, concern_intent):
                continue
            for line in str(block.get("examples", "")).splitlines():
                text = ENTITY_MARKUP.sub(
                    lambda m: m.group(1) or m.group(2) or "", line.strip().removeprefix("- ")
                )
                if text.strip():
                    texts.append(text.strip())
    return texts
