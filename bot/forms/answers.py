"""Turns a typed answer into a value, or ``None`` when it can't be read.

Pure functions, no Rasa: the form validation actions (actions/) call them and
the tests (including hypothesis fuzzing) drive them directly. Everything is
read in both languages, whatever the conversation's language, because young
people mix them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.safeguarding.normalise import fold

MAX_FREE_TEXT = 500  # a referral answer longer than this is cut, not refused


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def _phrase_in(text: str, phrases: frozenset[str]) -> bool:
    padded = " " + " ".join(words(text)) + " "
    return any(f" {phrase} " in padded for phrase in phrases)


YES = frozenset(
    "yes y yeah yep yup ya ye yea ok okay k sure aye course definitely please go ahead agree i agree fine "
    "ie iawn do ydw ydy ydi yndw ydyn gwnaf cytuno dwi n cytuno ia ie plis iep siwr wrth gwrs".split()
)
NO = frozenset(
    "no n nope nah na naddo nac nacydw nadw nadi dim na dim diolch no thanks no thank you dont not really "
    "never".split()
)
# Multi-word phrases are checked as phrases; single words as whole words.
NO_PHRASES = frozenset(
    {"no thanks", "no thank you", "dim diolch", "i dont", "dont want", "ddim isio", "ddim eisiau", "dwi ddim"}
)
DONT_KNOW_PHRASES = frozenset(
    {
        "dunno", "dno", "idk", "idek", "dont know", "do not know", "not sure", "no idea", "unsure", "no clue",
        "dim syniad", "dwn i ddim", "dwnim", "sai n gwybod", "sai n gwbod", "ddim yn gwybod", "ddim yn gwbod",
        "ddim yn siwr", "dim yn siwr", "dim clem", "wn i ddim", "sgen i ddim syniad", "sa i n siwr",
    }
)  # fmt: skip
CANCEL_PHRASES = frozenset(
    {
        "cancel", "stop", "stop this", "quit", "exit", "forget it", "forget about it", "never mind", "nevermind",
        "leave it", "i dont want to", "not now", "dont bother", "canslo", "stopio", "anghofia fe", "anghofia fo",
        "anghofia hynny", "gad e", "gad o", "gad hi", "dim nawr", "dim rwan", "dim rŵan",
    }
)  # fmt: skip
# Said around a way out ("nah just forget it", "dim diolch, anghofia fo").
CANCEL_FILLERS = frozenset(
    "nah no na nope ok okay oh um actually just please plis then thanks diolch dim diolch wel well "
    "honestly sorry sori".split()
)
SKIP_PHRASES = frozenset(
    {
        "skip", "pass", "none", "nothing", "no", "nah", "nope", "n a", "na", "no comment", "not really",
        "dim", "dim byd", "sgip", "neidio", "hepgor", "dim sylw", "dim diolch", "no thanks", "nothing else",
    }
)  # fmt: skip


def is_dont_know(text: str) -> bool:
    return _phrase_in(text, DONT_KNOW_PHRASES) or fold(text).strip(" ?.!") in {"?", "??", "idk", "dunno"}


def is_cancel(text: str) -> bool:
    """A way out as the whole answer, give or take "nah"/"just"/"dim diolch"
    ("nah forget it"), but not an answer that mentions it ("stop seeing my IV")."""
    tokens = words(text)
    n = len(tokens)
    lead = next((i for i, t in enumerate(tokens) if t not in CANCEL_FILLERS), n)
    trail = next((n - i for i, t in enumerate(reversed(tokens)) if t not in CANCEL_FILLERS), 0)
    return any(
        " ".join(tokens[i:j]) in CANCEL_PHRASES
        for i in range(lead + 1)
        for j in range(max(i + 1, trail), n + 1)
    )


def is_skip(text: str) -> bool:
    return " ".join(words(text)) in SKIP_PHRASES or fold(text).strip() in {"-", "x", "0"}


# Neither yes nor no, whatever the classifier thinks.
UNSURE_WORDS = frozenset("maybe perhaps possibly probably dunno unsure efallai falle ella hwyrach".split())


def parse_yes_no(text: str, intent: str | None = None) -> bool | None:
    """True for yes, False for no, None when unclear ("maybe", "dunno")."""
    if any(word in UNSURE_WORDS for word in words(text)) or is_dont_know(text):
        return None
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    tokens = words(text)
    if not tokens or is_dont_know(text):
        return None
    if _phrase_in(text, NO_PHRASES):
        return False
    first = tokens[0]
    if first in NO or (len(tokens) > 1 and " ".join(tokens[:2]) in NO):
        return False
    if first in YES or " ".join(tokens[:2]) in YES:
        return True
    if len(tokens) <= 4 and any(t in YES for t in tokens) and not any(t in NO for t in tokens):
        return True
    return None


# --- Ages -------------------------------------------------------------------

EN_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
}  # fmt: skip
# Welsh, traditional (vigesimal) and decimal counting, with the mutations an
# age usually takes ("dwi'n dair ar ddeg", "yn bymtheg", "yn ddeunaw").
CY_NUMBERS = {
    "un": 1, "dau": 2, "dwy": 2, "ddau": 2, "ddwy": 2, "tri": 3, "tair": 3, "dair": 3, "pedwar": 4,
    "bedwar": 4, "pedair": 4, "bedair": 4, "pump": 5, "bump": 5, "pum": 5, "chwech": 6, "chwe": 6,
    "saith": 7, "wyth": 8, "naw": 9, "deg": 10, "ddeg": 10, "un ar ddeg": 11, "deuddeg": 12,
    "ddeuddeg": 12, "tri ar ddeg": 13, "tair ar ddeg": 13, "dair ar ddeg": 13, "pedwar ar ddeg": 14,
    "bedwar ar ddeg": 14, "pedair ar ddeg": 14, "bedair ar ddeg": 14, "pymtheg": 15, "bymtheg": 15,
    "un ar bymtheg": 16, "dau ar bymtheg": 17, "ddau ar bymtheg": 17, "dwy ar bymtheg": 17,
    "ddwy ar bymtheg": 17, "deunaw": 18, "ddeunaw": 18, "pedwar ar bymtheg": 19, "bedwar ar bymtheg": 19,
    "ugain": 20, "un ar hugain": 21, "dau ar hugain": 22, "ddau ar hugain": 22, "tri ar hugain": 23,
    "dri ar hugain": 23, "pedwar ar hugain": 24, "bedwar ar hugain": 24, "pump ar hugain": 25,
    "bump ar hugain": 25,
}  # fmt: skip
CY_DECIMAL = re.compile(r"\b(un|dau|ddau)\s+deg(?:\s+(\w+))?\b")
PLAUSIBLE_AGE = range(3, 31)


# "10 nearly 11", "deg, bron yn un ar ddeg", "going on 12": the age now is the
# number before the word, or one less than the number after it.
NEARLY = re.compile(
    r"\b(?:nearly|nerly|neerly|nearley|nrly|almost|allmost|amost|going on|goin on|bron iawn yn|bron yn|bron)\b"
)
# "10, 11 next month": the number beside a birthday to come is not the age now.
SOON = re.compile(
    r"\b(?:next|soon|in (?:a|two|2) (?:weeks?|months?)|on my (?:birthday|bday)|nesa|nesaf|cyn bo hir)\b"
)


def parse_age(text: str) -> int | None:
    """An age from "13", "I'm 13", "thirteen", "twenty one", "tair ar ddeg",
    "un deg tri", "10 nearly 11"; None for anything else or an implausible
    number."""
    folded = " ".join(words(text))
    nearly = NEARLY.search(folded)
    if nearly:
        before, after = _age_in(folded[: nearly.start()]), _age_in(folded[nearly.end() :])
        if before is not None:
            return before
        if after is not None and after - 1 in PLAUSIBLE_AGE:
            return after - 1
    numbers = [int(n) for n in re.findall(r"\b\d{1,3}\b", folded)]
    if len(numbers) == 2 and numbers[1] == numbers[0] + 1 and SOON.search(folded):
        return numbers[0] if numbers[0] in PLAUSIBLE_AGE else None
    return _age_in(folded)


def _age_in(folded: str) -> int | None:
    numbers = [int(n) for n in re.findall(r"\b\d{1,3}\b", folded)]
    if len(numbers) == 1:
        return numbers[0] if numbers[0] in PLAUSIBLE_AGE else None
    if numbers:
        return None  # "13 or 14": ask again rather than guess
    decimal = CY_DECIMAL.search(folded)
    if decimal:
        tens = 1 if decimal.group(1) == "un" else 2
        unit = CY_NUMBERS.get(decimal.group(2) or "", 0) if decimal.group(2) else 0
        value = tens * 10 + (unit if unit < 10 else 0)
        return value if value in PLAUSIBLE_AGE else None
    for phrase in sorted(CY_NUMBERS, key=len, reverse=True):
        if re.search(rf"\b{phrase}\b", folded):
            value = CY_NUMBERS[phrase]
            return value if value in PLAUSIBLE_AGE else None
    tokens = folded.split()
    for i, token in enumerate(tokens):
        if token in EN_NUMBERS:
            value = EN_NUMBERS[token]
            if value >= 20 and i + 1 < len(tokens) and tokens[i + 1] in EN_NUMBERS:
                value += EN_NUMBERS[tokens[i + 1]] if EN_NUMBERS[tokens[i + 1]] < 10 else 0
            return value if value in PLAUSIBLE_AGE else None
    return None


# --- Choices ----------------------------------------------------------------


def parse_choice(text: str, options: Mapping[str, frozenset[str]]) -> str | None:
    """The option a reply names: its number in the list ("2"), or one of its
    words or phrases, in either language. None if none or several match."""
    tokens = words(text)
    if not tokens:
        return None
    if len(tokens) <= 2 and tokens[0].isdigit():
        index = int(tokens[0]) - 1
        names = list(options)
        return names[index] if 0 <= index < len(names) else None
    padded = " " + " ".join(tokens) + " "
    found = {name for name, phrases in options.items() if any(f" {p} " in padded for p in phrases)}
    return found.pop() if len(found) == 1 else None


CARE_STATUS = {
    "in_care": frozenset(
        ["in care", "foster", "fostered", "foster care", "foster carers", "childrens home", "looked after",
         "kinship", "residential", "carers", "lac", "mewn gofal", "maeth", "gofal maeth", "teulu maeth",
         "cartref plant", "gofalwyr", "gofalwr", "yn cael fy maethu"]
    ),
    "care_leaver": frozenset(
        ["care leaver", "left care", "leaving care", "leaver", "pathway plan", "personal adviser",
         "personal advisor", "pa", "when im ready", "gadael gofal", "wedi gadael", "gadawr gofal",
         "wedi gadael gofal", "cynllun llwybr", "cynghorydd personol", "pan fydda i n barod",
         "used to be in care", "was in care", "arfer bod mewn gofal", "roeddwn i mewn gofal"]
    ),
    "not_sure": DONT_KNOW_PHRASES | frozenset(["other", "arall", "neither", "dim un"]),
}  # fmt: skip

CONTACT_METHOD = {
    "chat": frozenset(
        ["here", "this chat", "chat", "message", "messages", "text", "texts", "txt", "telegram", "sms",
         "yma", "neges", "negeseuon", "tecst", "testun", "fan hyn", "fama", "yn y sgwrs"]
    ),
    "phone": frozenset(
        ["phone", "call", "ring", "phone call", "phonecall", "ffonio", "ffon", "galwad", "galw", "ffonia"]
    ),
    "via_adult": frozenset(
        ["social worker", "carer", "foster carer", "through my carer", "via my carer", "sw", "keyworker",
         "key worker", "personal adviser", "gweithiwr cymdeithasol", "gofalwr", "gofalwraig", "gofalwyr",
         "trwy fy ngofalwr", "drwy fy ngofalwr", "gweithiwr"]
    ),
}  # fmt: skip

FEEDBACK_ABOUT = {
    "match": frozenset(
        ["my iv", "iv", "match", "visits", "visitor", "fy iv", "ymwelydd", "ymweliadau", "paru"]
    ),
    "service": frozenset(
        ["service", "the service", "you", "team", "gwasanaeth", "y gwasanaeth", "tim", "chi"]
    ),
}
COMPLAINT_ABOUT = {
    "iv": frozenset(["my iv", "iv", "visitor", "fy iv", "ymwelydd", "volunteer", "gwirfoddolwr"]),
    "service": frozenset(["service", "the service", "team", "coordinator", "gwasanaeth", "tim", "cydlynydd"]),
    "other": frozenset(["other", "something else", "arall", "rhywbeth arall", "this chat", "the bot", "bot"]),
}

# --- Ratings ----------------------------------------------------------------

RATING_WORDS = {
    1: ["terrible", "awful", "rubbish", "hate it", "bad", "really bad", "ofnadwy", "gwael", "sbwriel", "drwg", "crap", "shit"],
    2: ["not good", "not great", "meh", "poor", "ddim yn dda", "ddim yn grêt", "ddim yn wych", "boring", "diflas"],
    3: ["ok", "okay", "alright", "fine", "not bad", "so so", "iawn", "ddim yn ddrwg", "go lew", "canolig", "ocê"],
    4: ["good", "pretty good", "nice", "dda", "da", "eitha da", "neis", "cool"],
    5: ["great", "amazing", "brilliant", "love it", "excellent", "perfect", "grêt", "gwych", "ardderchog", "ffantastig", "anhygoel", "briliant", "wych", "best"],
}  # fmt: skip
RATING_EMOJI = {"😡": 1, "😠": 1, "😢": 1, "😞": 2, "🙁": 2, "😐": 3, "🙂": 4, "😊": 4, "😀": 5, "😁": 5, "😍": 5, "🤩": 5, "👍": 4, "👎": 2, "❤️": 5, "⭐⭐⭐⭐⭐": 5}  # fmt: skip


def parse_rating(text: str) -> int | None:
    """A 1–5 rating from a digit, "4/5", stars, an emoji or a word."""
    stars = text.count("⭐") or text.count("*")
    if 1 <= stars <= 5 and not re.search(r"[0-9a-zA-Z]", text):
        return stars
    for emoji, value in RATING_EMOJI.items():
        if emoji in text:
            return value
    numbers = re.findall(r"\b\d+\b", fold(text))
    if numbers:
        value = int(numbers[0])
        return value if 1 <= value <= 5 else None
    padded = " " + " ".join(words(text)) + " "
    # Longest phrase first, so "not good" wins over "good".
    candidates = sorted(((p, v) for v, ps in RATING_WORDS.items() for p in ps), key=lambda pv: -len(pv[0]))
    for phrase, value in candidates:
        if f" {' '.join(words(phrase))} " in padded:
            return value
    return None


def free_text(text: str, limit: int = MAX_FREE_TEXT) -> str | None:
    """A name, interests or a comment: trimmed, at most ``limit`` characters;
    None for an empty or a symbols-only answer."""
    cleaned = " ".join(text.split())
    if not re.search(r"\w", cleaned):
        return None
    return cleaned[:limit]


NAME_PREFIXES = re.compile(
    r"^(?:(?:hi|hiya|helo|shwmae)[,!]?\s+)?(?:my name is|my names|my name's|name's|im|i'm|i am|call me|it's|its|"
    r"fy enw i yw|fy enw i ydy|fy enw yw|fy enw ydy|enw fi yw|enw fi ydy|dwi'n|dw i'n|galwa fi'n|galwch fi'n)\s+",
    re.IGNORECASE,
)
MAX_NAME = 40


def parse_name(text: str) -> str | None:
    """A first name or nickname: "Sam", "I'm Sam", "fy enw i yw Siôn"."""
    cleaned = free_text(text, limit=200)
    if cleaned is None or is_dont_know(cleaned):
        return None
    cleaned = NAME_PREFIXES.sub("", cleaned).strip(" .!,")
    if not cleaned or len(cleaned) > MAX_NAME or not re.search(r"[^\W\d_]", cleaned):
        return None
    if len(cleaned.split()) > 4:
        return None  # a sentence, not a name: ask again
    return cleaned
