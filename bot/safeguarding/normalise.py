"""Turn a texted message into plain tokens the lexicon can match, whatever
the spelling: case, accents, repeated letters (killlll), leetspeak (k1ll),
spaced letters (k i l l), algospeak (unalive, kms, sewerslide) and risk emoji.

The lexicon goes through the same functions, so both sides meet in one form:
repeated letters are squashed everywhere ("kill" and "killl" become "kil").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Emoji people use in place of words about harm.
EMOJI_WORDS = {
    "🔪": " knife ",
    "🗡": " knife ",
    "🩸": " blood ",
    "💊": " pills ",
    "⚰": " coffin ",
    "🪦": " grave ",
    "🔫": " gun ",
    "🪢": " rope ",
    "💉": " needle ",
}
LEET = str.maketrans(
    {"1": "i", "!": "i", "3": "e", "4": "a", "@": "a", "0": "o", "5": "s", "$": "s", "7": "t"}
)
# Written forms replaced before tokenising: they contain separators.
PHRASES = [
    (re.compile(r"\bs\s*/\s*h\b"), " self harm "),
    (re.compile(r"\bsewer\s*slide"), " suicide "),
    (re.compile(r"\bunalive"), " kill "),
    (re.compile(r"\bk\s*m\s*s\b"), " kill myself "),
    (re.compile(r"\bk\s*y\s*s\b"), " kill yourself "),
    (re.compile(r"\bgraped\b"), " raped "),
    (re.compile(r"\bseggs\b"), " sex "),
    (re.compile(r"\bp[\W_]*[o0]?[\W_]*rn\b"), " porn "),
    (re.compile(r"\bn[\W_]*[uo0*]*[\W_]*d[\W_]*[e3*]?[\W_]*[sz]\b"), " nudes "),
]
WELSH_CONTRACTION = re.compile(r"'(n|r|w|i|ch|th)\b")
# 40kg, 24yo, 12yrs: numbers with a unit are not leetspeak.
NUMBER_WITH_UNIT = re.compile(r"^[0-9]+[a-z]{1,3}$")
TOKEN = re.compile(r"[a-z0-9@$!]+")
SPACED_RUN_MIN = 3


def fold(text: str) -> str:
    """Lower case, no accents (ŵ -> w), no apostrophes or hyphens (cam-drin -> camdrin).

    Welsh contractions keep their parts apart (fi'n -> fi n, mae'r -> mae r) so
    "fi" still matches; English ones join up (don't -> dont)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = WELSH_CONTRACTION.sub(r" \1", text)
    return re.sub(r"['`\-‐]", "", text)


def squash(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def normalise_word(word: str) -> str:
    """One lexicon word, in the form text tokens take."""
    return squash(
        re.sub(
            r"[^a-z0-9]", "", fold(word).translate(LEET) if re.search(r"[a-z]", fold(word)) else fold(word)
        )
    )


@dataclass(frozen=True)
class Normalised:
    tokens: list[str]
    spaced_runs: list[str]
    """Words typed as spaced letters ("k i l l m y s e l f"), joined up."""


def _clean_token(raw: str) -> str:
    if re.search(r"[a-z]", raw) and not NUMBER_WITH_UNIT.match(raw):
        raw = raw.translate(LEET)
    return squash(re.sub(r"[^a-z0-9]", "", raw))


def normalise(text: str) -> Normalised:
    for emoji, word in EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    text = fold(text)
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    raw_tokens = TOKEN.findall(text)
    tokens: list[str] = []
    runs: list[str] = []
    run: list[str] = []
    for raw in raw_tokens + [""]:
        if len(raw) == 1 and raw.isalpha():
            run.append(raw)
            continue
        if len(run) >= SPACED_RUN_MIN:
            runs.append(squash("".join(run)))
        tokens.extend(run)
        run = []
        if raw:
            cleaned = _clean_token(raw)
            if cleaned:
                tokens.append(cleaned)
    return Normalised(tokens, runs)
