#!/usr/bin/env bash
# Runs a command with Rasa's action server beside it (and, with --worker, the
# outbox worker), and stops them when the command ends. Logs go to var/log/.
#   scripts/with_actions.sh [--worker] COMMAND...
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${IV_ACTION_SERVER_PORT:-5055}"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
mkdir -p var/log
$BIN/python -m rasa_sdk --actions actions --port "$PORT" >var/log/actions.log 2>&1 &
pids+=($!)
if [ "${1:-}" = "--worker" ]; then
  shift
  $BIN/python -m channels.worker >var/log/worker.log 2>&1 &
  pids+=($!)
fi
$BIN/python - "$PORT" <<'PY'
import sys, time, urllib.request
for _ in range(240):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
        break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("the action server did not start: see var/log/actions.log")
PY
"$@"
