"""Safeguarding triage, per language and category: recall by level, false
urgent and any-level rates on hard negatives, and the check-in's answers.

    make evaluate-safeguarding          # writes reports/safeguarding.{json,md}

Sets (each from its own writer, none of whom saw another's files;
bot/safeguarding/corpus/README.md):
- development (tests/safeguarding_dev/): every choice was made on it;
- final (tests/safeguarding_final/): scored once, never used to choose;
  its texts are kept out of the report;
- earlier blind and lexicon sets (tests/safeguarding_blind/,
  tests/safeguarding/): the previous releases' sets, kept as another view.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.safeguarding.corpus import CheckInAnswer, Labelled, LabelledSet, load_file

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
LANGUAGES = ("cy", "en")
SETS = {
    "development": ROOT / "tests" / "safeguarding_dev" / "dev_{language}.yml",
    "final": ROOT / "tests" / "safeguarding_final" / "final_{language}.yml",
    "earlier blind": ROOT / "tests" / "safeguarding_blind" / "blind_{language}.yml",
    "earlier lexicon": ROOT / "tests" / "safeguarding" / "eval_{language}.yml",
}
PRIVATE_SETS = {"final"}  # figures only: nobody tunes to its texts

# text -> (level, categories); after_check_in: the text answers "are you safe right now?"
Classify = Callable[[str, bool], tuple[str, list[str]]]


def load(set_name: str, language: str) -> LabelledSet:
    path = Path(str(SETS[set_name]).format(language=language))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "items" in data:
        return load_file(path)
    # The earlier sets' shape: a category, "none" for hard negatives; no explicit flag.
    items = [
        Labelled(c["text"], language, c["category"] != "none", False, c["category"], "", path.stem)
        for c in data["cases"]
    ]
    return LabelledSet(items, [])


def _rate(hits: int, n: int) -> float | None:
    return round(hits / n, 4) if n else None


def _count(counts: Counter[str], level: str, prefix: str = "") -> None:
    counts[prefix + "n"] += 1
    counts[prefix + "any"] += level != "none"
    counts[prefix + "urgent"] += level == "urgent"


def score(labelled: LabelledSet, classify: Classify, keep_texts: bool = True) -> dict[str, Any]:
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    explicit_not_urgent: list[str] = []
    totals: Counter[str] = Counter()
    for item in labelled.items:
        level, found = classify(item.text, False)
        if item.concern:
            _count(by_category[item.category or "?"], level)
            _count(totals, level, prefix="concern_")
            if item.explicit:
                totals["explicit"] += 1
                totals["explicit_urgent"] += level == "urgent"
                if level != "urgent":
                    explicit_not_urgent.append(item.text)
            if level == "none":
                misses.append({"text": item.text, "category": item.category, "kind": item.kind})
        else:
            _count(by_kind[item.kind or "?"], level)
            _count(totals, level, prefix="negative_")
            if level != "none":
                false_alarms.append({"text": item.text, "kind": item.kind, "level": level, "found": found})
    answers = score_check_in(labelled.check_in_answers, classify)
    report: dict[str, Any] = {
        "concerns": totals["concern_n"],
        "recall_any_level": _rate(totals["concern_any"], totals["concern_n"]),
        "recall_urgent": _rate(totals["concern_urgent"], totals["concern_n"]),
        "explicit": totals["explicit"],
        "explicit_urgent": _rate(totals["explicit_urgent"], totals["explicit"]),
        "hard_negatives": totals["negative_n"],
        "false_urgent_rate": _rate(totals["negative_urgent"], totals["negative_n"]),
        "any_level_rate_on_negatives": _rate(totals["negative_any"], totals["negative_n"]),
        "per_category": {
            c: {"n": v["n"], "any_level": _rate(v["any"], v["n"]), "urgent": _rate(v["urgent"], v["n"])}
            for c, v in sorted(by_category.items())
        },
        "negatives_per_kind": {
            k: {"n": v["n"], "any_level": _rate(v["any"], v["n"]), "urgent": _rate(v["urgent"], v["n"])}
            for k, v in sorted(by_kind.items())
        },
        "check_in_answers": answers["figures"],
    }
    if keep_texts:
        report |= {
            "misses": misses,
            "false_alarms": false_alarms,
            "explicit_not_urgent": explicit_not_urgent,
            "check_in_misread": answers["misread"],
        }
    return report


def score_check_in(answers: list[CheckInAnswer], classify: Classify) -> dict[str, Any]:
    unsafe = [a for a in answers if not a.safe]
    safe = [a for a in answers if a.safe]
    misread = []
    urgent_when_unsafe = 0
    calm_when_safe = 0
    for answer in answers:
        level, _ = classify(answer.text, True)
        right = level == "urgent" if not answer.safe else level == "none"
        urgent_when_unsafe += right and not answer.safe
        calm_when_safe += right and answer.safe
        if not right:
            misread.append({"text": answer.text, "safe": answer.safe, "level": level})
    return {
        "figures": {
            "not_safe": len(unsafe),
            "not_safe_read_as_urgent": _rate(urgent_when_unsafe, len(unsafe)),
            "safe": len(safe),
            "safe_read_as_safe": _rate(calm_when_safe, len(safe)),
        },
        "misread": misread,
    }


def pipeline_classifier(agent: Any) -> Classify:
    """What the trained model's whole NLU pipeline decides. A check-in answer
    is parsed with a tracker whose last bot message is the check-in, as in a
    real conversation."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.nlg import TEXT_KEY
    from bot.nlu.safeguarding_triage import CHECK_IN_KEY

    loop = asyncio.new_event_loop()

    def classify(text: str, after_check_in: bool) -> tuple[str, list[str]]:
        events = [BotUttered("…", metadata={TEXT_KEY: CHECK_IN_KEY})] if after_check_in else []
        tracker = DialogueStateTracker.from_events("evaluation", events)
        parsed = loop.run_until_complete(agent.processor.parse_message(UserMessage(text), tracker))
        found = parsed.get("safeguarding") or {}
        if "level" not in found:  # a model without triage: its classifier's intent pages
            is_concern = (parsed.get("intent") or {}).get("name") == "safeguarding_concern"
            return ("urgent" if is_concern else "none"), []
        return found["level"], list(found.get("categories") or [])

    return classify


def triage_latency() -> dict[str, Any]:
    """Lexicon, misspellings, risk classifier and cues for one message, in
    milliseconds, over the development messages: the component's own code,
    trained the same way ``rasa train`` trains it."""
    import statistics
    import time

    from bot.nlu.safeguarding_triage import SafeguardingTriage
    from bot.safeguarding.corpus import ordinary_messages, training_corpus
    from bot.safeguarding.risk_model import RiskModel
    from bot.safeguarding.spelling import known_words
    from bot.safeguarding.triage import Thresholds, assess

    config = SafeguardingTriage.get_default_config() | _configured_triage()
    corpus = training_corpus()
    model = RiskModel(c=float(config["c"])).fit(corpus.items, ordinary_messages())
    known = known_words(ordinary_messages() + [i.text for i in corpus.items if not i.concern])
    thresholds = Thresholds(
        float(config["concern_threshold"]),
        float(config["urgent_threshold"]),
        int(config["concerns_for_urgent"]),
    )
    texts = [i.text for language in LANGUAGES for i in load("development", language).items]
    assess(texts[0], model=model, thresholds=thresholds, known_words=known)  # warm up
    times = []
    for text in texts:
        start = time.perf_counter()
        assess(text, model=model, thresholds=thresholds, known_words=known)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "messages": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * len(times))], 2),
    }


def _configured_triage() -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"].endswith("SafeguardingTriage"):
            return {k: v for k, v in component.items() if k != "name"}
    return {}


def evaluate(classify: Classify, sets: tuple[str, ...] = tuple(SETS)) -> dict[str, Any]:
    return {
        name: {
            language: score(load(name, language), classify, keep_texts=name not in PRIVATE_SETS)
            for language in LANGUAGES
        }
        for name in sets
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def markdown(report: dict[str, Any]) -> str:
    lines = ["# Safeguarding triage", ""]
    for name, by_language in report.items():
        cy, en = by_language["cy"], by_language["en"]
        lines += [f"## {name} set", "", "| measure | cy | en |", "|---|---|---|"]
        for label, key in (
            ("concerns (n)", "concerns"),
            ("recall, urgent or concern", "recall_any_level"),
            ("recall, urgent", "recall_urgent"),
            ("explicit disclosures (n)", "explicit"),
            ("explicit disclosures urgent", "explicit_urgent"),
            ("hard negatives (n)", "hard_negatives"),
            ("false urgent on hard negatives", "false_urgent_rate"),
            ("any level on hard negatives", "any_level_rate_on_negatives"),
        ):
            a, b = cy[key], en[key]
            lines.append(
                f"| {label} | {a if isinstance(a, int) else _fmt(a)} | {b if isinstance(b, int) else _fmt(b)} |"
            )
        ci_cy, ci_en = cy["check_in_answers"], en["check_in_answers"]
        if ci_cy["not_safe"] or ci_en["not_safe"]:
            lines.append(
                f'| check-in: "not safe" read as urgent | {_fmt(ci_cy["not_safe_read_as_urgent"])} ({ci_cy["not_safe"]}) '
                f"| {_fmt(ci_en['not_safe_read_as_urgent'])} ({ci_en['not_safe']}) |"
            )
            lines.append(
                f'| check-in: "safe" read as safe | {_fmt(ci_cy["safe_read_as_safe"])} ({ci_cy["safe"]}) '
                f"| {_fmt(ci_en['safe_read_as_safe'])} ({ci_en['safe']}) |"
            )
        lines += [
            "",
            "| category | cy: any level / urgent (n) | en: any level / urgent (n) |",
            "|---|---|---|",
        ]
        for category in sorted(set(cy["per_category"]) | set(en["per_category"])):
            cells = []
            for side in (cy, en):
                v = side["per_category"].get(category)
                cells.append(f"{_fmt(v['any_level'])} / {_fmt(v['urgent'])} ({v['n']})" if v else "-")
            lines.append(f"| {category} | {cells[0]} | {cells[1]} |")
        if cy["negatives_per_kind"]:
            lines += ["", "| hard negatives, kind | cy: any level / urgent (n) | en: any level / urgent (n) |",
                      "|---|---|---|"]  # fmt: skip
            for kind in sorted(set(cy["negatives_per_kind"]) | set(en["negatives_per_kind"])):
                cells = []
                for side in (cy, en):
                    v = side["negatives_per_kind"].get(kind)
                    cells.append(f"{_fmt(v['any_level'])} / {_fmt(v['urgent'])} ({v['n']})" if v else "-")
                lines.append(f"| {kind} | {cells[0]} | {cells[1]} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    import os

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent

    from bot.training import ensure_model
    from scripts.quiet import quiet_rasa

    quiet_rasa()
    REPORTS.mkdir(exist_ok=True)
    report = evaluate(pipeline_classifier(Agent.load(str(ensure_model()))))
    latency = triage_latency()
    (REPORTS / "safeguarding.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    text = markdown(report) + (
        f"\nTriage per message (lexicon, misspellings, risk classifier, cues), {latency['messages']} "
        f"development messages: median {latency['median_ms']} ms, p95 {latency['p95_ms']} ms.\n"
    )
    (REPORTS / "safeguarding.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
