// `kairos rollout start|status|promote|rollback|history` (docs/rollout.md): progressive delivery
// of a registered version — a canary for a share of subjects or a shadow rollout — its promotion
// or rollback, and what the rollout is and was. Straight on the service's store (`--store
// URL|DATA_DIR`: every instance switches within about 2 s) or through a running service (`--url
// URL --token T`: the way in while an embedded store is held by `kairos serve`; the service also
// checks that the candidate loads, and says which generation it decides with). Each change is one
// compare-and-set write: when someone else changed the rollout first, nothing is written and the
// command says what came first.
import { renderDiff } from "../../runtime/diff-render.ts";
import type { DiffReport } from "../../runtime/diff.ts";
import type { RolloutBudget, RolloutState, ServiceStore } from "../../server/store/types.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import { callService, type Target, targetOf, whereOf, withStore } from "../switch-target.ts";

const HELP = helpOf("rollout");

const ACTIONS = ["start", "status", "promote", "rollback", "history"] as const;
type Action = (typeof ACTIONS)[number];

/** `5%`, `5`, `0.5%` → 5, 5, 0.5; undefined when it is not a number of percent. */
export function percentOf(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function percentOption(name: string, text: unknown, max: number): number | undefined {
  if (text === undefined) return undefined;
  const p = percentOf(String(text));
  if (p === undefined || p <= 0 || p > max)
    throw new UsageError(`\`--${name}\` takes a percent above 0 and at most ${max}, like \`5%\`, not \`${String(text)}\``);
  return p;
}

function positiveOption(name: string, text: unknown, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(String(text)) || !(n > 0) || (integer && !Number.isSafeInteger(n))) {
    throw new UsageError(`\`--${name}\` takes a positive ${integer ? "whole number" : "number"}, not \`${String(text)}\``);
  }
  return n;
}

/** The service's rollout answer (its shape, docs/rollout.md#api). */
interface Status {
  readonly rollout: Record<string, any>;
  readonly instance?: Record<string, any>;
  readonly decisions?: readonly { version: string; arm: string; decisions: number }[];
  readonly shadow?: { generation: number; active: boolean; summary: DiffReport };
}

const short = (hash: unknown): string => (typeof hash === "string" ? hash.slice(0, 12) : "?");
const named = (name: unknown, hash: unknown): string => (typeof name === "string" ? `${name} (${short(hash)})` : short(hash));

/** The state in a sentence: `canary of v2 (3f2a…) for 5% of subjects, stable v1 (…)`. */
function stateLine(s: Record<string, any>): string {
  const stable = s["stable"] === undefined ? "no stable version yet" : `stable ${named(s["stable_version"], s["stable"])}`;
  if (s["mode"] === "canary") return `canary of ${named(s["candidate_version"], s["candidate"])} for ${s["percent"]}% of subjects, ${stable}`;
  if (s["mode"] === "shadow") return `shadow rollout of ${named(s["candidate_version"], s["candidate"])}, ${stable}`;
  return `no rollout in progress: ${stable}`;
}

function budgetLine(b: Record<string, number> | undefined): string | undefined {
  if (b === undefined) return undefined;
  const parts = [
    ...(b["max_error_rate"] === undefined ? [] : [`errors ≤ ${Number((b["max_error_rate"] * 100).toFixed(4))}%`]),
    ...(b["max_p99_ms"] === undefined ? [] : [`p99 ≤ ${b["max_p99_ms"]} ms`]),
  ];
  return `budget: ${parts.join(", ") || "none"}, judged after ${b["min_decisions"] ?? 100} decisions of the candidate on each instance`;
}

function changeLine(s: Record<string, any>): string {
  return `#${s["generation"]} ${s["since"]} ${s["action"]} by ${s["by"]}: ${stateLine(s)} — ${s["reason"]}`;
}

function printStatus(status: Status, where: string, io: Io): void {
  const r = status.rollout;
  io.out(`rollout in ${where}: generation ${r["generation"]}, ${stateLine(r)}`);
  io.out(`  last change: ${r["action"]} by ${r["by"]} at ${r["since"]}: ${r["reason"]}`);
  if (r["detail"] !== undefined) io.out(`  detail: ${JSON.stringify(r["detail"])}`);
  const budget = r["mode"] === "canary" ? budgetLine(r["budget"]) : undefined;
  if (budget) io.out(`  ${budget}`);
  const i = status.instance;
  if (i !== undefined) {
    const behind = i["generation"] === r["generation"] ? "" : ` (behind: the store is at ${r["generation"]})`;
    io.out(`  this instance: generation ${i["generation"]} since ${i["applied_at"]}${behind}${i["problem"] ? `; ${i["problem"]}` : ""}`);
    if (i["canary"])
      io.out(
        `  its canary: ${i["canary"]["decisions"]} decisions, ${i["canary"]["errors"]} errors` +
          (i["canary"]["p99_ms"] === undefined ? "" : `, p99 ${i["canary"]["p99_ms"]} ms`),
      );
  }
  if (status.decisions && status.decisions.length > 0) {
    io.out(`  its decisions since it started: ${status.decisions.map((d) => `${d.version}/${d.arm} ${d.decisions}`).join(", ")}`);
  }
  if (status.shadow) {
    io.out(`  shadow results of generation ${status.shadow.generation}${status.shadow.active ? " (in progress)" : " (ended)"}:`);
    for (const line of renderDiff(status.shadow.summary, "text").trimEnd().split("\n")) io.out(`    ${line}`);
  }
}

/** The rollout as the store has it (what `GET /v1/rollout` answers, without an instance). */
async function storeStatus(store: ServiceStore): Promise<Status> {
  const { stateView, shadowSummary } = await import("../../server/rollout/view.ts");
  const [state, history, registered] = await Promise.all([store.rollout(), store.rolloutHistory(), store.artifacts()]);
  const lastShadow = [...history].reverse().find((s) => s.mode === "shadow");
  return {
    rollout: stateView(state, registered),
    ...(lastShadow
      ? {
          shadow: {
            generation: lastShadow.generation,
            active: lastShadow.generation === state.generation,
            summary: await shadowSummary(store, lastShadow, registered),
          },
        }
      : {}),
  };
}

/** A RolloutError (by name: its module loads lazily) as a CLI error. */
function refused(e: unknown): unknown {
  if (e instanceof Error && e.name === "RolloutError") {
    const { hint, code } = e as Error & { hint?: string; code?: string };
    return new CliError(e.message, { exit: code === "invalid" ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
  }
  return e;
}

interface StartOptions {
  readonly candidate: string;
  readonly mode: "canary" | "shadow";
  readonly percent?: number;
  readonly budget?: RolloutBudget;
  readonly by: string;
  readonly reason?: string;
}

/** Runs a change on the target; the new state in the API's shape. */
async function changeOn(
  target: Target,
  action: "start" | "promote" | "rollback",
  start: StartOptions | undefined,
  by: string,
  reason: string | undefined,
): Promise<Status> {
  if (target.kind === "service") {
    if (action === "start") {
      const s = start!;
      const b = s.budget;
      const body = {
        candidate: s.candidate,
        mode: s.mode,
        by: s.by,
        ...(s.percent === undefined ? {} : { percent: s.percent }),
        ...(s.reason === undefined ? {} : { reason: s.reason }),
        ...(b === undefined
          ? {}
          : {
              budget: {
                ...(b.maxErrorRate === undefined ? {} : { max_error_rate: b.maxErrorRate }),
                ...(b.maxP99Ms === undefined ? {} : { max_p99_ms: b.maxP99Ms }),
                ...(b.minDecisions === undefined ? {} : { min_decisions: b.minDecisions }),
              },
            }),
      };
      return (await callService(target, "POST", "/v1/rollout", body)) as Status;
    }
    return (await callService(target, "POST", `/v1/rollout/${action}`, { by, ...(reason === undefined ? {} : { reason }) })) as Status;
  }
  const changes = await import("../../server/rollout/changes.ts");
  const { stateView } = await import("../../server/rollout/view.ts");
  return withStore(target, true, async (store) => {
    let state: RolloutState;
    try {
      if (action === "start") state = await changes.startRollout(store, start!);
      else if (action === "promote") state = await changes.promoteRollout(store, { by, ...(reason === undefined ? {} : { reason }) });
      else state = await changes.rollbackRollout(store, { by, ...(reason === undefined ? {} : { reason }) });
    } catch (e) {
      throw refused(e);
    }
    return { rollout: stateView(state, await store.artifacts()) };
  });
}

const DONE: Record<"start" | "promote" | "rollback", string> = {
  start: "started",
  promote: "promoted the candidate: it is the stable version now",
  rollback: "rolled the candidate back: the stable version decides for everyone",
};

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      store: { type: "string" },
      "data-dir": { type: "string" },
      url: { type: "string" },
      token: { type: "string" },
      canary: { type: "string" },
      shadow: { type: "boolean" },
      "max-error-rate": { type: "string" },
      "max-p99-ms": { type: "string" },
      "min-decisions": { type: "string" },
      by: { type: "string" },
      reason: { type: "string" },
      format: { type: "string" },
    });
    const [first, ...rest] = positionals;
    if (!ACTIONS.includes(first as Action)) {
      const what = first === undefined ? "say what to do" : `unknown action \`${first}\``;
      throw new UsageError(`${what}: use \`start VERSION\`, \`status\`, \`promote\`, \`rollback\` or \`history\``);
    }
    const action = first as Action;
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    const writes = action === "start" || action === "promote" || action === "rollback";
    if (action !== "start" && rest.length > 0) throw new UsageError(`\`kairos rollout ${action}\` takes no version`);
    const startOnly = ["canary", "shadow", "max-error-rate", "max-p99-ms", "min-decisions"].filter((o) => values[o] !== undefined);
    if (action !== "start" && startOnly.length > 0) throw new UsageError(`\`--${startOnly[0]}\` goes with \`kairos rollout start\``);
    if (!writes && (values["by"] !== undefined || values["reason"] !== undefined))
      throw new UsageError(`\`kairos rollout ${action}\` changes nothing: it takes no \`--by\` or \`--reason\``);
    const by = values["by"];
    if (writes && (typeof by !== "string" || by.trim() === "")) throw new UsageError("say who makes the change: `--by NAME` (recorded in the rollout history)");
    const reason = typeof values["reason"] === "string" ? values["reason"] : undefined;
    let start: StartOptions | undefined;
    if (action === "start") {
      if (rest.length !== 1)
        throw new UsageError(rest.length === 0 ? "missing the version to roll out (a registry name or artifact hash)" : "give exactly one version");
      const canary = percentOption("canary", values["canary"], 100);
      const shadow = values["shadow"] === true;
      if ((canary === undefined) === !shadow)
        throw new UsageError("say how to roll it out: `--canary PERCENT` (like `--canary 5%`) or `--shadow`, one of them");
      if (shadow && startOnly.some((o) => o.startsWith("max-") || o === "min-decisions")) {
        throw new UsageError("a shadow rollout has no error budget: the candidate's decisions have no effect");
      }
      const errorRate = percentOption("max-error-rate", values["max-error-rate"], 100);
      const p99 = positiveOption("max-p99-ms", values["max-p99-ms"], false);
      const min = positiveOption("min-decisions", values["min-decisions"], true);
      const budget: RolloutBudget = {
        ...(errorRate === undefined ? {} : { maxErrorRate: errorRate / 100 }),
        ...(p99 === undefined ? {} : { maxP99Ms: p99 }),
        ...(min === undefined ? {} : { minDecisions: min }),
      };
      start = {
        candidate: rest[0]!,
        mode: shadow ? "shadow" : "canary",
        ...(canary === undefined ? {} : { percent: canary }),
        ...(Object.keys(budget).length > 0 ? { budget } : {}),
        by: by as string,
        ...(reason === undefined ? {} : { reason }),
      };
    }
    const target = targetOf(values, writes ? "admin" : "audit:read");
    const where = whereOf(target);

    if (action === "status") {
      const status = target.kind === "service" ? ((await callService(target, "GET", "/v1/rollout")) as Status) : await withStore(target, false, storeStatus);
      if (format === "json") io.out(jsonOut({ where, ...status }));
      else printStatus(status, where, io);
      return EXIT.ok;
    }
    if (action === "history") {
      const history =
        target.kind === "service"
          ? ((await callService(target, "GET", "/v1/rollout/history")) as { history: Record<string, any>[] }).history
          : await withStore(target, false, async (store) => {
              const { stateView } = await import("../../server/rollout/view.ts");
              const registered = await store.artifacts();
              return (await store.rolloutHistory()).map((s) => stateView(s, registered));
            });
      if (format === "json") io.out(jsonOut({ where, history }));
      else if (history.length === 0) io.out(`no rollout change in ${where} yet: no instance of the service has started on it`);
      else for (const s of history) io.out(changeLine(s));
      return EXIT.ok;
    }
    const status = await changeOn(target, action, start, by as string, reason);
    if (format === "json") {
      io.out(jsonOut({ where, ...status }));
      return EXIT.ok;
    }
    const r = status.rollout;
    io.out(`${DONE[action]} in ${where}: generation ${r["generation"]}, ${stateLine(r)}`);
    const budget = r["mode"] === "canary" ? budgetLine(r["budget"]) : undefined;
    if (budget) io.out(`  ${budget}`);
    io.out(
      target.kind === "service"
        ? `  the service decides with it already; every other instance within about 2 s (kairos rollout status --url ${target.url} shows its generation)`
        : "  every instance of the service decides with it within about 2 s",
    );
    return EXIT.ok;
  },
};
