"""Which council a young person names: "Caerdydd", "yng Nghaerdydd",
"swansee", "I live in Hull". spaCy's PhraseMatcher (a blank pipeline, no
model) finds the names, Welsh mutations included; a close-spelling match
catches typos."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import spacy
import yaml
from spacy.matcher import PhraseMatcher

from bot.forms.answers import DONT_KNOW_PHRASES, words
from bot.safeguarding.welsh import mutations

COUNCILS_FILE = Path(__file__).with_name("councils.yml")
OTHER = "other"
OTHER_PHRASES = DONT_KNOW_PHRASES | frozenset(
    {"other", "arall", "somewhere else", "rhywle arall", "scotland", "yr alban", "northern ireland", "none"}
)
TYPO_CUTOFF = 0.82


@dataclass(frozen=True)
class Council:
    id: str
    en: str
    cy: str

    def name(self, language: str) -> str:
        return self.cy if language == "cy" else self.en


def _slug(name: str) -> str:
    return "-".join(words(name))


@cache
def councils() -> dict[str, Council]:
    data = yaml.safe_load(COUNCILS_FILE.read_text(encoding="utf-8"))
    found = {c["id"]: Council(c["id"], c["en"], c["cy"]) for c in data["wales"]}
    for name in data["england"]:
        found[_slug(name)] = Council(_slug(name), name, name)
    return found


@cache
def _names() -> dict[str, str]:
    """Every written form (folded words) -> council id."""
    data = yaml.safe_load(COUNCILS_FILE.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for c in data["wales"]:
        for name in [c["en"], c["cy"], *c.get("aliases", [])]:
            first, *rest = words(name)
            # Welsh place names mutate after "yng", "o", "i": yng Nghaerdydd, o Bowys.
            for form in mutations(first):
                names[" ".join([form, *rest])] = c["id"]
    for name in data["england"]:
        names[" ".join(words(name))] = _slug(name)
    for name, aliases in (data.get("england_aliases") or {}).items():
        for alias in aliases:
            names[" ".join(words(alias))] = _slug(name)
    return names


@cache
def _matcher() -> tuple[spacy.language.Language, PhraseMatcher]:
    nlp = spacy.blank("xx")
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for form, council_id in _names().items():
        matcher.add(council_id, [nlp.make_doc(form)])
    return nlp, matcher


def match_council(text: str) -> str | None:
    """A council id, ``"other"`` for "not sure"/"somewhere else", or None."""
    folded = " ".join(words(text))
    if not folded:
        return None
    nlp, matcher = _matcher()
    doc = nlp.make_doc(folded)
    spans = sorted(matcher(doc), key=lambda m: m[2] - m[1], reverse=True)
    if spans:
        ids = {nlp.vocab.strings[m[0]] for m in spans if m[2] - m[1] == spans[0][2] - spans[0][1]}
        if len(ids) == 1:
            return ids.pop()
    if f" {folded} " in {f" {p} " for p in OTHER_PHRASES} or any(
        f" {p} " in f" {folded} " for p in OTHER_PHRASES
    ):
        return OTHER
    close = difflib.get_close_matches(folded, list(_names()), n=1, cutoff=TYPO_CUTOFF)
    return _names()[close[0]] if close else None


def council_name(council_id: str, language: str) -> str:
    council = councils().get(council_id)
    return council.name(language) if council else council_id
