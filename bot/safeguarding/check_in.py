"""Reading the answer to the check-in ("are you safe right now?").

Recall first: "not sure", "dunno" and anything that says no, or not safe,
counts as not safe. A message with no answer in it at all (a new question)
is not an answer, and is read as an ordinary message.
"""

from __future__ import annotations

import re

from bot.safeguarding.normalise import fold

NOT_SAFE = re.compile(
    "|".join(
        [
            r"\b(?:no|nah|na|naa|nope|noo+|nop|nö)\b",
            r"\bnot (?:really|rly|realy|sure|safe|ok|okay|fine|good|great|alright|right now|at all|rlly)\b",
            r"\b(?:dunno|idk|i dont know|dont know|donno|duno|unsure|not sure)\b",
            r"\b(?:scared|frightened|afraid|terrified|help|unsafe|danger|hurt|hurting|hes here|shes here|theyre here)\b",
            r"\b(?:dont|do not|dnt) (?:feel|think)\b",
            r"\b(?:kinda|kind of|sort of|sorta|depends|for now but|atm but|rn but|at the moment but)\b",
            r"\b(?:but|ond)\b.*\b(?:tonight|later|go back|going back|when (?:he|she|they)|heno|wedyn|mynd nol|mynd adre|pan (?:neith|ddaw|ddoith))\b",
            # Welsh
            r"\b(?:nac ydw|nacdw|nadw|nagw|nagydw|na|nage|dim|ddim|dim rili|dim really|dim wir)\b",
            r"\b(?:dwn i ddim|dwn im|dwnim|dwnimbo|sain gwybod|sai n gwybod|sai moyn|dwi ddim yn siwr|ddim yn siwr|sai n siwr|sain siwr)\b",
            r"\b(?:ofn|ofnus|helpa|help|mewn perygl|peryg|brifo|yma rwan|yma nawr)\b",
        ]
    )
)
SAFE = re.compile(
    "|".join(
        [
            r"\b(?:yes|yeah|yea|ye|yep|yup|ya|yh|yeh|yess+|course|ofc|all good|allgood)\b",
            r"\b(?:im|i am|i m|am|feel|feeling)?\s*(?:ok|okay|k|fine|safe|alright|aight|good|grand|sound|gucci)\b",
            # Welsh
            r"\b(?:ydw|yndw|ydy|yndi|iawn|saff|diogel|ia|ie|yep|ok)\b",
        ]
    )
)
MAX_WORDS = 25


def read_check_in_answer(text: str) -> bool | None:
    """True: safe; False: not safe (or not sure); None: not an answer."""
    folded = fold(text)
    if len(folded.split()) > MAX_WORDS:
        return None
    if NOT_SAFE.search(folded):
        return False
    if SAFE.search(folded):
        return True
    return None
