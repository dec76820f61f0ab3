#!/usr/bin/env bash
# Makes the pgvector extension available to the PostgreSQL server on 127.0.0.1:5432 (the
# knowledge bases' vector search needs it). Debian's PostgreSQL 15 (bookworm) has no pgvector
# package, so it is built from Debian's own source package of pgvector (trixie, 0.8.x) against the
# server's headers — about 15 seconds, once. Never skips: without it the PostgreSQL tests fail.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -Atc "$1"; }

if [ "$(psql_admin "select count(*) from pg_available_extensions where name = 'vector'")" = 1 ]; then
  exit 0
fi
major=$(psql_admin "show server_version_num" | cut -c1-2)
pg_config="/usr/lib/postgresql/$major/bin/pg_config"
echo "==> building pgvector for PostgreSQL $major from Debian's source package"
if [ ! -x "$pg_config" ] || ! dpkg -s "postgresql-server-dev-$major" >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "postgresql-server-dev-$major" dpkg-dev make gcc
fi
# Debian's trixie source of pgvector, beside the machine's own Debian sources.
list=/etc/apt/sources.list.d/master-ia-pgvector-src.sources
if [ ! -f "$list" ]; then
  as_root tee "$list" >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  as_root apt-get update -qq
fi
work=$(mktemp -d)
chmod 755 "$work"   # apt downloads as the _apt user
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -qq --download-only pgvector >/dev/null && dpkg-source -x --no-check ./*.dsc src >/dev/null)
make -s -C "$work/src" PG_CONFIG="$pg_config" >/dev/null
as_root make -s -C "$work/src" PG_CONFIG="$pg_config" install >/dev/null
[ "$(psql_admin "select count(*) from pg_available_extensions where name = 'vector'")" = 1 ] \
  || { echo "pgvector was built but PostgreSQL does not list it" >&2; exit 1; }
echo "==> pgvector $(psql_admin "select default_version from pg_available_extensions where name = 'vector'") installed"
