"""Taking it back: "jk", "forget it", and "I'm not in danger, I only asked".

Neither closes a case (young people often take a disclosure back out of
fear); they change what the bot says, and coordinators see them on the case.
"""

from __future__ import annotations

import re

from bot.safeguarding.normalise import fold

RETRACTION = re.compile(
    "|".join(
        [
            r"\b(?:jk|jks|j k|just kidding|just joking|only joking|was joking|im joking|joking|jokin|kidding|lol jk)\b",
            r"\b(?:forget (?:it|that|what i said|about it)|never ?mind|nvm|ignore (?:that|me|it|what i said)|doesnt matter|dont worry about it)\b",
            r"\b(?:didnt mean it|dont mean it|not serious|wasnt serious)\b",
            # Welsh
            r"\b(?:jocian|jocio|tynnu coes|tynnu dy goes|dim ond jocian|jest jocian|jyst jocian)\b",
            r"\b(?:anghofia fo|anghofia fe|anghofia hynna|anghofia am y peth|anwybydda fi|anwybydda hynna|dim ots|paid poeni|dim bwys)\b",
            r"\b(?:doeddwn i ddim o ddifri|do ni ddim o ddifri|ddim o ddifri)\b",
        ]
    )
)
NOT_IN_DANGER = re.compile(
    "|".join(
        [
            r"\b(?:im|i am|i m|am)\s+not\s+in\s+(?:danger|trouble)\b|\bnot in danger\b",
            r"\b(?:i (?:was )?only|i (?:was )?just|was only|was just|only)\s+(?:asked|asking|askin|wondering|wanted to know|a question)\b",
            r"\b(?:im|i am|i m)\s+(?:safe|fine|ok|okay)\b.*\b(?:asked|asking|question|wondering)\b",
            r"\bdon?t need help\b|\bi dont need anyone\b",
            # Welsh
            r"\b(?:dwi|dw i|rwy|rydw i|fi)\s*(?:ddim|ddim yn|dim)\s*(?:mewn perygl|mewn trwbl)\b|\bddim mewn perygl\b",
            r"\b(?:jest|jyst|dim ond|ond)\s+(?:gofyn|holi)\b|\bgofyn o(?:n|edd) i\b|\bholi o(?:n|edd) i\b",
            r"\bdim angen help\b|\bsdim angen help\b",
        ]
    )
)


def is_retraction(text: str) -> bool:
    return bool(RETRACTION.search(fold(text)))


def says_not_in_danger(text: str) -> bool:
    return bool(NOT_IN_DANGER.search(fold(text)))
