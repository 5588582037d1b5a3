"""Runs every fault-injection test (``@pytest.mark.faults``) against the real
service (Rasa server, action server, worker, fake Twilio and Telegram, both
databases) and writes what each fault did to replies and alerts as a table:

    make faults    -> reports/faults.md

Each test asserts nothing was lost and nothing sent twice for its fault; the
table is its outcome, one row a fault.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports" / "faults.md"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "faults.xml"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-m",
                "faults",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
            ],
            cwd=ROOT,
        )
        cases = ET.parse(junit).getroot().iter("testcase")
        rows = []
        for case in cases:
            outcome = (
                "failed" if case.find("failure") is not None or case.find("error") is not None else "passed"
            )
            if case.find("skipped") is not None:
                outcome = "skipped"
            name = case.get("name", "").removeprefix("test_").replace("_", " ")
            where = case.get("classname", "").removeprefix("tests.")
            rows.append(f"| {name} | {where} | {outcome} | {float(case.get('time', 0)):.1f} |")
    lines = [
        "# Faults injected into the running service (`make faults`)",
        "",
        "Each test injects one fault and asserts no reply or alert was lost or sent twice.",
        "",
        "| fault and what must hold | test module | outcome | seconds |",
        "|---|---|---|---|",
        *rows,
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
