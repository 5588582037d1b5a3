"""``python -m console.admin add USERNAME "Display name" --role coordinator|manager``:
creates a console account and prints its one-time password and TOTP secret
(with an otpauth:// link for an authenticator app). Shown once, never stored
in the clear."""

from __future__ import annotations

import argparse

import pyotp

from bot.settings import require_production_secrets
from console.security import Role, create_account


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("display_name")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.COORDINATOR.value)
    code = commands.add_parser(
        "code", help="the current TOTP code for a secret (trying it out on this machine)"
    )
    code.add_argument("secret")
    args = parser.parse_args(argv)
    if args.command == "code":
        print(pyotp.TOTP(args.secret).now())
        return
    require_production_secrets()
    account = create_account(args.username, args.display_name, Role(args.role))
    print(f"username:    {account.username}")
    print(f"password:    {account.password}")
    print(f"TOTP secret: {account.totp_secret}")
    print(f"TOTP link:   {account.totp_uri()}")
    print("Shown once: give them to the person by a safe route; they can't be seen again.")


if __name__ == "__main__":
    main()
