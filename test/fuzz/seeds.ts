// The seed corpus (test/fuzz/seeds/, formats in test/fuzz/README.md): reproducers of fixed
// defects, run on every fuzz run, in CI too. Each file or folder becomes one case:
//   *.journey               journey text against the example catalog (policies/catalog.yaml)
//   <folder>/catalog.yaml   a policy set: the folder read as `kairos check` reads it, plus its
//                           own requests/*.json
//   requests/*.json         a decide request against the example policies
//   cli/*.json              a `kairos` command line with its expected exit code
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { POLICIES } from "./cases.ts";
import type { CliCase, FuzzCase, PolicyCase } from "./types.ts";

export const SEEDS = join(import.meta.dirname, "seeds");

/** One seed: where it is (relative to the seeds folder) and its case, or why it cannot be read. */
export interface Seed {
  readonly id: string;
  readonly case?: FuzzCase;
  readonly problem?: string;
}

/** Requests decided per journey or folder seed, besides its own requests. */
const GENERATED = 6;

/** Members of a request seed that are about the seed, not the request. */
const META_KEYS = ["$comment", "$provider", "$expect"];

function requestText(file: string): { text?: string; provider?: "hang"; expect?: Record<string, unknown>; problem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8").replace(/^\ufeff/, ""));
  } catch (e) {
    return { problem: `not JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { problem: "a request seed is a JSON object" };
  const o = value as Record<string, unknown>;
  const provider = o["$provider"];
  if (provider !== undefined && provider !== "hang") return { problem: "`$provider` is `hang` (a provider that never answers) or absent" };
  const expect = o["$expect"];
  if (expect !== undefined && (expect === null || typeof expect !== "object" || Array.isArray(expect)))
    return { problem: '`$expect` is an object of decision members, like `{ "outcome": "no_match" }`' };
  for (const k of META_KEYS) delete o[k];
  return {
    text: JSON.stringify(o),
    ...(provider === "hang" ? { provider: "hang" as const } : {}),
    ...(expect ? { expect: expect as Record<string, unknown> } : {}),
  };
}

function cliCase(id: string, file: string): Seed {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    return { id, problem: `not JSON: ${(e as Error).message}` };
  }
  const argv = v["argv"];
  const exit = v["expect_exit"];
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) return { id, problem: "`argv` must be a list of strings" };
  if (exit !== undefined && typeof exit !== "number") return { id, problem: "`expect_exit` must be a number (or absent: any of 0, 1, 2)" };
  const files = v["files"] as Record<string, string> | undefined;
  const protect = v["protect"] as string[] | undefined;
  const env = v["env"] as Record<string, string> | undefined;
  const timeout = v["timeout_seconds"];
  const c: CliCase = {
    kind: "cli",
    label: `seed ${id}`,
    argv: argv as string[],
    ...(typeof exit === "number" ? { expectExit: exit } : {}),
    ...(files ? { files } : {}),
    ...(env ? { env } : {}),
    ...(typeof timeout === "number" ? { timeoutMs: timeout * 1000 } : {}),
    ...(v["may_modify_policies"] === true ? { mayModifyPolicies: true } : {}),
    ...(protect ? { protect } : {}),
    ...(v["fixture"] === "demo" ? { fixture: "demo" as const } : {}),
  };
  return { id, case: c };
}

function folderCase(id: string, dir: string): Seed {
  const requests: string[] = [];
  const expectations: (Record<string, unknown> | undefined)[] = [];
  const reqDir = join(dir, "requests");
  if (existsSync(reqDir)) {
    for (const f of readdirSync(reqDir)
      .filter((x) => x.endsWith(".json"))
      .sort()) {
      const r = requestText(join(reqDir, f));
      if (r.problem) return { id, problem: `requests/${f}: ${r.problem}` };
      requests.push(r.text!);
      expectations.push(r.expect);
    }
  }
  const c: PolicyCase = {
    kind: "policies",
    label: `seed ${id}/`,
    dir,
    requests,
    expectations,
    mustCompile: requests.length > 0,
    generate: { seed: 1, count: GENERATED },
    log: true,
  };
  return { id, case: c };
}

/** Every seed under `dir`, in a stable order. Unknown files are reported, not ignored (notes: `*.txt`, README.md). */
export function loadSeeds(dir: string = SEEDS): Seed[] {
  const out: Seed[] = [];
  const catalog = { name: "policies/catalog.yaml", text: readFileSync(join(POLICIES, "catalog.yaml"), "utf8") };
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const id = relative(dir, p);
      if (statSync(p).isDirectory()) {
        if (existsSync(join(p, "catalog.yaml"))) out.push(folderCase(id, p));
        else if (name === "requests" && d === dir) {
          for (const f of readdirSync(p).sort()) {
            const fid = join(id, f);
            if (!f.endsWith(".json")) {
              out.push({ id: fid, problem: "a request seed ends in `.json`" });
              continue;
            }
            const r = requestText(join(p, f));
            out.push(
              r.problem
                ? { id: fid, problem: r.problem }
                : {
                    id: fid,
                    case: {
                      kind: "policies",
                      label: `seed ${fid}`,
                      dir: POLICIES,
                      requests: [r.text!],
                      expectations: [r.expect],
                      log: true,
                      cache: true,
                      ...(r.provider ? { provider: r.provider } : {}),
                    },
                  },
            );
          }
        } else if (name === "cli" && d === dir) {
          for (const f of readdirSync(p).sort())
            out.push(f.endsWith(".json") ? cliCase(join(id, f), join(p, f)) : { id: join(id, f), problem: "a CLI seed ends in `.json`" });
        } else walk(p);
      } else if (name.endsWith(".journey")) {
        const c: PolicyCase = {
          kind: "policies",
          label: `seed ${id}`,
          catalog,
          journeys: [{ name: `seeds/${id}`, text: readFileSync(p, "utf8") }],
          generate: { seed: 1, count: GENERATED },
          log: true,
        };
        out.push({ id, case: c });
      } else if (!["README.md", ".gitkeep", ".gitignore"].includes(name) && !name.endsWith(".txt")) {
        out.push({ id, problem: "not a seed: seeds are `*.journey`, folders with a `catalog.yaml`, `requests/*.json` or `cli/*.json`" });
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}
