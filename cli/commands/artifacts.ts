// `kairos artifacts publish|list|show|at`: the artifact registry in the service's store
// (docs/artifacts.md#the-registry). `publish DIR --version V --by NAME` adds an artifact directory
// with its files (and `--approvals DIR`'s DPO approvals) so that every instance can load that
// version; `list` and `show` read the registry; `at T` says which version set was in force at a
// time, from the rollout history. Straight on the store (`--store URL|DATA_DIR`) or through a
// running service (`--url URL --token T`, each call with a deadline), like `kairos journey`.
import { Buffer } from "node:buffer";
import { type ArtifactView, artifactView as view } from "../../server/artifact-view.ts";
import type { InForce } from "../../server/registry.ts";
import type { RegisteredArtifact, RolloutState } from "../../server/store/types.ts";
import { helpOf } from "../help/commands.ts";
import { EXIT, type Io, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { callService, type Target, targetOf, whereOf, withStore } from "../switch-target.ts";
import { cliErrorOf } from "./sign.ts";

const HELP = helpOf("artifacts");

const ACTIONS = ["publish", "list", "show", "at"] as const;
type Action = (typeof ACTIONS)[number];

function line(a: ArtifactView): string {
  const signed = a.signed ? `signed by ${a.signer ?? "?"}` : "unsigned";
  const approvals = a.approvals.length === 0 ? "" : `, ${a.approvals.length} approval${a.approvals.length === 1 ? "" : "s"}`;
  const active = a.activated_at === undefined ? "never stable" : `stable since ${a.activated_at}`;
  return `${a.version}  ${a.hash.slice(0, 12)}  ${signed}${approvals}; published ${a.published_at} by ${a.published_by}; ${active}`;
}

async function publish(dir: string, target: Target, values: Record<string, unknown>, format: string, io: Io): Promise<number> {
  const by = values["by"];
  if (typeof by !== "string" || by.trim() === "") throw new UsageError("say who publishes it: `--by NAME` (recorded in the registry)");
  const version = values["version"] as string | undefined;
  const approvals = values["approvals"] as string | undefined;
  const signing = await import("../../server/signing.ts");
  const registry = await import("../../server/registry.ts");
  const trustFile = signing.trustFileOf(values["trust"] as string | undefined);
  let shown: ArtifactView;
  let created: boolean;
  let where = whereOf(target);
  try {
    const trust = trustFile === undefined ? undefined : signing.readTrust(trustFile);
    const now = new Date();
    const options = { by, now, ...(version === undefined ? {} : { version }), ...(approvals === undefined ? {} : { approvals }), ...(trust ? { trust } : {}) };
    if (target.kind === "store") {
      [where, shown] = await withStore(target, true, async (store) => [store.location, view(await registry.publishArtifactDir(store, dir, options))] as const);
      created = shown.published_at === now.toISOString() && shown.published_by === by;
    } else {
      const files = new Map(await signing.readDir(dir));
      if (trust !== undefined) signing.checkSignedFiles(files, trust, `the artifact \`${dir}\``);
      if (approvals !== undefined) for (const [path, bytes] of registry.approvalFiles(approvals)) files.set(`${registry.REGISTRY_APPROVALS}/${path}`, bytes);
      const body = {
        by,
        ...(version === undefined ? {} : { version }),
        files: Object.fromEntries([...files].map(([p, b]) => [p, Buffer.from(b).toString("base64")])),
      };
      const answer = (await callService(target, "POST", "/v1/artifacts", body)) as ArtifactView & { created?: boolean };
      const { created: fresh, ...rest } = answer;
      shown = rest;
      created = fresh === true;
    }
  } catch (e) {
    throw cliErrorOf(e);
  }
  if (format === "json") io.out(jsonOut({ where, ...shown, created }));
  else if (!created) io.out(`already registered in ${where}, nothing written: ${line(shown)}`);
  else io.out(`published ${line(shown)}\n  in ${where}; roll it out with: kairos rollout start ${shown.version} --canary 5% --by NAME`);
  return EXIT.ok;
}

async function list(target: Target, format: string, io: Io): Promise<number> {
  let where = whereOf(target);
  let all: ArtifactView[];
  if (target.kind === "store") [where, all] = await withStore(target, false, async (s) => [s.location, (await s.artifacts()).map(view)] as const);
  else all = ((await callService(target, "GET", "/v1/artifacts")) as { artifacts: ArtifactView[] }).artifacts;
  if (format === "json") io.out(jsonOut({ where, artifacts: all }));
  else if (all.length === 0) io.out(`no artifact is registered in ${where} yet: publish one with kairos artifacts publish DIR --version V --by NAME`);
  else {
    io.out(`${all.length} artifact version${all.length === 1 ? "" : "s"} in ${where}, oldest first:`);
    for (const a of all) io.out(`  ${line(a)}`);
  }
  return EXIT.ok;
}

async function show(ref: string, target: Target, format: string, io: Io): Promise<number> {
  let where = whereOf(target);
  let found: ArtifactView | undefined;
  let files: Record<string, number> | undefined;
  if (target.kind === "store") {
    [where, found, files] = await withStore(target, false, async (s) => {
      const a = await s.artifact(ref);
      const f = a === undefined ? undefined : await s.artifactFiles(a.hash);
      return [
        s.location,
        a === undefined ? undefined : view(a),
        f === undefined ? undefined : Object.fromEntries(Object.entries(f).map(([p, b]) => [p, b.length])),
      ] as const;
    });
  } else {
    found = (await callService(target, "GET", `/v1/artifacts/${encodeURIComponent(ref)}`)) as ArtifactView;
  }
  if (found === undefined) {
    const { CliError } = await import("../io.ts");
    throw new CliError(`no artifact \`${ref}\` in ${where}`, {
      hint: `see what is registered: kairos artifacts list ${target.kind === "store" ? "--store …" : "--url …"}`,
    });
  }
  if (format === "json") io.out(jsonOut({ where, ...found, ...(files === undefined ? {} : { files }) }));
  else {
    io.out(`version:      ${found.version}`);
    io.out(`hash:         ${found.hash}`);
    io.out(`signed:       ${found.signed ? `yes, by ${found.signer ?? "?"}` : "no"}`);
    io.out(`approvals:    ${found.approvals.length === 0 ? "none" : found.approvals.join(", ")}`);
    io.out(`published:    ${found.published_at} by ${found.published_by}`);
    io.out(`stable since: ${found.activated_at ?? "never (not rolled out yet)"}`);
    if (files !== undefined) for (const [p, n] of Object.entries(files)) io.out(`  ${p} (${n} bytes)`);
  }
  return EXIT.ok;
}

/** What `at` prints and `GET /v1/artifacts/at` answers. */
interface AtView {
  readonly t: string;
  readonly generation: number;
  readonly mode: string;
  readonly stable?: { readonly hash: string; readonly version?: string };
  readonly candidate?: { readonly hash: string; readonly version?: string };
  readonly percent?: number;
  readonly since: string;
  readonly action: string;
  readonly by: string;
  readonly reason?: string;
}

function atOf(t: string, found: InForce, registry: readonly RegisteredArtifact[]): AtView {
  const named = (hash: string | undefined) => {
    if (hash === undefined) return undefined;
    const version = registry.find((a) => a.hash === hash)?.version;
    return { hash, ...(version === undefined ? {} : { version }) };
  };
  const s: RolloutState = found.state;
  const stable = named(found.stable);
  const candidate = named(found.candidate);
  return {
    t,
    generation: found.generation,
    mode: found.mode,
    ...(stable === undefined ? {} : { stable }),
    ...(candidate === undefined ? {} : { candidate }),
    ...(found.percent === undefined ? {} : { percent: found.percent }),
    since: s.since,
    action: s.action,
    by: s.by,
    reason: s.reason,
  };
}

async function at(t: string, target: Target, format: string, io: Io): Promise<number> {
  if (!Number.isFinite(Date.parse(t)) || !/(Z|[+-]\d\d:?\d\d)$/i.test(t))
    throw new UsageError(`\`${t}\` is not an ISO 8601 time with an offset, like 2026-12-06T10:00:00Z`);
  let where = whereOf(target);
  let answer: AtView | undefined;
  if (target.kind === "store") {
    const { inForceAt } = await import("../../server/registry.ts");
    [where, answer] = await withStore(target, false, async (s) => {
      const [history, registry] = await Promise.all([s.rolloutHistory(), s.artifacts()]);
      const found = inForceAt(history, t);
      return [s.location, found === undefined ? undefined : atOf(t, found, registry)] as const;
    });
  } else {
    answer = (await callService(target, "GET", `/v1/artifacts/at?t=${encodeURIComponent(t)}`)) as AtView;
  }
  if (answer === undefined) {
    const { CliError } = await import("../io.ts");
    throw new CliError(`nothing was in force in ${where} at ${t}: no rollout change was recorded at or before it`, {
      hint: "ask about a later time; `kairos rollout history` lists every change",
    });
  }
  if (format === "json") io.out(jsonOut({ where, ...answer }));
  else {
    const name = (v: { hash: string; version?: string } | undefined) =>
      v === undefined ? "each instance's own artifact" : `${v.version ?? "(unregistered)"} (${v.hash.slice(0, 12)}…)`;
    const extra =
      answer.mode === "canary"
        ? `; canary ${name(answer.candidate)} for ${answer.percent}% of subjects`
        : answer.mode === "shadow"
          ? `; shadow ${name(answer.candidate)}`
          : "";
    io.out(`at ${t} in ${where}: ${name(answer.stable)} was stable${extra}`);
    io.out(`  since ${answer.since} (generation ${answer.generation}: ${answer.action} by ${answer.by}${answer.reason ? `: ${answer.reason}` : ""})`);
  }
  return EXIT.ok;
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      store: { type: "string" },
      "data-dir": { type: "string" },
      url: { type: "string" },
      token: { type: "string" },
      version: { type: "string" },
      by: { type: "string" },
      approvals: { type: "string" },
      trust: { type: "string" },
      format: { type: "string" },
    });
    const [first, ...rest] = positionals;
    if (!(ACTIONS as readonly string[]).includes(first ?? "")) {
      const what = first === undefined ? "say what to do" : `unknown action \`${first}\``;
      throw new UsageError(`${what}: use \`publish DIR\`, \`list\`, \`show VERSION|HASH\` or \`at TIME\``);
    }
    const action = first as Action;
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    if (action !== "publish") {
      for (const o of ["version", "by", "approvals", "trust"]) if (values[o] !== undefined) throw new UsageError(`\`--${o}\` goes with \`publish\``);
    }
    const want = action === "list" ? 0 : 1;
    if (rest.length !== want) {
      const needs = { publish: "the artifact directory to publish", list: "nothing", show: "one version name or hash", at: "one time (ISO 8601)" }[action];
      throw new UsageError(`\`kairos artifacts ${action}\` takes ${needs}`);
    }
    const target = targetOf(values, action === "publish" ? "admin" : "audit:read");
    const arg = rest[0] ?? "";
    if (action === "publish") return publish(arg, target, values, format, io);
    if (action === "list") return list(target, format, io);
    if (action === "show") return show(arg, target, format, io);
    return at(arg, target, format, io);
  },
};
