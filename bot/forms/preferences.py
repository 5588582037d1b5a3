"""What a young person would like in an IV, said in passing: "I want a woman
who speaks Welsh", "dwi isio dynes sy'n siarad Cymraeg", "someone who likes
football". It is recorded as a preference for their referral, never acted on
as a command: "who speaks Welsh" is not a request to chat in Welsh.

A preference counts only beside a wish ("I want", "can I have", "prefer",
"isio", "hoffwn", "ga i"), so "the lady who came to my review" is not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.safeguarding.normalise import fold

Kind = Literal["gender", "language", "interest"]
MAX_INTEREST_CHARS = 60


@dataclass(frozen=True)
class Preference:
    kind: Kind
    value: str  # woman | man, cy | en, or the interest in the young person's words

    def as_entity_value(self) -> str:
        return f"{self.kind}:{self.value}"

    @staticmethod
    def from_entity_value(value: str) -> Preference | None:
        kind, _, rest = str(value).partition(":")
        if kind not in ("gender", "language", "interest") or not rest:
            return None
        return Preference(kind, rest)  # type: ignore[arg-type]


WISH = re.compile(
    r"\b(want|wanna|wont|would like|id like|like to have|prefer|rather|can i (have|get|ask for)|could (i|it|they)"
    r"|(can|could) (it|they|he|she|my iv|the iv|my visitor|the visitor) be"
    r"|i hope|hoping|looking for|isio|isho|eisiau|moyn|mo yn|hoffwn|hoffen|hoffi gael|well gen i|well gyda fi"
    r"|gwell gen i|ga i|gai|gawn i|allai fo|allai fe|gallai|gobeithio)\b"
)
WOMAN = re.compile(r"\b(woman|women|lady|female|girl|dynes|ddynes|menyw|fenyw|merch|ferch|benyw)\b")
# "dyn ni" is "we are" in the south, not "a man".
MAN = re.compile(r"\b(man|men|guy|bloke|male|lad|boy|dyn(?! ni\b)|ddyn|gwryw|bachgen|fachgen|boi)\b")
# "who speaks Welsh", "Welsh-speaking", "sy'n siarad Cymraeg": a wish about the
# IV, matched on the folded text (no apostrophes or hyphens: "syn", "welshspeaking").
LANGUAGE_PREFERENCE = re.compile(
    r"\b(?:(?:who|that|wholl|thatll|that can|who can) (?:speaks?|talks?|can speak) (?P<en_a>welsh|english)"
    r"|(?P<en_b>welsh|english) ?speak(?:ing|er)"
    r"|(?:syn|sydd yn|sy yn|sy n)(?: gallu| medru)? siarad (?P<cy_a>cymraeg|gymraeg|saesneg)"
    r"|siaradwr (?P<cy_b>cymraeg|saesneg))\b"
)
# On the young person's own words (lower case), so the interest reads as they wrote it.
INTEREST = re.compile(
    r"\b(?:who|that|who'?ll|that'?ll) (?:likes?|loves?|is into|plays?|does|enjoys?) (?P<en>[^.,!?\n]+)"
    r"|\b(?:sy'?n|sydd yn) (?:hoffi|licio|caru|dwlu ar|mwynhau|chwarae) (?P<cy>[^.,!?\n]+)"
)
FILLER = re.compile(r"(?:\s+(?:please|pls|plz|plis|plîs|thanks|thx|diolch|x+|too|hefyd|as well))+$")


def _language_of(match: re.Match[str]) -> str:
    name = next(v for v in match.groupdict().values() if v)
    return "cy" if name in ("welsh", "cymraeg", "gymraeg") else "en"


def without_language_preferences(text: str) -> str:
    """The folded text without its language-as-a-preference phrases, so the
    language detector doesn't take "a woman who speaks Welsh" as "Welsh please"."""
    return LANGUAGE_PREFERENCE.sub(" ", fold(text))


def read_preferences(text: str) -> list[Preference]:
    folded = fold(text)
    if not WISH.search(folded):
        return []
    found: list[Preference] = []
    woman, man = WOMAN.search(folded), MAN.search(folded)
    if woman and not man:
        found.append(Preference("gender", "woman"))
    elif man and not woman:
        found.append(Preference("gender", "man"))
    for match in LANGUAGE_PREFERENCE.finditer(folded):
        preference = Preference("language", _language_of(match))
        if preference not in found:
            found.append(preference)
    interest = INTEREST.search(text.lower().replace("’", "'"))
    if interest:
        words = FILLER.sub("", (interest.group("en") or interest.group("cy") or "").strip())
        words = words[:MAX_INTEREST_CHARS].strip()
        if words:
            found.append(Preference("interest", words))
    return found


def merge(earlier: list[str] | None, new: list[Preference]) -> list[str]:
    """Entity values, earlier first; a new gender or language replaces the old."""
    replaced = {p.kind for p in new if p.kind != "interest"}
    kept = [v for v in earlier or [] if v.partition(":")[0] not in replaced]
    return kept + [p.as_entity_value() for p in new if p.as_entity_value() not in kept]
