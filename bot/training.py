"""Train the Rasa model only when something it is built from has changed.

The model's file name is a digest of its inputs (config, domain, training
data, our NLU components and the pinned dependencies), so an unchanged
checkout reuses ``models/<digest>.tar.gz`` and a changed one trains anew.

    python -m bot.training        # prints the model's path, training if needed
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"
INPUTS = (
    "config.yml",
    "domain.yml",
    "data",
    "bot/nlu",
    "bot/language.py",
    "bot/safeguarding",
    "requirements/lock.txt",
)


def _files(relative: str) -> list[Path]:
    path = ROOT / relative
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [path]


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for relative in INPUTS:
        for path in _files(relative):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS_DIR / f"iv-{inputs_digest()}.tar.gz"


def ensure_model() -> Path:
    """The current model, trained first if the inputs changed."""
    path = model_path()
    if path.exists():
        return path
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.model_training import train

    result = train(
        domain=str(ROOT / "domain.yml"),
        config=str(ROOT / "config.yml"),
        training_files=[str(ROOT / "data")],
        output=str(MODELS_DIR),
        fixed_model_name=path.name.removesuffix(".tar.gz"),
    )
    if result.code != 0 or not path.exists():
        raise RuntimeError(f"training failed with code {result.code}")
    return path


if __name__ == "__main__":
    print(ensure_model())
    sys.exit(0)
