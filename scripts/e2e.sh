#!/usr/bin/env bash
# Runs the Playwright suite (end2end/) against a freshly started server binary with its own
# temporary data directory (SQLite, outbox), then stops it.
#   scripts/e2e.sh [path/to/master-ia]      default: target/debug/master-ia
# SCREENSHOT_DIR=docs/screenshots scripts/e2e.sh   also refreshes the README screenshots.
# E2E_TESTS=tests/contacts.test.mjs scripts/e2e.sh  runs only these files.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/master-ia}
# A free port unless one is given, so a second server (or a developer's) never answers instead.
PORT=${E2E_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
DATA=$(mktemp -d /tmp/master-ia-e2e.XXXXXX)
LOG="$DATA/server.log"

MASTER_IA_ADDR=127.0.0.1:$PORT MASTER_IA_DATA_DIR="$DATA" MASTER_IA_SITE_ROOT=target/site \
  MASTER_IA_WORKER_POLL_MS=100 "$BIN" >"$LOG" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then echo "server exited:"; cat "$LOG"; exit 1; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "server not ready:"; cat "$LOG"; exit 1; }
kill -0 "$SERVER" 2>/dev/null || { echo "our server exited (port taken?):"; cat "$LOG"; exit 1; }

status=0
(cd end2end && BASE_URL="http://127.0.0.1:$PORT" OUTBOX_DIR="$DATA/outbox" \
  SCREENSHOT_DIR="${SCREENSHOT_DIR:+$PWD/../$SCREENSHOT_DIR}" node --test --test-concurrency=1 ${E2E_TESTS:-tests/}) || status=$?
if [ "$status" != 0 ]; then echo "---- server log ----"; tail -n 80 "$LOG"; fi
exit "$status"
