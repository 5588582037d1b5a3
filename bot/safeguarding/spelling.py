"""Misspelt risk words ("abbused", "sucide", "self harmimg"): each long word
that is neither a lexicon word nor a word we know is replaced by the closest
lexicon word within a small edit distance, and the lexicon is run again.

Only long words are corrected (short words are too close to each other), and
words that appear in ordinary messages (the intent training data and the hard
negatives) are never corrected, so "willing" stays "willing".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.safeguarding.detector import LEXICON_DIR, categories
from bot.safeguarding.normalise import normalise, normalise_word
from bot.safeguarding.welsh import mutations

MIN_LENGTH = 5
LONG_WORD = 8  # from here on, two edits are allowed


@cache
def lexicon_words() -> frozenset[str]:
    """Every word the lexicon patterns name, normalised, mutated forms included."""
    words: set[str] = set()
    for path in LEXICON_DIR.glob("*.yml"):
        lexicon = yaml.safe_load(path.read_text(encoding="utf-8"))
        welsh = path.stem == "cy"
        texts = [w for group in lexicon.get("groups", {}).values() for w in group]
        texts += [p for patterns in lexicon["categories"].values() for p in patterns]
        for text in texts:
            for raw in re.split(r"[\s|_]+", str(text)):
                if raw.startswith(("@", "/", "*")):
                    continue
                raw = raw.rstrip("?")
                for form in mutations(raw) if welsh else {raw}:
                    word = normalise_word(form)
                    if len(word) >= MIN_LENGTH:
                        words.add(word)
    return frozenset(words)


def known_words(texts: Iterable[str]) -> frozenset[str]:
    """The words of ordinary messages: never taken for misspellings."""
    return frozenset(t for text in texts for t in normalise(text).tokens if len(t) >= MIN_LENGTH)


def corrected(text: str, known: frozenset[str]) -> tuple[str, list[tuple[str, str]]]:
    """The message's tokens with misspelt risk words corrected, and the corrections."""
    vocabulary = lexicon_words()
    tokens, changes = [], []
    for token in normalise(text).tokens:
        if len(token) < MIN_LENGTH or token in vocabulary or token in known:
            tokens.append(token)
            continue
        cutoff = 2 if len(token) >= LONG_WORD else 1
        match = process.extractOne(token, vocabulary, scorer=Levenshtein.distance, score_cutoff=cutoff)
        if match is None:
            tokens.append(token)
            continue
        tokens.append(match[0])
        changes.append((token, match[0]))
    return " ".join(tokens), changes


def misspelt_categories(text: str, known: frozenset[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """For a message the lexicon found nothing in: the categories it finds
    once misspellings are corrected, and the corrections."""
    fixed, changes = corrected(text, known)
    if not changes:
        return [], []
    found = categories(fixed)
    return found, changes if found else []
