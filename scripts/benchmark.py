"""Our assistant against plain Rasa, on the same data, in the same run.

    make benchmark     # writes reports/benchmark.{json,md} and confusion matrices

"Plain Rasa" is ``rasa init``'s default pipeline and policies (Rasa's own
default config recipe) trained on our domain and data. Both models are served
the same way (``scripts/serve.py``: ``rasa run`` with our SMS connector, NLG, encrypted SQL tracker
store and action server) and get the same requests, so the differences are the
models' own. Measured for each:

- training time and peak memory (RSS, training process and children);
- intent accuracy, macro-F1 and fallbacks per language on the development,
  final and held-out sets (each from its own writer), with a
  confusion matrix per language (PNG);
- safeguarding recall per category and the false-escalation rate on the blind
  set (for plain Rasa: its classifier's ``safeguarding_concern``);
- end to end through the real signed SMS webhook, stored in PostgreSQL as in
  production (a real server from the pgserver wheel): request → every reply of the
  turn received by a fake Twilio on loopback, p50/p95/p99 and turns per
  second, for several conversation mixes and concurrencies; then a check that
  every turn was stored;
- memory (RSS) of the Rasa and action server processes after the load.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
PLAIN_CONFIG = "rasa/engine/recipes/config_files/default_config.yml"
# Intents: the development set (choices are made on it), the final test set
# (scored once per release) and the earlier held-out set (docs/nlu-writers-brief.md).
INTENT_SETS = ("dev", "final", "heldout")
ACCOUNT_SID = "AC" + "0" * 32
TWILIO_TOKEN = "benchmark-twilio-token"
PUBLIC_BASE_URL = "https://iv.example.org"
SMS_PATH = "/webhooks/sms/webhook"
SETTLE_SECONDS = 1.5
QUIET = 0.4  # no reply for this long: the turn is over (long conversation)
LONG_TURNS = (1, 50, 200)
# Questions with one answer each, asked over and over in one session.
LONG_CONVERSATION = [
    "what is an IV?",
    "how often would they visit",
    "is it confidential",
    "can I choose who it is",
    "what are my rights",
]

# Realistic conversations: questions in both languages, a referral started,
# feedback, small talk, a typo or two; one ends with a disclosure.
SCRIPTS: list[list[str]] = [
    ["hi", "what is an IV?", "how often would they visit", "can I choose who it is", "thanks", "bye"],
    ["shwmae", "beth yw ymwelydd annibynnol?", "oes rhaid i fi gael un", "ydi o'n gyfrinachol?", "diolch"],
    ["I want an IV", "yes", "Sam", "14", "1", "Cardiff", "cancel"],  # not "stop": that is SMS opt-out
    ["dwi isio IV plis", "ie", "Siôn", "tair ar ddeg", "mewn gofal maeth", "Gwynedd", "canslo"],
    ["im 19 and left care can i still get one", "what happens after I ask", "ok", "thank u"],
    [
        "hiya",
        "what are the rules for visits",
        "can i go to their house",
        "is an IV like an advocate",
        "cheers",
    ],
    ["I want to give feedback", "2", "5", "skip", "yes"],
    ["what can u do", "wots an iv", "any news on my referral?", "talk to u later"],
    ["helo", "be di IV?", "dwi isio siarad Saesneg", "what do you do with an IV", "bye"],
    ["hi", "who can have an IV", "my foster dad hits me"],
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def tree_rss_mb(process: psutil.Process) -> float:
    try:
        processes = [process, *process.children(recursive=True)]
        return sum(p.memory_info().rss for p in processes) / 2**20
    except psutil.NoSuchProcess:
        return 0.0


# --- Training -------------------------------------------------------------------


def train(name: str, config: Path, out: Path) -> dict[str, Any]:
    started = time.monotonic()
    log = open(out / f"train-{name}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", "domain.yml", "--data", "data",
         "--out", str(out), "--fixed-model-name", name],
        # A fresh training cache: Rasa would otherwise reuse components trained
        # earlier and the time would not be a training time.
        cwd=ROOT, env=environment(RASA_CACHE_DIRECTORY=str(out / f"cache-{name}")), stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    watched, peak = psutil.Process(process.pid), 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(watched))
        time.sleep(0.2)
    if process.returncode != 0:
        raise RuntimeError(f"training {name} failed: see {out / f'train-{name}.log'}")
    return {
        "model": str(out / f"{name}.tar.gz"),
        "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mb": round(peak),
    }


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", **extra}


# --- NLU and safeguarding -----------------------------------------------------------


SAFEGUARDING_SETS = ("development", "final")
SAFEGUARDING_FIGURES = (
    "recall_any_level",
    "explicit_urgent",
    "false_urgent_rate",
    "any_level_rate_on_negatives",
)


def understanding(model: str, name: str) -> dict[str, Any]:
    """Held-out intents and the safeguarding blind set, through the model's own NLU."""
    from rasa.core.agent import Agent
    from sklearn.metrics import confusion_matrix

    from scripts import evaluate_nlu, evaluate_safeguarding

    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    report: dict[str, Any] = {"intents": {}, "safeguarding": {}}
    for set_name in INTENT_SETS:
        report["intents"][set_name] = {}
        for language in ("cy", "en"):
            examples = evaluate_nlu.load_heldout(language, set_name)
            gold = [intent for _, intent in examples]
            predicted = loop.run_until_complete(evaluate_nlu.predict(agent, [text for text, _ in examples]))
            scored = evaluate_nlu.score(gold, predicted)
            report["intents"][set_name][language] = {
                k: scored[k] for k in ("examples", "accuracy", "macro_f1", "fallbacks")
            }
            if set_name == "dev":
                labels = sorted(set(gold) | set(predicted))
                plot_confusion(confusion_matrix(gold, predicted, labels=labels), labels, f"{name} ({language})",
                               REPORTS / f"benchmark-confusion-{name}-{language}.png")  # fmt: skip
    # Safeguarding on the development and final sets: ours by its level, plain
    # Rasa by its classifier's safeguarding_concern (which is all it has: a page).
    classify = evaluate_safeguarding.pipeline_classifier(agent)
    for set_name in SAFEGUARDING_SETS:
        report["safeguarding"][set_name] = {}
        for language in ("cy", "en"):
            scored = evaluate_safeguarding.score(
                evaluate_safeguarding.load(set_name, language), classify, keep_texts=False
            )
            report["safeguarding"][set_name][language] = {
                key: scored[key] for key in SAFEGUARDING_FIGURES
            } | {"per_category": {c: v["any_level"] for c, v in scored["per_category"].items()}}
    return report


def plot_confusion(matrix: Any, labels: list[str], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(11, 10))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(f"Held-out intents: {title}")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i][j]:
                axes.text(j, i, str(matrix[i][j]), ha="center", va="center", fontsize=6,
                          color="white" if matrix[i][j] > matrix.max() / 2 else "black")  # fmt: skip
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


# --- Load through the SMS webhook ---------------------------------------------------


@dataclass
class FakeTwilio:
    """Twilio's Messages API on loopback: records when each reply arrives."""

    arrivals: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    waiters: dict[str, asyncio.Event] = field(default_factory=dict)
    port: int = field(default_factory=free_port)

    async def start(self) -> None:
        from aiohttp import web

        async def create(request: web.Request) -> web.Response:
            form = await request.post()
            to = str(form["To"])
            self.arrivals[to].append(time.monotonic())
            if to in self.waiters:
                self.waiters[to].set()
            sid = "SM" + os.urandom(16).hex()
            body = {
                "sid": sid,
                "status": "queued",
                "to": to,
                "from": str(form["From"]),
                "body": str(form["Body"]),
            }
            return web.json_response(body, status=201)

        app = web.Application()
        app.router.add_post(f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", create)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def replies(self, number: str, count: int, timeout: float = 30.0) -> float:
        """Waits until ``number`` has ``count`` replies; returns when the last came."""
        event = self.waiters.setdefault(number, asyncio.Event())
        deadline = time.monotonic() + timeout
        while len(self.arrivals[number]) < count:
            event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{number}: {len(self.arrivals[number])}/{count} replies")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return self.arrivals[number][count - 1]


@dataclass
class Server:
    name: str
    url: str
    rasa: subprocess.Popen[bytes]
    actions: subprocess.Popen[bytes]
    database_url: str


def new_database(postgres_uri: str, name: str) -> str:
    """A fresh PostgreSQL database for one model's server, as in production."""
    import sqlalchemy as sa

    admin = sa.create_engine(postgres_uri, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"drop database if exists bench_{name}"))
        connection.execute(sa.text(f"create database bench_{name}"))
    admin.dispose()
    return (
        sa.engine.make_url(postgres_uri).set(database=f"bench_{name}").render_as_string(hide_password=False)
    )


def start_server(name: str, model: str, twilio: FakeTwilio, workdir: Path, database_url: str) -> Server:
    from cryptography.fernet import Fernet

    env = environment(
        IV_DATABASE_URL=database_url,
        IV_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        IV_ADDRESS_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        IV_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        IV_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        IV_TWILIO_FROM_NUMBER="+447700900000",
        IV_TWILIO_API_BASE_URL=f"http://127.0.0.1:{twilio.port}",
        IV_PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        IV_TELEGRAM_BOT_TOKEN="123456:BENCHMARK",
        IV_TELEGRAM_SECRET_TOKEN="benchmark",
        IV_TELEGRAM_API_BASE_URL="http://127.0.0.1:9",
        IV_RATE_LIMIT_MESSAGES="100000",
        IV_COORDINATOR_TELEGRAM_CHAT_IDS="",
        IV_RASA_API_TOKEN=base64.urlsafe_b64encode(os.urandom(24)).decode(),
    )
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    actions_port, rasa_port = free_port(), free_port()
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
        cwd=ROOT, env=env, stdout=open(workdir / f"{name}-actions.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    (workdir / f"{name}-endpoints.yml").write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    rasa = subprocess.Popen(
        [sys.executable, "-m", "scripts.serve", "--model", model, "--port", str(rasa_port),
         "--endpoints", str(workdir / f"{name}-endpoints.yml"), "--credentials", "credentials.channels.yml"],
        cwd=ROOT, env=env, stdout=open(workdir / f"{name}-rasa.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    import urllib.request

    for _ in range(600):
        if rasa.poll() is not None:
            raise RuntimeError(f"rasa ({name}) stopped: see {workdir / f'{name}-rasa.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{rasa_port}/", timeout=1)
            urllib.request.urlopen(f"http://127.0.0.1:{actions_port}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    return Server(name, f"http://127.0.0.1:{rasa_port}", rasa, actions, database_url)


def stop(server: Server) -> None:
    for process in (server.rasa, server.actions):
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


class Load:
    """Conversations that each send their script through the signed SMS
    webhook, one message after the previous turn's replies have all arrived."""

    def __init__(self, server: Server, twilio: FakeTwilio) -> None:
        from twilio.request_validator import RequestValidator

        self.server, self.twilio = server, twilio
        self.validator = RequestValidator(TWILIO_TOKEN)
        self.numbers = iter(range(10_000_000))
        self.expected: dict[tuple[int, int], int] = {}  # (script, turn) -> replies

    def number(self) -> str:
        return f"+4477{next(self.numbers):08d}"

    async def send(self, client: Any, number: str, text: str) -> None:
        params = {
            "MessageSid": "SM" + os.urandom(16).hex(),
            "From": number,
            "To": "+447700900000",
            "Body": text,
        }
        signature = self.validator.compute_signature(PUBLIC_BASE_URL + SMS_PATH, params)
        response = await client.post(
            self.server.url + SMS_PATH, data=params, headers={"X-Twilio-Signature": signature}
        )
        response.raise_for_status()

    async def calibrate(self, client: Any) -> None:
        """How many replies each turn gets from this model: every script at
        once, each one message at a time, waiting for its replies to settle."""

        async def script(s: int) -> None:
            number = self.number()
            for t, text in enumerate(SCRIPTS[s]):
                before = len(self.twilio.arrivals[number])
                await self.send(client, number, text)
                deadline = time.monotonic() + 10
                while len(self.twilio.arrivals[number]) == before and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(SETTLE_SECONDS)  # any further reply of the same turn
                self.expected[(s, t)] = len(self.twilio.arrivals[number]) - before

        await asyncio.gather(*(script(s) for s in range(len(SCRIPTS))))

    async def conversation(
        self, client: Any, s: int, think: float, latencies: list[float], numbers: list[str]
    ) -> None:
        number = self.number()
        numbers.append(number)
        received = 0
        for t, text in enumerate(SCRIPTS[s]):
            replies = self.expected[(s, t)]
            if replies == 0:
                continue  # a turn the model doesn't answer (a disclosure handed to a person) isn't timed
            started = time.monotonic()
            await self.send(client, number, text)
            received += replies
            finished = await self.twilio.replies(number, received)
            latencies.append((finished - started) * 1000)
            if think:
                await asyncio.sleep(think)

    async def long_conversation(self, client: Any, turns: int, number: str | None = None) -> dict[str, Any]:
        """One conversation of ``turns`` questions in one session: does a
        turn cost more as the history grows? Each turn is timed to its last
        reply (the turn is over once no reply has come for QUIET seconds)."""
        number = number or self.number()
        latencies: list[float] = []
        for turn in range(turns):
            before = len(self.twilio.arrivals[number])
            started = time.monotonic()
            await self.send(client, number, LONG_CONVERSATION[turn % len(LONG_CONVERSATION)])
            await self.twilio.replies(number, before + 1)
            while True:
                count = len(self.twilio.arrivals[number])
                await asyncio.sleep(QUIET)
                if len(self.twilio.arrivals[number]) == count:
                    break
            latencies.append((self.twilio.arrivals[number][-1] - started) * 1000)

        def around(turn: int) -> float:  # the median of the turns within 5 of it
            window = latencies[max(0, turn - 6) : turn + 5]
            return round(percentile(window, 50), 1)

        return {"turns": turns, **{f"turn_{t}_ms": around(t) for t in LONG_TURNS if t <= turns}}

    async def run(self, concurrency: int, think: float, rounds: int) -> dict[str, Any]:
        import httpx

        latencies: list[float] = []
        numbers: list[str] = []
        limits = httpx.Limits(max_connections=concurrency * 2)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            started = time.monotonic()
            work = [s % len(SCRIPTS) for s in range(concurrency * rounds)]
            queue: asyncio.Queue[int] = asyncio.Queue()
            for s in work:
                queue.put_nowait(s)

            async def worker() -> None:
                while not queue.empty():
                    await self.conversation(client, queue.get_nowait(), think, latencies, numbers)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.monotonic() - started
        return {
            "concurrent_conversations": concurrency,
            "think_time_s": think,
            "conversations": len(work),
            "turns": len(latencies),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "turns_per_s": round(len(latencies) / elapsed, 1),
        }


async def load_test(model: str, name: str, workdir: Path, quick: bool, postgres_uri: str) -> dict[str, Any]:
    import httpx

    twilio = FakeTwilio()
    await twilio.start()
    database_url = await asyncio.to_thread(new_database, postgres_uri, name)
    server = await asyncio.to_thread(start_server, name, model, twilio, workdir, database_url)
    try:
        load = Load(server, twilio)
        async with httpx.AsyncClient(timeout=60) as client:
            await load.calibrate(client)
        sent_before = await asyncio.to_thread(count_user_events, server.database_url)
        runs = []
        plan = [(1, 0.0), (10, 0.0), (10, 1.0), (30, 0.0)] if not quick else [(1, 0.0), (10, 0.0)]
        expected_turns = 0
        for concurrency, think in plan:
            before = await asyncio.to_thread(transactions, server.database_url)
            result = await load.run(concurrency, think, rounds=1 if quick else 2)
            # A PostgreSQL backend publishes its counts once idle for 10 s (PostgreSQL 15+).
            await asyncio.sleep(11)
            result["transactions_per_turn"] = round(
                (await asyncio.to_thread(transactions, server.database_url) - before) / result["turns"], 1
            )
            expected_turns += result["turns"]
            runs.append(result)
        async with httpx.AsyncClient(timeout=60) as client:
            long = await load.long_conversation(client, 20 if quick else max(LONG_TURNS))
        expected_turns += long["turns"]
        # Rasa saves a turn just after its replies go out: give the last ones a moment.
        deadline = time.monotonic() + 15
        while True:
            stored = await asyncio.to_thread(count_user_events, server.database_url) - sent_before
            if stored >= expected_turns or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        memory = {
            "rasa_rss_mb": round(tree_rss_mb(psutil.Process(server.rasa.pid))),
            "action_server_rss_mb": round(tree_rss_mb(psutil.Process(server.actions.pid))),
        }
        return {"runs": runs, "long": long, "memory": memory, "turns_sent": expected_turns, "user_messages_stored": stored,
                "replies_per_turn": {f"{s}:{t}": n for (s, t), n in load.expected.items()}}  # fmt: skip
    finally:
        await asyncio.to_thread(stop, server)
        await twilio.runner.cleanup()


def transactions(database_url: str) -> int:
    """Transactions committed or rolled back in this database so far (the
    Rasa server's and the action server's: the benchmark's own are a handful)."""
    import sqlalchemy as sa

    name = sa.engine.make_url(database_url).database
    with sa.create_engine(database_url).connect() as connection:
        return int(
            connection.execute(
                sa.text("select xact_commit + xact_rollback from pg_stat_database where datname = :name"),
                {"name": name},
            ).scalar()
            or 0
        )


def count_user_events(database_url: str) -> int:
    import sqlalchemy as sa

    with sa.create_engine(database_url).connect() as connection:
        return int(
            connection.execute(sa.text("select count(*) from events where type_name = 'user'")).scalar() or 0
        )


# --- Report ---------------------------------------------------------------------------


def ratio(ours: float, plain: float) -> str:
    return f"{ours / plain:.2f}×" if plain else "-"


def markdown(report: dict[str, Any]) -> str:
    ours, plain = report["ours"], report["plain"]
    rows = [
        ("training time (s)", ours["training"]["seconds"], plain["training"]["seconds"]),
        ("training peak RSS (MB)", ours["training"]["peak_rss_mb"], plain["training"]["peak_rss_mb"]),
    ]
    for language in ("cy", "en"):
        for set_name in INTENT_SETS:
            for metric in ("accuracy", "macro_f1", "fallbacks"):
                rows.append(
                    (
                        f"intent {metric.replace('_', '-')}, {set_name} set ({ours['intents'][set_name][language]['examples']}), {language}",
                        ours["intents"][set_name][language][metric],
                        plain["intents"][set_name][language][metric],
                    )
                )
        for set_name in SAFEGUARDING_SETS:
            for figure in SAFEGUARDING_FIGURES:
                rows.append(
                    (
                        f"safeguarding {figure.replace('_', ' ')}, {set_name} set, {language}",
                        ours["safeguarding"][set_name][language][figure],
                        plain["safeguarding"][set_name][language][figure],
                    )
                )
    for o, p in zip(ours["load"]["runs"], plain["load"]["runs"], strict=True):
        label = f"{o['concurrent_conversations']} conversations, think {o['think_time_s']} s"
        for metric in ("p50_ms", "p95_ms", "p99_ms", "turns_per_s", "transactions_per_turn"):
            rows.append((f"{label}: {metric}", o.get(metric), p.get(metric)))
    for turn in LONG_TURNS:
        key = f"turn_{turn}_ms"
        if key in ours["load"].get("long", {}):
            rows.append(
                (f"one long conversation: latency at turn {turn} (ms)", ours["load"]["long"][key],
                 plain["load"]["long"].get(key))
            )  # fmt: skip
    rows.append(
        (
            "Rasa server RSS after load (MB)",
            ours["load"]["memory"]["rasa_rss_mb"],
            plain["load"]["memory"]["rasa_rss_mb"],
        )
    )
    rows.append(
        (
            "action server RSS after load (MB)",
            ours["load"]["memory"]["action_server_rss_mb"],
            plain["load"]["memory"]["action_server_rss_mb"],
        )
    )
    rows.append(
        (
            "user messages stored / sent",
            f"{ours['load']['user_messages_stored']}/{ours['load']['turns_sent']}",
            f"{plain['load']['user_messages_stored']}/{plain['load']['turns_sent']}",
        )
    )
    lines = [
        f"Benchmark, {report['when']}, {report['machine']}. Plain Rasa = rasa init's default pipeline and policies on the same data.",
        "",
        "| measure | ours | plain Rasa | ours / plain |",
        "|---|---|---|---|",
    ]
    for name, o, p in rows:
        r = ratio(o, p) if isinstance(o, int | float) and isinstance(p, int | float) else ""
        lines.append(f"| {name} | {o} | {p} | {r} |")
    final = {name: report[name]["safeguarding"]["final"] for name in ("ours", "plain")}
    lines += ["", "Safeguarding recall (urgent or concern) per category, final set, cy / en:", "",
              "| category | ours | plain Rasa |", "|---|---|---|"]  # fmt: skip
    for category in sorted(final["ours"]["en"]["per_category"]):
        cells = [
            " / ".join(f"{final[name][lang]['per_category'].get(category) or 0:.2f}" for lang in ("cy", "en"))
            for name in ("ours", "plain")
        ]
        lines.append(f"| {category} | {cells[0]} | {cells[1]} |")
    if "triage" in report:
        t = report["triage"]
        lines += ["", f"Safeguarding triage (lexicon, misspellings, risk classifier, cues), per message over "
                  f"{t['messages']} development messages: median {t['median_ms']} ms, p95 {t['p95_ms']} ms."]  # fmt: skip
    lines += ["", "Confusion matrices: `reports/benchmark-confusion-{ours,plain}-{cy,en}.png`.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer load runs (for a smoke test)")
    parser.add_argument(
        "--plain-model", help="a plain Rasa model already trained (development only: no training figures)"
    )
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from scripts.quiet import quiet_rasa

    quiet_rasa()
    import rasa

    REPORTS.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="iv-benchmark-"))
    configs = {"ours": ROOT / "config.yml", "plain": Path(rasa.__file__).parent.parent / PLAIN_CONFIG}
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB, Python {sys.version.split()[0]}",
    }
    import pgserver

    postgres = pgserver.get_server(str(workdir / "postgres"), cleanup_mode="stop")
    try:
        for name, config in configs.items():
            print(f"[{name}] training", flush=True)
            trained = (
                {"model": args.plain_model, "seconds": None, "peak_rss_mb": None}
                if name == "plain" and args.plain_model
                else train(name, config, workdir)
            )
            print(f"[{name}] understanding", flush=True)
            result = {"training": trained, **understanding(trained["model"], name)}
            print(f"[{name}] load through the SMS webhook", flush=True)
            result["load"] = asyncio.run(
                load_test(trained["model"], name, workdir, args.quick, postgres.get_uri())
            )
            report[name] = result
        from scripts import evaluate_safeguarding

        report["triage"] = evaluate_safeguarding.triage_latency()
    finally:
        postgres.cleanup()
    (REPORTS / "benchmark.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (REPORTS / "benchmark.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
