"""Tries intent classifiers on the development set (never the final set) and
prints accuracy per language, fallbacks, training time and NLU time a message.

    .venv/bin/python -m scripts.compare_pipelines [VARIANT ...]   -> reports/nlu-pipelines.md

Each variant is config.yml with its intent classifier replaced; everything
else (featurizers, language detector, fallback, safeguarding triage) stays.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from scripts.evaluate_nlu import evaluate

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
CLASSIFIER = "bot.nlu.intent_classifier.NgramIntentClassifier"
FALLBACK = "fallback_threshold"  # a variant's FallbackClassifier threshold, if not config.yml's
RASA_COUNTS = [
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
]

VARIANTS: dict[str, list[dict[str, Any]]] = {
    "TF-IDF word 1-2 and char 2-5 n-grams, logistic regression C=30, fallback 0.3 (ours)": [],
    "the same, fallback 0.4": [{"name": CLASSIFIER, "c": 30.0, "random_seed": 7}, {FALLBACK: 0.4}],
    "the same, C=10, fallback 0.4": [{"name": CLASSIFIER, "c": 10.0, "random_seed": 7}, {FALLBACK: 0.4}],
    "the same, C=10, fallback 0.3": [{"name": CLASSIFIER, "c": 10.0, "random_seed": 7}],
    "Rasa's logistic regression over counts (before)": [
        *RASA_COUNTS,
        {"name": "LogisticRegressionClassifier", "max_iter": 200, "solver": "lbfgs", "tol": 0.0001, "random_state": 7},
    ],
    "DIET, no transformer, 60 epochs": [
        *RASA_COUNTS,
        {"name": "DIETClassifier", "epochs": 60, "number_of_transformer_layers": 0, "entity_recognition": False,
         "random_seed": 7},
    ],
    "DIET, transformer, 40 epochs": [
        *RASA_COUNTS,
        {"name": "DIETClassifier", "epochs": 40, "entity_recognition": False, "random_seed": 7},
    ],
}  # fmt: skip


def config_for(replacement: list[dict[str, Any]]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    pipeline = config["pipeline"]
    for threshold in [r[FALLBACK] for r in replacement if FALLBACK in r]:
        next(c for c in pipeline if c["name"] == "FallbackClassifier")["threshold"] = threshold
    replacement = [r for r in replacement if FALLBACK not in r]
    if replacement:
        index = next(i for i, c in enumerate(pipeline) if c["name"] == CLASSIFIER)
        pipeline[index : index + 1] = replacement
    return config


def run(name: str, out: Path) -> dict[str, Any]:
    from rasa.core.agent import Agent

    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump(config_for(VARIANTS[name]), f)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "nlu", "--config", f.name, "--nlu", "data/nlu", "--out", str(out),
         "--fixed-model-name", "variant", "--quiet"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    trained = time.monotonic() - started
    agent = Agent.load(str(out / "variant.tar.gz"))
    loop = asyncio.new_event_loop()
    report = evaluate(agent, loop, kind="dev")
    started = time.monotonic()
    texts = [
        "what is an IV",
        "beth yw ymwelydd annibynnol",
        "can I have one",
        "dwi isio siarad efo person",
    ] * 25
    for text in texts:
        loop.run_until_complete(agent.parse_message(text))
    per_message_ms = (time.monotonic() - started) / len(texts) * 1000
    return {
        "variant": name,
        "train_s": round(trained),
        "nlu_ms": round(per_message_ms, 1),
        **{f"{lang}_accuracy": report[lang]["accuracy"] for lang in ("cy", "en")},
        **{f"{lang}_fallbacks": report[lang]["fallbacks"] for lang in ("cy", "en")},
    }


def main(names: list[str]) -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from scripts.quiet import quiet_rasa

    quiet_rasa()
    rows = []
    for name in names or list(VARIANTS):
        with tempfile.TemporaryDirectory() as out:
            rows.append(run(name, Path(out)))
            print(json.dumps(rows[-1]), flush=True)
    lines = [
        "# Intent classifiers on the development set",
        "",
        "| variant | cy accuracy | en accuracy | cy / en fallbacks | training (s) | NLU a message (ms) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['variant']} | {r['cy_accuracy']:.3f} | {r['en_accuracy']:.3f} | {r['cy_fallbacks']} / {r['en_fallbacks']} "
        f"| {r['train_s']} | {r['nlu_ms']} |"
        for r in rows
    ]
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "nlu-pipelines.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
