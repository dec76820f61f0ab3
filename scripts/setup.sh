#!/usr/bin/env bash
# Installs what building and testing Master IA needs, idempotently and at pinned versions:
#   scripts/setup.sh          tools to build and run (wasm target, wasm-bindgen, npm tools)
#   scripts/setup.sh --test   plus what the tests need (cargo-nextest, Chromium, PostgreSQL)
# Every step first checks whether its tool is already there, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen version in Cargo.lock
NEXTEST_VERSION=0.9.143
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

command -v cargo >/dev/null || { echo "Rust is required: install rustup from https://rustup.rs" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

command -v npm >/dev/null || { log "installing Node.js and npm"; apt_install nodejs npm; }
if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm build tools (tailwindcss, binaryen)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$WITH_TEST" = 1 ]; then
  if ! cargo nextest --version >/dev/null 2>&1; then
    log "installing cargo-nextest $NEXTEST_VERSION"
    cargo install cargo-nextest --locked --version "$NEXTEST_VERSION"
  fi
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's Chromium for the browser tests"
    apt_install chromium
  fi
  if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing the end-to-end test dependencies (playwright-core)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
  scripts/ensure-postgres.sh
  scripts/ensure-pgvector.sh
fi
log "setup done"
