"""`make chat` shows the chat, not other people's deprecation warnings."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.settings import ROOT


def run(*command: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stderr


def test_the_terminal_chat_hides_third_party_warnings_that_plain_rasa_shows() -> None:
    assert "Warning" in run(sys.executable, "-m", "rasa", "--version")
    assert "Warning" not in run(sys.executable, "-m", "scripts.chat", "--version")
