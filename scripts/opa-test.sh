#!/usr/bin/env bash
# Runs the Rego tests of the standard policies (and of the example set's policies/rego, or of
# the folders given) with the pinned OPA CLI, and fails when the policies' own lines (test
# files excluded) are covered below 90%.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
opa="${KAIROS_OPA:-$root/.tools/bin/opa}"
min="${OPA_MIN_COVERAGE:-90}"
if [ ! -x "$opa" ]; then
  echo "opa-test: the OPA CLI is not installed at $opa; run \`npm run setup\`" >&2
  exit 1
fi
if [ "$#" -eq 0 ]; then
  set -- "$root/runtime/opa/default-rego"
  [ -d "$root/policies/rego" ] && set -- "$@" "$root/policies/rego"
fi
node="$root/node_modules/.bin/node"
[ -x "$node" ] || node=node
for dir in "$@"; do
  "$opa" test "$dir"
  "$opa" test --coverage --format json "$dir" | "$node" -e '
    let text = "";
    process.stdin.on("data", (c) => (text += c)).on("end", () => {
      const report = JSON.parse(text);
      let covered = 0, missed = 0;
      for (const [file, f] of Object.entries(report.files ?? {})) {
        if (file.endsWith("_test.rego")) continue;
        covered += f.covered_lines ?? 0;
        missed += f.not_covered_lines ?? 0;
        for (const r of f.not_covered ?? []) console.error(`  not covered: ${file}:${r.start.row}-${r.end.row}`);
      }
      const pct = covered + missed === 0 ? 0 : (100 * covered) / (covered + missed);
      const min = Number(process.argv[2]);
      console.log(`opa-test: ${process.argv[1]}: Rego lines covered ${pct.toFixed(1)}% (${covered}/${covered + missed}), minimum ${min}%`);
      if (pct < min) process.exit(1);
    });' "$dir" "$min"
done
