"""Rasa's HTTP server with our connectors, its API secured by a JWT secret
read from the environment (``IV_RASA_API_TOKEN``), so it never appears on a
command line. The image's default command and ``make serve`` use it:

    python -m scripts.serve --model models --endpoints endpoints.yml --credentials credentials.channels.yml

Refuses to start without the secret (the API serves whole conversations and
sends messages as the bot), and in production without every other secret.
"""

from __future__ import annotations

import argparse
import sys

from bot.api_auth import ALGORITHM
from bot.settings import MissingSecret, require_production_secrets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="models")
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--credentials", default="credentials.channels.yml")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("--log-file")
    args = parser.parse_args(argv)
    try:
        settings = require_production_secrets()
        if not settings.rasa_api_token:
            raise MissingSecret("IV_RASA_API_TOKEN must be set: the API would otherwise be open to anyone")
    except MissingSecret as error:
        sys.exit(f"refusing to start: {error}")

    import logging

    import rasa.api
    from rasa.utils.common import configure_logging_and_warnings

    from bot import rasa_patches

    rasa_patches.apply()

    configure_logging_and_warnings(logging.DEBUG if args.debug else logging.INFO)
    rasa.api.run(
        model=args.model,
        endpoints=args.endpoints,
        credentials=args.credentials,
        port=args.port,
        enable_api=True,
        jwt_secret=settings.rasa_api_token,
        jwt_method=ALGORITHM,
        log_file=args.log_file,
    )


if __name__ == "__main__":
    main()
