#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite: uses a running one,
# starts an installed-but-stopped cluster, or installs Debian's postgresql package. Never skips.
set -euo pipefail
ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if command -v pg_isready >/dev/null && ready; then exit 0; fi
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "==> installing PostgreSQL (Debian package) for the tests"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql
fi
version=$(ls /etc/postgresql | sort -V | tail -n1)
echo "==> starting PostgreSQL $version"
as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do ready && break; sleep 1; done
ready || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
# The tests connect as postgres without a password over TCP, as on the CI machines (trust auth).
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  echo "cannot connect as postgres@127.0.0.1 without a password; set MASTER_IA_TEST_PG_URL to a URL with rights to CREATE DATABASE" >&2
  [ -n "${MASTER_IA_TEST_PG_URL:-}" ] || exit 1
fi
