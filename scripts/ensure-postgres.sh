#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl, postgres) are installed for the store
# tests: test/helpers/postgres.ts starts a throwaway cluster from them (no server is left
# running, none is configured system-wide). Debian's `postgresql` package; idempotent. Set
# KAIROS_TEST_PG_URL to test against an existing server instead.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then exit 0; fi
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "kairos setup: installing Debian's postgresql for the store tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package may start its own cluster: the tests never use it.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | while read -r version name _; do pg_ctlcluster "$version" "$name" stop 2>/dev/null || true; done
  fi
else
  echo "kairos setup: the store tests need PostgreSQL's server binaries: run 'sudo apt-get install -y postgresql'," >&2
  echo "or set KAIROS_TEST_PG_URL=postgres://USER:PASSWORD@HOST:PORT/DB to use an existing server" >&2
  exit 1
fi
