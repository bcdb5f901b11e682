#!/usr/bin/env bash
# The whole HTTP suite a second time, on the PostgreSQL profile (EVENT_STORE=postgres
# READ_STORE=postgres, each test app on a database of its own). Part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${POSTGRES_URL:-}" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true but POSTGRES_URL is not set: the HTTP suite must also run on PostgreSQL in CI" >&2
    exit 1
  fi
  echo "skipped: the HTTP suite on PostgreSQL (set POSTGRES_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)"
  exit 0
fi
echo "the HTTP suite on EVENT_STORE=postgres READ_STORE=postgres"
EVENT_STORE=postgres READ_STORE=postgres exec npx mocha --config test/postgres/mocharc.http.json
