#!/usr/bin/env bash
# Runs the Playwright suite (end2end/) against a freshly started server binary with its own
# temporary data directory (SQLite, outbox), then stops it.
#   scripts/e2e.sh [path/to/master-ia]      default: target/debug/master-ia
# SCREENSHOT_DIR=docs/screenshots scripts/e2e.sh   also refreshes the README screenshots.
# E2E_TESTS=tests/contacts.test.mjs scripts/e2e.sh  runs only these files.
#
# The fake WhatsApp Cloud API (`fake-graph`, built next to the server binary; FAKE_GRAPH_BIN to
# override) runs on its own free port; the server's Graph base points at it, and the tests get its
# URL and the phone number id / token it accepts (FAKE_GRAPH_*). The fake OpenAI-compatible server
# (`fake-ai --provider openai`) runs beside it for the AI tests (FAKE_AI_URL, FAKE_AI_KEY).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/master-ia}
FAKE_GRAPH_BIN=${FAKE_GRAPH_BIN:-$(dirname "$BIN")/fake-graph}
[ -x "$FAKE_GRAPH_BIN" ] || { echo "$FAKE_GRAPH_BIN is missing: cargo build -p fakes --bin fake-graph"; exit 1; }
FAKE_AI_BIN=${FAKE_AI_BIN:-$(dirname "$BIN")/fake-ai}
[ -x "$FAKE_AI_BIN" ] || { echo "$FAKE_AI_BIN is missing: cargo build -p fakes --bin fake-ai"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# A free port unless one is given, so a second server (or a developer's) never answers instead.
PORT=${E2E_PORT:-$(free_port)}
GRAPH_PORT=$(free_port)
AI_PORT=$(free_port)
DATA=$(mktemp -d /tmp/master-ia-e2e.XXXXXX)
LOG="$DATA/server.log"
GRAPH_LOG="$DATA/fake-graph.log"
AI_LOG="$DATA/fake-ai.log"

export FAKE_GRAPH_URL="http://127.0.0.1:$GRAPH_PORT"
export FAKE_GRAPH_PHONE_NUMBER_ID=106540352242922
export FAKE_GRAPH_WABA_ID=419561257915477
export FAKE_GRAPH_TOKEN=e2e-graph-token
export FAKE_GRAPH_DISPLAY_PHONE_NUMBER="+1 555-078-3881"
export FAKE_GRAPH_VERIFIED_NAME="Master IA Test Shop"
export FAKE_AI_URL="http://127.0.0.1:$AI_PORT/v1"
export FAKE_AI_KEY=sk-e2e-ai-key-7f3a

SERVER=""
GRAPH=""
AI=""
cleanup() {
  for pid in $SERVER $GRAPH $AI; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

"$FAKE_GRAPH_BIN" --port "$GRAPH_PORT" --phone-number-id "$FAKE_GRAPH_PHONE_NUMBER_ID" \
  --token "$FAKE_GRAPH_TOKEN" --waba-id "$FAKE_GRAPH_WABA_ID" \
  --display-phone-number "$FAKE_GRAPH_DISPLAY_PHONE_NUMBER" --verified-name "$FAKE_GRAPH_VERIFIED_NAME" \
  >"$GRAPH_LOG" 2>&1 &
GRAPH=$!
"$FAKE_AI_BIN" --provider openai --port "$AI_PORT" --api-key "$FAKE_AI_KEY" >"$AI_LOG" 2>&1 &
AI=$!

MASTER_IA_ADDR=127.0.0.1:$PORT MASTER_IA_DATA_DIR="$DATA" MASTER_IA_SITE_ROOT=target/site \
  MASTER_IA_WORKER_POLL_MS=100 MASTER_IA_AI_REPLY_DELAY_MS=300 MASTER_IA_GRAPH_API_BASE="$FAKE_GRAPH_URL/v23.0" "$BIN" >"$LOG" 2>&1 &
SERVER=$!

for _ in $(seq 1 100); do
  if curl -fsS "$FAKE_GRAPH_URL/_fake/violations" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$GRAPH" 2>/dev/null; then echo "fake-graph exited:"; cat "$GRAPH_LOG"; exit 1; fi
  sleep 0.2
done
curl -fsS "$FAKE_GRAPH_URL/_fake/violations" >/dev/null || { echo "fake-graph not ready:"; cat "$GRAPH_LOG"; exit 1; }
FAKE_AI_ROOT="http://127.0.0.1:$AI_PORT"
for _ in $(seq 1 100); do
  if curl -fsS "$FAKE_AI_ROOT/_fake/violations" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$AI" 2>/dev/null; then echo "fake-ai exited:"; cat "$AI_LOG"; exit 1; fi
  sleep 0.2
done
curl -fsS "$FAKE_AI_ROOT/_fake/violations" >/dev/null || { echo "fake-ai not ready:"; cat "$AI_LOG"; exit 1; }

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
if [ "$status" != 0 ]; then
  echo "---- server log ----"; tail -n 80 "$LOG"
  echo "---- fake-graph log ----"; tail -n 20 "$GRAPH_LOG"
  echo "---- fake-ai log ----"; tail -n 20 "$AI_LOG"
fi
# Every request the server made to the fake must have matched Meta's published spec.
violations=$(curl -fsS "$FAKE_GRAPH_URL/_fake/violations" || echo '?')
if [ "$violations" != "[]" ]; then echo "fake-graph saw spec violations: $violations"; status=1; fi
# And every request to the AI provider, OpenAI's.
violations=$(curl -fsS "$FAKE_AI_ROOT/_fake/violations" || echo '?')
if [ "$violations" != "[]" ]; then echo "fake-ai saw spec violations: $violations"; status=1; fi
exit "$status"
