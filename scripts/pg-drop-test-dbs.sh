#!/usr/bin/env bash
# Drops the per-test databases (mia_t_*) that the PostgreSQL test run creates.
set -euo pipefail
URL=${1:-postgres://postgres@127.0.0.1:5432/postgres}
for db in $(psql "$URL" -Atc "select datname from pg_database where datname like 'mia\_t\_%'"); do
  psql "$URL" -qc "drop database if exists \"$db\" with (force)" >/dev/null
done
