"""Welsh initial mutations, so a lexicon written in radical forms also
matches mutated words (cam-drin: gam-drin, ngham-drin, cham-drin)."""

from __future__ import annotations

# radical initial -> its soft, nasal and aspirate forms
MUTATIONS: dict[str, tuple[str, ...]] = {
    "c": ("g", "ngh", "ch"),
    "p": ("b", "mh", "ph"),
    "t": ("d", "nh", "th"),
    "b": ("f", "m"),
    "d": ("dd", "n"),
    "g": ("", "ng"),
    "m": ("f",),
    "ll": ("l",),
    "rh": ("r",),
}
VOWELS = "aeiouwyâêîôûŵŷ"


def mutations(word: str) -> set[str]:
    """The word and every mutated form of it (including h- before a vowel)."""
    forms = {word}
    lowered = word.lower()
    for radical in ("ll", "rh", *[k for k in MUTATIONS if len(k) == 1]):
        if lowered.startswith(radical):
            forms.update(mutated + word[len(radical) :] for mutated in MUTATIONS[radical])
            break
    if lowered[:1] in VOWELS:
        forms.add("h" + word)
    return {form for form in forms if form}
