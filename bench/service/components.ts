// Where a server process's CPU time goes, by component: each sample of a `--cpu-prof` profile
// is charged to the component of the first frame on its stack that names a package or project
// source (a native `open`, a `node:fs` function or a `wasm-function[…]` is charged to the
// JavaScript that called it: SQLite's statements, PGlite's file system, OPA's Wasm SDK…; a stack of nothing but
// Node's own code — HTTP parsing, sockets — to Node.js). Stage attribution by function name does not work for a service —
// async functions lose their callers at every `await` — but self time by component does.
import type { CpuProfile, ProfileNode } from "../contenders/profile.ts";

/** A component's share of the profiled CPU time. */
export interface ComponentShare {
  readonly component: string;
  readonly pct: number;
}

/** Source URL pattern → component, first match wins. */
const COMPONENTS: readonly (readonly [RegExp, string])[] = [
  [/node_modules\/@electric-sql\/pglite\//, "PGlite (PostgreSQL compiled to Wasm) and its file system"],
  [/node_modules\/pg(-[a-z]+)?\//, "pg (the PostgreSQL driver)"],
  [/node_modules\/@open-policy-agent\/opa-wasm\//, "OPA Wasm (consent, residency)"],
  [
    /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|secure-json-parse|ajv|abstract-logging|pino)/,
    "Fastify (HTTP routing, JSON schema validation, serialization)",
  ],
  [/node_modules\/zod\//, "zod (request validation)"],
  [/node_modules\/prom-client\//, "prom-client (metrics)"],
  [/node_modules\/@opentelemetry\//, "OpenTelemetry (no-op spans)"],
  [/\/runtime\/log\//, "log entries (runtime/log: pseudonymize, seal, hash, MAC)"],
  [/\/server\/store\/sqlite-/, "the SQLite store (server/store/sqlite-*, node:sqlite's native calls included)"],
  [/\/server\/store\//, "the store's SQL layer (server/store)"],
  [/\/server\//, "the service (server/)"],
  [/\/runtime\/|^data:/, "the engine (runtime/, compiled predicates)"],
  [/\/core\//, "core (canonical JSON, sha256)"],
];

/** The repository's root as a file URL, with a final slash. */
const ROOT_URL = new URL("../../", import.meta.url).href;
const ROOT = "native, no JavaScript caller";
const NODE = "Node.js itself (HTTP parsing, sockets, timers)";

function componentOf(url: string): string | undefined {
  if (url === "" || url.startsWith("wasm://") || url.startsWith("node:")) return undefined;
  for (const [re, name] of COMPONENTS) if (re.test(url)) return name;
  if (url.includes("node_modules/")) return `other packages (${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? "?"})`;
  const folder = url.startsWith(ROOT_URL) ? url.slice(ROOT_URL.length).split("/")[0] : undefined;
  return folder ? `other project code (${folder}/)` : "other";
}

/** Shares of the CPU time by component (idle left out), largest first. */
export function byComponent(p: CpuProfile): ComponentShare[] {
  const byId = new Map<number, ProfileNode>(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const charge = (id: number): string => {
    const known = memo.get(id);
    if (known) return known;
    const n = byId.get(id);
    let out: string;
    const fn = n?.callFrame.functionName ?? "";
    const url = n?.callFrame.url ?? "";
    if (fn === "(garbage collector)") out = "garbage collection";
    else if (fn === "(program)") out = "V8 and native code (program)";
    else {
      const own = componentOf(url);
      const up = parent.get(id);
      const above = up === undefined || fn === "(root)" ? undefined : charge(up);
      out = own ?? (above !== undefined && above !== ROOT ? above : url.startsWith("node:") ? NODE : (above ?? ROOT));
    }
    memo.set(id, out);
    return out;
  };
  const time = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === "(idle)") return;
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const c = charge(id);
    time.set(c, (time.get(c) ?? 0) + dt);
  });
  return [...time].sort((a, b) => b[1] - a[1]).map(([component, t]) => ({ component, pct: Math.round((t / Math.max(total, 1)) * 1000) / 10 }));
}
