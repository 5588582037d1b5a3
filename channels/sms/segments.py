"""How many SMS segments a text costs, and splitting long replies.

GSM-7 fits 160 characters in one segment (153 each when concatenated); one
character outside it (e.g. Welsh ŵ, ŷ, â, ê, î, ô, û) makes the whole message
UCS-2: 70 characters, 67 when concatenated. We never drop circumflexes to save
segments (Welsh Language Standards: no less favourable treatment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# GSM 03.38 basic character set, and the extension table (each costs 2 septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Encoding:
    name: str
    single: int  # units in a one-segment message
    multi: int  # units per segment when concatenated


GSM7 = Encoding("GSM-7", 160, 153)
UCS2 = Encoding("UCS-2", 70, 67)


def encoding_for(text: str) -> Encoding:
    return GSM7 if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else UCS2


def units(text: str, encoding: Encoding) -> int:
    if encoding is GSM7:
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    # UCS-2 counts UTF-16 code units: an emoji outside the BMP costs two.
    return len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    encoding = encoding_for(text)
    n = units(text, encoding)
    if n <= encoding.single:
        return 1
    return -(-n // encoding.multi)


def split_for_sms(text: str, max_segments: int = 3) -> list[str]:
    """Split text into messages of at most ``max_segments`` segments each,
    at sentence boundaries where possible, never inside a word if avoidable."""
    parts: list[str] = []
    current = ""
    for sentence in (s.strip() for s in SENTENCE_END.split(text.strip())):
        if not sentence:
            continue
        candidate = f"{current} {sentence}".strip() if current else sentence
        if segment_count(candidate) <= max_segments:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        for piece in _split_long_sentence(sentence, max_segments):
            if segment_count(piece) <= max_segments and not current:
                current = piece
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return [part for part in parts if part]


def _split_long_sentence(sentence: str, max_segments: int) -> list[str]:
    if segment_count(sentence) <= max_segments:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for word in sentence.split(" "):
        candidate = f"{current} {word}".strip()
        if current and segment_count(candidate) > max_segments:
            pieces.append(current)
            current = word
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
