"""The deterministic safeguarding detector: lexicon patterns in both
languages, matched with spaCy's Matcher over normalised tokens.

It runs on every message, whatever language the conversation is in and
whatever the intent classifier thinks: English and Welsh patterns alike, so
code-switched messages are covered. Recall first: the lexicon errs towards
flagging, and the only exclusions are narrow (a school topic, an accident, a
game) and never "lol" or "jk".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from bot.safeguarding.normalise import Normalised, normalise, normalise_word
from bot.safeguarding.welsh import mutations

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
GAP = {"*": 3, "**": 6}
MAX_COMPACT_FORMS = 5000
EXCLUSION_PREFIX = "exclude::"


@dataclass(frozen=True)
class Finding:
    category: str
    start: int
    end: int
    matched: str


@dataclass
class _Compiled:
    vocab: Vocab
    matcher: Matcher
    compact: dict[str, set[str]] = field(default_factory=dict)  # category -> joined forms
    exclusions: dict[str, dict[str, Any]] = field(default_factory=dict)


def _word_forms(word: str, welsh: bool) -> set[str]:
    raw = mutations(word) if welsh else {word}
    return {normalise_word(form) for form in raw} - {""}


def _words(alternative: str, groups: dict[str, list[str]]) -> list[str]:
    return groups[alternative[1:]] if alternative.startswith("@") else [alternative]


def _slot_options(slot: str, groups: dict[str, list[str]], welsh: bool) -> list[list[dict[str, Any]]]:
    """The token sequences one slot can stand for. Alternatives joined with
    "_" ("no_one|nobody") are several words, so a slot may give sequences of
    different lengths."""
    if slot in GAP:
        return [[{"OP": "?"}] * GAP[slot]]
    optional = slot.endswith("?") and len(slot) > 1
    slot = slot.rstrip("?") if optional else slot
    options: list[list[dict[str, Any]]]
    if slot.startswith("/") and slot.endswith("/"):
        options = [[{"ORTH": {"REGEX": slot[1:-1]}}]]
    else:
        by_length: dict[int, list[set[str]]] = {}
        for alternative in slot.split("|"):
            for phrase in _words(alternative, groups):
                parts = [p for p in re.split(r"[_ ]", phrase) if p]
                columns = by_length.setdefault(len(parts), [set() for _ in parts])
                for column, part in zip(columns, parts, strict=True):
                    column |= _word_forms(part, welsh)
        options = [[{"ORTH": {"IN": sorted(column)}} for column in columns] for columns in by_length.values()]
    if optional:
        return [[{**token, "OP": "?"} for token in option] for option in options]
    return options


def _compile_pattern(pattern: str, groups: dict[str, list[str]], welsh: bool) -> list[list[dict[str, Any]]]:
    """A lexicon line as spaCy Matcher patterns (one per combination of lengths)."""
    per_slot = [_slot_options(slot, groups, welsh) for slot in pattern.split()]
    return [[token for option in combination for token in option] for combination in product(*per_slot)]


def _compact_forms(pattern: str, groups: dict[str, list[str]], welsh: bool) -> set[str]:
    """Joined-up spellings of a short gapless pattern, for spaced-letter text."""
    slots = pattern.split()
    if any(s in GAP or s.endswith("?") or s.startswith("/") for s in slots) or len(slots) > 3:
        return set()
    choices: list[list[str]] = []
    for slot in slots:
        words: set[str] = set()
        for alternative in slot.split("|"):
            for phrase in _words(alternative, groups):
                forms = {""}
                for part in (p for p in re.split(r"[_ ]", phrase) if p):
                    forms = {f + v for f in forms for v in _word_forms(part, welsh)}
                words |= forms
        choices.append(sorted(w for w in words if w))
    total = 1
    for c in choices:
        total *= max(len(c), 1)
    if total > MAX_COMPACT_FORMS:
        return set()
    return {"".join(combo) for combo in product(*choices) if len("".join(combo)) >= 6}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@cache
def _compiled() -> _Compiled:
    nlp = spacy.blank("xx")
    matcher = Matcher(nlp.vocab, validate=True)
    compiled = _Compiled(nlp.vocab, matcher)
    for path in sorted(LEXICON_DIR.glob("*.yml")):
        lexicon = _load(path)
        welsh = path.stem == "cy"
        groups = lexicon.get("groups", {})
        for category, patterns in lexicon["categories"].items():
            compiled.compact.setdefault(category, set())
            matcher.add(category, [m for p in patterns for m in _compile_pattern(p, groups, welsh)])
            for p in patterns:
                compiled.compact[category] |= _compact_forms(p, groups, welsh)
        for index, exclusion in enumerate(lexicon.get("exclusions", [])):
            key = f"{EXCLUSION_PREFIX}{path.stem}{index}"
            # No mutations here: "tîm" would also give "dim", a common word.
            matcher.add(key, _compile_pattern(exclusion["pattern"], groups, welsh=False))
            compiled.exclusions[key] = exclusion
    return compiled


def _excluded(finding: Finding, exclusions: list[tuple[dict[str, Any], int, int]]) -> bool:
    for rule, start, end in exclusions:
        categories = rule.get("categories")
        if categories and finding.category not in categories:
            continue
        before, after = rule.get("before", 0), rule.get("after", 0)
        if before and end <= finding.start and finding.start - end <= before:
            return True
        if after and start >= finding.end and start - finding.end <= after:
            return True
    return False


def _spaced(normalised: Normalised, compiled: _Compiled) -> list[Finding]:
    findings = []
    for run in normalised.spaced_runs:
        for category, forms in compiled.compact.items():
            hit = next((form for form in forms if form in run), None)
            if hit:
                findings.append(Finding(category, -1, -1, hit))
    return findings


def detect(text: str) -> list[Finding]:
    """Every safeguarding category the text shows, with the words that showed it."""
    normalised = normalise(text)
    if not normalised.tokens:
        return []
    compiled = _compiled()
    doc = Doc(compiled.vocab, words=normalised.tokens)
    findings: list[Finding] = []
    exclusions: list[tuple[dict[str, Any], int, int]] = []
    for match_id, start, end in compiled.matcher(doc):
        label = doc.vocab.strings[match_id]
        if label.startswith(EXCLUSION_PREFIX):
            exclusions.append((compiled.exclusions[label], start, end))
        else:
            findings.append(Finding(label, start, end, doc[start:end].text))
    kept = [f for f in findings if not _excluded(f, exclusions)]
    kept += _spaced(normalised, compiled)
    return kept


def categories(text: str) -> list[str]:
    """The categories found, most specific first, each once."""
    seen: dict[str, None] = {}
    for finding in detect(text):
        seen.setdefault(finding.category, None)
    return list(seen)


def warm_up() -> None:
    """Compile the lexicon now rather than on the first message."""
    _compiled()
