#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (playwright-core drives it;
# no browser is ever downloaded by a test tool). Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "kairos setup: installing Debian's chromium for the browser tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
else
  echo "kairos setup: the browser tests need chromium: run 'sudo apt-get install -y chromium'" >&2
  exit 1
fi
