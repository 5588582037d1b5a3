"""``python -m console``: the coordinators' console on IV_CONSOLE_HOST:IV_CONSOLE_PORT
(127.0.0.1:5010 by default), served by waitress."""

from __future__ import annotations

import logging
import os

from waitress import serve

from bot.settings import require_production_secrets
from console.app import create_app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    require_production_secrets()
    host = os.environ.get("IV_CONSOLE_HOST", "127.0.0.1")
    port = int(os.environ.get("IV_CONSOLE_PORT", "5010"))
    print(f"Coordinators' console: http://{host}:{port}/", flush=True)
    serve(create_app(), host=host, port=port, threads=8, ident="console")


if __name__ == "__main__":
    main()
