"""``make chat``: Rasa's own terminal chat, without the third-party warnings
(deprecations in TensorFlow, SQLAlchemy, click...) a newcomer can do nothing
about. Our own warnings still show. Tests never run through here.

    .venv/bin/python -m scripts.chat shell --model ... (Rasa's arguments)
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any, TextIO

_show = warnings.showwarning


def _ours_only(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if "site-packages" in filename or filename.startswith("<frozen"):
        return
    _show(message, category, filename, lineno, file, line)


def main(argv: list[str]) -> Any:
    # Libraries reset the warning filters as they load; how a warning is shown stays ours.
    warnings.showwarning = _ours_only
    # TensorFlow's own C++ log lines (loaded with Rasa's actions) are not for the chat.
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # whatever the parent set (Rasa sets it from its log level)
    from rasa.__main__ import main as rasa_main

    from bot import rasa_patches

    rasa_patches.apply()

    sys.argv = ["rasa", *argv]
    return rasa_main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
