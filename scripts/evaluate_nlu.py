"""Intent accuracy and macro-F1 per language on the evaluation sets.

    make evaluate                                   # held-out and development sets
    .venv/bin/python -m scripts.evaluate_nlu final   # the final test set: once per release

Writes reports/nlu-<set>.{json,md}. Each set (tests/nlu/<set>_{cy,en}.yml) was
written by its own writer, who never saw the training data
(docs/nlu-writers-brief.md); none is trained on. Choices are made on the
development set only. A message that falls back (``nlu_fallback``) counts as
wrong.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu"
REPORTS = ROOT / "reports"


def load_heldout(language: str, kind: str = "heldout") -> list[tuple[str, str]]:
    data = yaml.safe_load((HELDOUT / f"{kind}_{language}.yml").read_text(encoding="utf-8"))
    return [
        (line.strip()[2:].strip(), block["intent"])
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip()
    ]


async def predict(agent: Any, texts: list[str]) -> list[str]:
    return [(await agent.parse_message(text))["intent"]["name"] for text in texts]


# A prediction that is an equally good answer counts as right (for every model
# scored): "can I have a woman IV?" (ask_rights) answered by recording the wish
# ("noted; we try, but can't always promise") answers the question too.
EQUALLY_GOOD = {("ask_rights", "state_preference")}


def as_scored(gold: list[str], predicted: list[str]) -> list[str]:
    return [g if (g, p) in EQUALLY_GOOD else p for g, p in zip(gold, predicted, strict=True)]


def score(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    strict = round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4)
    predicted = as_scored(gold, predicted)
    labels = sorted(set(gold))
    confused: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g != p:
            confused[tuple(sorted((g, p)))] += 1  # type: ignore[index]
    return {
        "examples": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4),
        "strict_accuracy": strict,
        "macro_f1": round(
            float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)), 4
        ),
        "fallbacks": sum(p == "nlu_fallback" for p in predicted),
        "most_confused": [{"pair": list(pair), "errors": n} for pair, n in confused.most_common(10)],
        "per_intent": {
            label: round(
                sum(g == p == label for g, p in zip(gold, predicted, strict=True))
                / max(1, gold.count(label)),
                3,
            )
            for label in labels
        },
    }


def evaluate(
    agent: Any, loop: asyncio.AbstractEventLoop | None = None, kind: str = "heldout"
) -> dict[str, Any]:
    loop = loop or asyncio.new_event_loop()
    report: dict[str, Any] = {}
    for language in ("cy", "en"):
        examples = load_heldout(language, kind)
        predicted = loop.run_until_complete(predict(agent, [text for text, _ in examples]))
        report[language] = score([intent for _, intent in examples], predicted)
        report[language]["errors"] = [
            {"text": text, "gold": gold, "predicted": p}
            for (text, gold), p in zip(examples, as_scored([g for _, g in examples], predicted), strict=True)
            if gold != p
        ]
    return report


NOTE = (
    "\nStrict: the gold intent only. Accuracy also counts an equally good answer "
    "(`EQUALLY_GOOD` in scripts/evaluate_nlu.py: ask_rights answered by recording the wish).\n"
)


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| language | examples | accuracy | strict | macro-F1 | fallbacks | most confused pairs |",
        "|---|---|---|---|---|---|---|",
    ]
    for language, r in report.items():
        pairs = "; ".join(
            f"{a} / {b} ({c['errors']})" for c in r["most_confused"][:3] for a, b in [c["pair"]]
        )
        lines.append(
            f"| {language} | {r['examples']} | {r['accuracy']:.3f} | {r['strict_accuracy']:.3f} | {r['macro_f1']:.3f} "
            f"| {r['fallbacks']} | {pairs} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent

    from bot.nlg import LocaleNLG
    from bot.training import ensure_model
    from scripts.quiet import quiet_rasa

    quiet_rasa()
    agent = Agent.load(str(ensure_model()), generator=LocaleNLG())
    REPORTS.mkdir(exist_ok=True)
    for kind in sys.argv[1:] or ["heldout", "dev"]:
        report = evaluate(agent, kind=kind)
        (REPORTS / f"nlu-{kind}.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        (REPORTS / f"nlu-{kind}.md").write_text(
            f"# Intents on the {kind} set\n\n" + markdown(report) + NOTE, encoding="utf-8"
        )
        print(kind)
        print(markdown(report))


if __name__ == "__main__":
    main()
