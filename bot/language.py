"""Which language a young person is writing in, and which one they ask for.

Texting-style messages are short, so a general detector alone misjudges them
(see NOTES.md: pycld2 catches 42 of 50 Welsh texts). We vote with words that
are almost only ever Welsh or only ever English, and let pycld2 break ties.
A guess is *clear* only with a margin; a short "ok" or "diolch" keeps the
conversation's language. Language detection never gates safeguarding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import pycld2

from bot.forms.preferences import without_language_preferences
from bot.settings import Language

# Words common in young people's Welsh texts that are not English words.
WELSH_MARKERS = frozenset(
    """
    yn yr mae ma dwi dw wi ti chi fy ydw yndw odw ydy ydi yw oes oedd beth be pam
    sut ble lle pwy faint pryd gyda efo gyd ac neu ond achos ga gai gallu galla
    gallai gall gei cei isio eisiau isie moyn mo'yn angen diolch diolchs helo
    shwmae shwmai sumae su'mae smae hwyl iawn ie ia naddo nage dim ddim gen gin
    genna gennai wedi wnes nes sa sai bod fod nhw fe fo ei eu ein mewn efallai
    falle hefyd rwan rŵan nawr heddiw fory yfory pryd cymraeg gymraeg saesneg
    ymwelydd ymwelwyr annibynnol gweithiwr cymdeithasol gofal plentyn plant ffrind
    ffrindiau teulu cartref ysgol gwybod gwbod siarad helpu help plis plîs os
    gwelwch gweld dweud deud meddwl teimlo hoffi licio isho ydyn ydych dach dan
    chdi chi'n ti'n dwi'n wi'n fi'n i'n mae'n ma'n fi mi sy sydd ddim yn rhaid
    raid gael cael cael gael pethau peth rhywun rhywbeth pawb neb gweithio
    newyddion newid stopio cwyno cwyn cyfrinachol preifat pwy di be'di beth yw
    faint gwaith nos bore prynhawn da dda drwg ofn trist hapus blin gweud gwed
    hi'n o'n nhad mam mrawd chwaer maeth maethu gofalwr gofalwyr sori plîs
    ar wrth dros heb gan tan rhwng dal aros ateb rhoi rho lawr fyny mynd fynd
    dod dewch gwneud neud wneud cofio gallwn gawn cawn allai fedra fedri medru
    dwisho gwrs cywir nagw nagoes naddo iep ydach ydyn chdi'n hwn hon hyn rhain
    gore gorau gwell mwy llai llawer lot eto byth erioed weithiau pnawn prynhawn
    """.split()
) - {"help", "da", "os", "fi", "mi", "dan"}

ENGLISH_MARKERS = frozenset(
    """
    the is are was were what whats what's how can could i'm im my you your u ur do
    does did want wanna gonna have has get got when where who why with and of to it
    this that please pls plz thanks thank thx yes yeah yep no nope not dont don't
    will would should be me about an visitor visitors independent worker social care
    hello hey hiya sorry know talk speak tell someone somebody person real there
    they them he she her his him if just like really much need anyone any news
    still keep leave leaving left turned turning old year years feel feeling home
    school friend friends family carer foster mum dad brother sister scared sad
    happy angry stop change complain complaint private secret data delete
    alright sup bye cya night morning evening sure definitely correct cheers
    thankyou what's where's who's there's it's that's i'll i've i'd can't won't
    should've going doing being been something anything nothing everything
    """.split()
)

WELSH_LETTERS = re.compile(r"[ŵŷâêîôûŴŶÂÊÎÔÛ]")
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)

# Names of the two languages as young people write them (incl. mutations).
ASKS_FOR_WELSH = re.compile(r"\b(welsh|wlesh|cymraeg|gymraeg|nghymraeg|chymraeg|cymrag|gymrag|cymraes)\b")
ASKS_FOR_ENGLISH = re.compile(r"\b(english|englis|inglish|eng|saesneg|saesnag|susneg|sisneg|seisnig)\b")

CLEAR_MARGIN = 2
CLD2_MIN_WORDS = 6


@dataclass(frozen=True)
class Detection:
    language: Language | None
    """The best guess, or None if the text has no evidence at all (e.g. "👍")."""
    clear: bool
    """True when the evidence is strong enough to set the conversation's language."""


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


@cache
def _folded(markers: frozenset[str]) -> frozenset[str]:
    return frozenset(_fold(m) for m in markers)  # once per marker list, not per message


def _score(words: list[str], markers: frozenset[str]) -> int:
    folded = _folded(markers)
    return sum(1 for w in words if w in markers or _fold(w) in folded)


def _cld2_guess(text: str) -> tuple[Language | None, bool]:
    try:
        reliable, _, details = pycld2.detect(text)
    except pycld2.error:  # invalid UTF-8 from a broken client
        return None, False
    for _name, code, _percent, _score in details:
        if code in ("cy", "en"):
            return code, bool(reliable)
    return None, False


def detect(text: str) -> Detection:
    words = _words(text)
    welsh = _score(words, WELSH_MARKERS) + 2 * len(WELSH_LETTERS.findall(text))
    english = _score(words, ENGLISH_MARKERS)
    if welsh != english:
        winner: Language = "cy" if welsh > english else "en"
        return Detection(winner, clear=abs(welsh - english) >= CLEAR_MARGIN)
    guess, reliable = _cld2_guess(text)
    # pycld2 alone is unsure on short texts: trust it only on longer ones.
    return Detection(guess, clear=reliable and len(words) >= CLD2_MIN_WORDS and guess is not None)


def requested_language(text: str) -> Language | None:
    """The language a message names ("Cymraeg plis" -> cy), if it names just
    one, and not as a wish about the IV ("a woman who speaks Welsh")."""
    lowered = without_language_preferences(text)
    welsh, english = bool(ASKS_FOR_WELSH.search(lowered)), bool(ASKS_FOR_ENGLISH.search(lowered))
    if welsh == english:
        return None
    return "cy" if welsh else "en"


def conversation_language(slots: Mapping[str, Any]) -> Language | None:
    """The language to reply in: the one asked for, else the one detected."""
    for slot in ("language", "detected_language"):
        value = slots.get(slot)
        if value in ("cy", "en"):
            return cast(Language, value)
    return None
