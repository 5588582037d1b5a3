"""``make run``: the whole loop on this machine, with no accounts anywhere.

Starts the action server, the outbox worker, the coordinators' console and
the Rasa server with the web chat, on localhost, on the embedded database
(SQLite, var/iv.db). The first time, it creates a coordinator account (a
manager) and prints its sign-in details once. Then it prints the two
addresses: the young person's chat page and the console. Ctrl-C stops all.

    python -m scripts.run_local --model models/iv-....tar.gz
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var" / "log"


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"it stopped while starting: see {log}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"it did not start in time: see {log}")


def first_account() -> None:
    """A first coordinator (a manager), made once; its details are shown once."""
    from sqlalchemy import func, select

    from bot.db.engine import session_scope
    from bot.db.models import StaffAccount
    from console.security import Role, create_account

    with session_scope() as session:
        if session.execute(select(func.count()).select_from(StaffAccount)).scalar():
            print(
                "Console accounts exist already: sign in with yours (python -m console.admin add ... for more)."
            )
            return
    account = create_account("coordinator", "First coordinator", Role.MANAGER, actor="make run")
    print("A first console account was made. Its details are shown this once:")
    print(f"  username:    {account.username}")
    print(f"  password:    {account.password}")
    print(f"  TOTP secret: {account.totp_secret}  (add it to an authenticator app:")
    print(f"               {account.totp_uri()} )")
    print(
        f"  On this machine only, the current code: .venv/bin/python -m console.admin code {account.totp_secret}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--console-port", type=int, default=5010)
    parser.add_argument("--actions-port", type=int, default=5055)
    args = parser.parse_args()

    from bot.settings import get_settings

    if get_settings().environment == "production":
        sys.exit(
            "make run is for trying the assistant on this machine, not for production (see README, Deploying)"
        )
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        # This run's own API secret, never written down.
        "IV_RASA_API_TOKEN": os.environ.get("IV_RASA_API_TOKEN") or secrets.token_urlsafe(32),
        "IV_CONSOLE_PORT": str(args.console_port),
        "IV_RASA_URL": f"http://127.0.0.1:{args.port}",
    }
    python = sys.executable
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str, command: list[str]) -> tuple[subprocess.Popen[bytes], Path]:
        log = LOGS / f"{name}.log"
        out = open(log, "w")  # noqa: SIM115 (the process writes to it until it stops)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        started.append(process)
        return process, log

    try:
        first_account()
        actions, log = start(
            "actions", [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(args.actions_port)]
        )
        wait_for(f"http://127.0.0.1:{args.actions_port}/health", actions, log)
        start("worker", [python, "-m", "channels.worker"])
        console, console_log = start("console", [python, "-m", "console"])
        print("Starting the assistant (about 30 seconds)...", flush=True)
        rasa, rasa_log = start(
            "rasa",
            [python, "-m", "scripts.serve", "--model", args.model, "--port", str(args.port),
             "--endpoints", "endpoints.yml", "--credentials", "credentials.local.yml"],
        )  # fmt: skip
        wait_for(f"http://127.0.0.1:{args.port}/webhooks/webchat/", rasa, rasa_log)
        wait_for(f"http://127.0.0.1:{args.console_port}/health", console, console_log)
        print()
        print(
            f"  Young person's chat:    http://localhost:{args.port}/webhooks/webchat/   (?lang=cy for Welsh)"
        )
        print(f"  Coordinators' console:  http://localhost:{args.console_port}/")
        print(f"  Logs: {LOGS.relative_to(ROOT)}/. The terminal chat: make chat. Ctrl-C stops everything.")
        while all(p.poll() is None for p in started):
            time.sleep(1)
        sys.exit("a part stopped: see var/log/")
    except KeyboardInterrupt:
        pass
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
