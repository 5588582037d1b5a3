"""Safeguarding detector: recall per category and language, and the
false-escalation rate on hard negatives.

    make evaluate-safeguarding          # writes reports/safeguarding.{json,md}

Sets: tests/safeguarding/eval_{cy,en}.yml (used while writing the lexicon,
so optimistic) and tests/safeguarding_blind/blind_{cy,en}.yml (written
separately and never used to tune: the honest figure).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from bot.safeguarding.detector import categories

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "eval": ROOT / "tests" / "safeguarding" / "eval_{language}.yml",
    "blind": ROOT / "tests" / "safeguarding_blind" / "blind_{language}.yml",
}
REPORTS = ROOT / "reports"


def load(set_name: str, language: str) -> list[dict[str, str]]:
    path = Path(str(SETS[set_name]).format(language=language))
    cases: list[dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return cases


def score(cases: list[dict[str, str]], detect: Any = categories) -> dict[str, Any]:
    total: Counter[str] = Counter()
    escalated: Counter[str] = Counter()
    same_category: Counter[str] = Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    false_escalations: list[dict[str, Any]] = []
    for case in cases:
        label, found = case["category"], detect(case["text"])
        total[label] += 1
        if label == "none":
            if found:
                false_escalations.append({"text": case["text"], "found": found})
            continue
        if found:
            escalated[label] += 1
            same_category[label] += label in found
        else:
            misses[label].append(case["text"])
    positives = sum(n for label, n in total.items() if label != "none")
    return {
        "recall": round(sum(escalated.values()) / positives, 4) if positives else None,
        "positives": positives,
        "per_category": {
            label: {
                "recall": round(escalated[label] / n, 4),
                "same_category": round(same_category[label] / n, 4),
                "n": n,
            }
            for label, n in sorted(total.items())
            if label != "none"
        },
        "hard_negatives": total["none"],
        "false_escalation_rate": round(len(false_escalations) / total["none"], 4) if total["none"] else None,
        "false_escalations": false_escalations,
        "misses": dict(misses),
    }


def evaluate(set_name: str, detect: Any = categories) -> dict[str, Any]:
    return {language: score(load(set_name, language), detect) for language in ("cy", "en")}


def pipeline_detect(agent: Any) -> Any:
    """What the whole NLU pipeline escalates: the detector, or the classifier's
    own safeguarding_concern (the second net)."""
    import asyncio

    loop = asyncio.new_event_loop()

    def detect(text: str) -> list[str]:
        parsed = loop.run_until_complete(agent.parse_message(text))
        if parsed["intent"]["name"] != "safeguarding_concern":
            return []
        return parsed.get("safeguarding", {}).get("categories") or ["classifier"]

    return detect


def markdown(name: str, report: dict[str, Any]) -> str:
    categories_ = sorted(report["en"]["per_category"])
    lines = [f"### {name}", "", "| category | cy recall | en recall |", "|---|---|---|"]
    for category in categories_:
        cy, en = report["cy"]["per_category"][category], report["en"]["per_category"][category]
        lines.append(f"| {category} | {cy['recall']:.2f} ({cy['n']}) | {en['recall']:.2f} ({en['n']}) |")
    lines.append(f"| **all** | **{report['cy']['recall']:.3f}** | **{report['en']['recall']:.3f}** |")
    lines.append(
        f"| false escalations on hard negatives | {report['cy']['false_escalation_rate']:.3f} "
        f"({len(report['cy']['false_escalations'])}/{report['cy']['hard_negatives']}) | "
        f"{report['en']['false_escalation_rate']:.3f} "
        f"({len(report['en']['false_escalations'])}/{report['en']['hard_negatives']}) |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    import os

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent

    from bot.training import ensure_model
    from scripts.quiet import quiet_rasa

    quiet_rasa()
    REPORTS.mkdir(exist_ok=True)
    reports = {f"detector, {name} set": evaluate(name) for name in SETS}
    pipeline = pipeline_detect(Agent.load(str(ensure_model())))
    reports.update(
        {
            f"whole NLU pipeline (detector or classifier), {name} set": evaluate(name, pipeline)
            for name in SETS
        }
    )
    (REPORTS / "safeguarding.json").write_text(
        json.dumps(reports, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    text = "\n".join(markdown(name, report) for name, report in reports.items())
    (REPORTS / "safeguarding.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
