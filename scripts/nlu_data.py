"""Brings intent examples from independent writers into the project, and keeps
training and evaluation apart.

    .venv/bin/python -m scripts.nlu_data import DIR NAME VOICE --as training|dev|final
    .venv/bin/python -m scripts.nlu_data clean

``import`` reads a writer's ``DIR/{cy,en}.yml`` (intent -> list of messages)
and writes it in Rasa's format: training data to ``data/nlu/<lang>_<NAME>.yml``,
a development or final set to ``tests/nlu/<dev|final>_<lang>.yml``, with the
writer's voice in the header. Each writer saw only the intents' descriptions
(docs/nlu-writers-brief.md), never another writer's messages.

``clean`` drops, from every training file, repeats and every near-copy of a
message in an evaluation set (held-out, development, final); then, from the
evaluation sets, what training holds word for word (mostly "yes", "diolch":
they test nothing). Same: equal after folding case, accents and punctuation.
Near-copy: a similarity of at least NEAR_COPY (rapidfuzz) between messages of
three words or more.
``tests/nlu/test_nlu_data.py`` checks the result.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.safeguarding.normalise import fold

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "data" / "nlu"
EVALUATION = ROOT / "tests" / "nlu"
EVALUATION_KINDS = ("heldout", "dev", "final")
NEAR_COPY = 90.0
LANGUAGES = ("cy", "en")


def key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def read(path: Path) -> tuple[str, dict[str, list[str]]]:
    """A Rasa NLU file: its header comment and intent -> examples."""
    raw = path.read_text(encoding="utf-8")
    header = "".join(line + "\n" for line in raw.splitlines() if line.startswith("#"))
    data = yaml.safe_load(raw) or {}
    examples: dict[str, list[str]] = {}
    for block in data.get("nlu", []):
        lines = [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip()]
        examples.setdefault(block["intent"], []).extend(lines)
    return header, examples


def write(path: Path, header: str, examples: dict[str, list[str]]) -> None:
    out = [header.rstrip("\n")] if header else []
    out += ['version: "3.1"', "nlu:"]
    for intent, lines in examples.items():
        if not lines:
            continue
        out += [f"- intent: {intent}", "  examples: |"]
        out += [f"    - {line}" for line in lines]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def import_writer(source: Path, name: str, voice: str, kind: str) -> None:
    for language in LANGUAGES:
        messages: dict[str, list[str]] = yaml.safe_load(
            (source / f"{language}.yml").read_text(encoding="utf-8")
        )
        cleaned = {
            intent: [" ".join(str(m).split()) for m in lines if str(m).strip()]
            for intent, lines in messages.items()
        }
        if not any(cleaned.values()):
            continue
        header = f"# Written by {name}: {voice}\n# Imported with scripts/nlu_data.py; never edited by hand.\n"
        target = (
            TRAINING / f"{language}_{name}.yml"
            if kind == "training"
            else EVALUATION / f"{kind}_{language}.yml"
        )
        write(target, header, cleaned)
        print(target.relative_to(ROOT), sum(len(v) for v in cleaned.values()))


def evaluation_files(language: str) -> list[Path]:
    return [p for kind in EVALUATION_KINDS if (p := EVALUATION / f"{kind}_{language}.yml").exists()]


def training_files(language: str) -> list[Path]:
    return sorted(
        p for p in TRAINING.glob("*.yml") if p.name == f"{language}.yml" or p.name.startswith(f"{language}_")
    )


def is_near(text: str, keys: set[str], long_keys: list[str]) -> bool:
    k = key(text)
    if k in keys:
        return True
    if len(k.split()) < 3 or not long_keys:
        return False
    match = process.extractOne(k, long_keys, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
    return match is not None


def everyday_safeguarding_messages(language: str) -> list[str]:
    paths = [
        ROOT / "tests" / kind / f"{kind.split('_')[1]}_{language}.yml"
        for kind in ("safeguarding_dev", "safeguarding_final")
    ]
    return [
        item["text"]
        for path in paths
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []
        if item.get("label") == "none"
    ]


def clean() -> None:
    # Either language's files may hold the other's words (a Welsh "hwyl am y
    # tro" among the English examples), so everything is compared with everything.
    evaluation = [
        m
        for language in LANGUAGES
        for path in evaluation_files(language)
        for lines in read(path)[1].values()
        for m in lines
    ]
    # The safeguarding sets' everyday messages too: the risk classifier
    # learns from these examples (bot/safeguarding/corpus.py).
    evaluation += [m for language in LANGUAGES for m in everyday_safeguarding_messages(language)]
    long_keys = sorted({key(m) for m in evaluation if len(key(m).split()) >= 3})
    trained: set[str] = set()
    for language in LANGUAGES:
        # Training: no repeats, and nothing that copies an evaluation message.
        for path in training_files(language):
            header, examples = read(path)
            kept: dict[str, list[str]] = {}
            dropped = 0
            for intent, lines in examples.items():
                kept[intent] = []
                for line in lines:
                    if key(line) in trained or is_near(line, set(), long_keys):
                        dropped += 1
                        continue
                    trained.add(key(line))
                    kept[intent].append(line)
            write(path, header, kept)
            print(path.relative_to(ROOT), "dropped", dropped, "repeats or near-copies of evaluation messages")
    # Evaluation: what training already holds word for word ("yes", "diolch")
    # tests nothing; each set keeps the rest, overlaps between sets are harmless.
    for language in LANGUAGES:
        for path in evaluation_files(language):
            header, examples = read(path)
            kept = {i: [m for m in lines if key(m) not in trained] for i, lines in examples.items()}
            dropped = sum(len(v) for v in examples.values()) - sum(len(v) for v in kept.values())
            write(path, header, kept)
            print(path.relative_to(ROOT), "dropped", dropped, "that training holds word for word")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "import":
        source, name, voice, _, kind = args
        import_writer(Path(source), name, voice, kind)
    elif command == "clean":
        clean()
    else:
        sys.exit(__doc__)
