// `npm run fuzz`: the fuzz target for long runs. Runs every seed, then generated cases of every
// kind in turn until --cases or --seconds is reached, and the blow-up families; each finding is
// minimized, printed, and written to test/fuzz/findings/<id>/ in the seed layout (move it into
// test/fuzz/seeds/ once the defect is fixed). Exit 1 when anything was found.
//
//   npm run fuzz -- --seconds 600 --seed 42
//   npm run fuzz -- --cases 20000 --kinds mutants,typed,catalogs
//   npm run fuzz -- --seeds test/fuzz/findings/format-1a2b3c4d5e     (replay one finding)
import { parseArgs } from "node:util";
import fc from "fast-check";
import { exampleRequestCase, grammarCases, loadCorpus, mutantCases, POLICIES, renamedCases, typedCases } from "./cases.ts";
import { catalogCases } from "./catalogs.ts";
import { cliCases } from "./cli-cases.ts";
import { Driver } from "./driver.ts";
import { families, sharingFamilies } from "./families.ts";
import { hostileRequests, validRequestsForDir } from "./requests.ts";
import { Sandbox } from "./sandbox.ts";
import { loadSeeds } from "./seeds.ts";
import type { FuzzCase } from "./types.ts";

const USAGE = `usage: npm run fuzz -- [--cases N] [--seconds S] [--seed N] [--kinds grammar,mutants,typed,renamed,catalogs,requests,cli,families]
                        [--seeds DIR] [--no-seeds] [--minimize-seconds M] [--timeout-seconds T]`;

function fail(message: string): never {
  process.stderr.write(`fuzz: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        cases: { type: "string" },
        seconds: { type: "string" },
        seed: { type: "string" },
        kinds: { type: "string" },
        seeds: { type: "string" },
        "no-seeds": { type: "boolean" },
        "minimize-seconds": { type: "string" },
        "timeout-seconds": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
})();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const num = (name: string, v: string | undefined, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number, got \`${v}\``);
  return n;
};
const maxCases = num("cases", values.cases, Infinity);
const seconds = num("seconds", values.seconds, values.cases === undefined ? 120 : Infinity);
const seed = num("seed", values.seed, (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0);
const ALL = ["grammar", "mutants", "typed", "renamed", "catalogs", "requests", "cli", "families"] as const;
const kinds = (values.kinds ?? ALL.join(",")).split(",").map((k) => k.trim());
for (const k of kinds) if (!(ALL as readonly string[]).includes(k)) fail(`unknown kind \`${k}\`; kinds: ${ALL.join(", ")}`);

const sandbox = new Sandbox({ timeoutMs: num("timeout-seconds", values["timeout-seconds"], 5) * 1000 });
const driver = new Driver({
  sandbox,
  minimizeMs: num("minimize-seconds", values["minimize-seconds"], 60) * 1000,
  minimizeHangs: true,
  log: (l) => process.stdout.write(`${l}\n\n`),
});
const started = Date.now();
const timeLeft = () => Date.now() - started < seconds * 1000;
const say = (l: string) => process.stdout.write(`${l}\n`);

say(
  `fuzz: seed ${seed}${Number.isFinite(seconds) ? `, ${seconds} s` : ""}${Number.isFinite(maxCases) ? `, ${maxCases} cases` : ""}; kinds: ${kinds.join(", ")}`,
);

try {
  // Seeds first: every run checks every known reproducer.
  if (!values["no-seeds"] || values.seeds) {
    const seeds = loadSeeds(values.seeds);
    if (values.seeds && seeds.length === 0) fail(`no seeds in \`${values.seeds}\``);
    for (const s of seeds) {
      if (s.problem) say(`seed ${s.id}: cannot be read: ${s.problem}`);
      else await driver.check(s.case!);
    }
    say(`fuzz: ${seeds.length} seeds run, ${driver.findings.length} finding(s) so far`);
  }

  if (!values.seeds) {
    const corpus = loadCorpus();
    const valid = validRequestsForDir(POLICIES);
    const generators: Record<string, fc.Arbitrary<FuzzCase>> = {
      grammar: grammarCases(corpus),
      mutants: mutantCases(corpus),
      typed: typedCases(corpus),
      renamed: renamedCases(corpus),
      catalogs: catalogCases,
      cli: cliCases,
      requests: hostileRequests(valid).map((r) => exampleRequestCase(r)),
    };
    const counts = new Map<string, number>();
    const batch = 25;
    for (let round = 0; timeLeft() && driver.cases < maxCases; round++) {
      for (const [i, kind] of kinds.entries()) {
        if (!timeLeft() || driver.cases >= maxCases) break;
        const before = driver.cases;
        if (kind === "families") {
          if (round === 0) for (const f of families(corpus)) await driver.family(f);
          // Larger sizes as the run goes on, and fresh generated sharing chains every round.
          const n = 6 + (round % 4) * 2;
          for (const { base, template } of fc.sample(sharingFamilies(corpus), { numRuns: 3, seed: seed + round * 7919 + i })) {
            if (!timeLeft()) break;
            await driver.sharing(corpus, base, template, n);
          }
        } else {
          for (const c of fc.sample(generators[kind]!, { numRuns: batch, seed: seed + round * 7919 + i })) {
            if (!timeLeft() || driver.cases >= maxCases) break;
            await driver.check(c);
          }
        }
        counts.set(kind, (counts.get(kind) ?? 0) + driver.cases - before);
      }
      if (round % 10 === 9) say(`fuzz: ${driver.cases} cases in ${Math.round((Date.now() - started) / 1000)} s, ${driver.findings.length} finding(s)`);
    }
    say(`fuzz: cases per kind: ${[...counts].map(([k, n]) => `${k} ${n}`).join(", ")}`);
  }
} catch (e) {
  process.stderr.write(`fuzz: cannot run the cases: ${e instanceof Error ? e.message : String(e)}\n`);
  await sandbox.close();
  process.exit(2);
} finally {
  await sandbox.close();
}

say(`fuzz: ${driver.cases} cases in ${Math.round((Date.now() - started) / 1000)} s (seed ${seed}): ${driver.findings.length} finding(s)`);
for (const f of driver.findings)
  say(`  [${f.failure.stage}] ${f.case.label}: ${f.failure.message.split("\n")[0]!.slice(0, 160)}${f.written ? `\n    ${f.written}` : ""}`);
process.exit(driver.findings.length > 0 ? 1 : 0);
