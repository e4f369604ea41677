#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup (OPA, chromium), type-check, unit + property +
# conformance + browser tests, Rego tests with coverage, and the example policy set's own checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "setup: pinned OPA, chromium, PostgreSQL server binaries (the store tests start their own cluster)"
bash scripts/setup-opa.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-postgres.sh

step "type-check (tsc --strict): browser-safe layers without Node, the playground, the Node side"
npm run --silent typecheck

step "lint and format check (Biome)"
npm run --silent lint

step "example policy set: check, format, its own tests and properties (100% condition coverage)"
node bin/kairos.js check policies
node bin/kairos.js fmt --check policies/journeys
rm -rf test-results && mkdir -p test-results
node bin/kairos.js test policies --threshold 100 --junit test-results/kairos-policies.xml

step "Rego tests with coverage"
bash scripts/opa-test.sh

step "vitest: unit, property, conformance, golden, browser"
status=0
vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
node scripts/test-summary.ts
exit "$status"
