"""Every process refuses to start in production without its secrets, and the
server's API can't be opened without one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = {
    "rasa server": [sys.executable, "-m", "scripts.serve"],
    "action server": [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", "0"],
    "outbox worker": [sys.executable, "-m", "channels.worker"],
    "coordinators' tool": [sys.executable, "-m", "bot.coordinator", "referrals", "list"],
    "retention": [sys.executable, "-m", "bot.retention", "--dry-run"],
}


def run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IV_")}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("name", list(ENTRY_POINTS))
def test_production_refuses_to_start_without_its_secrets(name: str) -> None:
    result = run(ENTRY_POINTS[name], IV_ENVIRONMENT="production")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "production needs these settings" in output
    assert "IV_ENCRYPTION_KEY" in output and "IV_RASA_API_TOKEN" in output


def test_the_server_refuses_to_start_with_its_api_open(tmp_path: Path) -> None:
    result = run(ENTRY_POINTS["rasa server"], IV_DATABASE_URL=f"sqlite:///{tmp_path / 'iv.db'}")
    assert result.returncode != 0
    assert "IV_RASA_API_TOKEN must be set" in result.stderr


def test_the_image_serves_through_the_guarded_entry_point_with_no_secret_on_the_command_line() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    [command] = re.findall(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    assert '"scripts.serve"' in command
    assert "--enable-api" not in command and "token" not in command.lower()
    for manifest in [
        ROOT / "docker-compose.yml",
        *(ROOT / "deploy" / "k8s").glob("*.yaml"),
        ROOT / "Makefile",
    ]:
        assert "--auth-token" not in manifest.read_text(encoding="utf-8"), manifest.name
