#!/usr/bin/env bash
# Creates .venv with the pinned dependencies. Safe to run again: it does
# nothing when requirements/lock.txt and this script haven't changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Python 3.11 is needed (found $("$PYTHON" --version)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.installed-$(cat requirements/lock.txt scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade 'pip==24.3.1'
  .venv/bin/python -m pip install --quiet -r requirements/lock.txt
  # Rasa's metadata says Python <3.11 but it runs on 3.11: its dependencies
  # come pinned from the lock file above, Rasa itself without the check.
  .venv/bin/python -m pip install --quiet --no-deps --ignore-requires-python \
    rasa==3.6.21 rasa-sdk==3.6.2
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# The browser tests drive Debian's Chromium (Playwright's own download can't
# be reached here). Installed when missing and we may (root with apt).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
  else
    echo "The browser tests need Chromium: sudo apt-get install chromium" >&2
  fi
fi

# Create or upgrade our own tables (SQLite file var/iv.db unless IV_DATABASE_URL).
.venv/bin/alembic upgrade head
