// `kairos journey status|resume|disable|enable (--store URL|DATA_DIR | --url URL --token T)`: which
// journeys are stopped — by their stop-loss (docs/value.md#stop-loss) or turned off by a person's
// kill switch (docs/kill-switch.md) — since when, by whom, why; the resume a person gives a journey
// its stop-loss stopped; and the kill switch that turns a journey off on every instance and on
// again. Straight on the store, like `kairos subject` (every instance reads the change within about
// a second), or through a running service's API (`GET /v1/journeys`, `POST /v1/journeys/{id}/…`):
// the way in while an embedded store is held by `kairos serve`.
import type { JourneyControl, KillSwitch } from "../../server/store/types.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, type Io, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { againOf, callService, setSwitch, type Target, targetOf, whereOf, withStore } from "../switch-target.ts";

const HELP = helpOf("journey");

const ACTIONS = ["status", "resume", "disable", "enable"] as const;
type Action = (typeof ACTIONS)[number];

function controlLine(c: JourneyControl): string {
  return c.state === "stopped"
    ? `${c.journey}: STOPPED since ${c.since} by ${c.by}: ${c.reason}\n    resume it: kairos journey resume ${c.journey} --store … --by NAME`
    : `${c.journey}: running (resumed ${c.since} by ${c.by}${c.reason ? `: ${c.reason}` : ""})`;
}

/** One kill switch, as `status` prints it (shared with `kairos channel status`). */
export function switchLine(k: KillSwitch, where: string): string {
  return k.state === "disabled"
    ? `${k.kind} ${k.name}: OFF since ${k.since} by ${k.by}: ${k.reason}\n` +
        `    turn it on again: kairos ${k.kind} enable ${k.name} ${where} --by NAME --reason TEXT`
    : `${k.kind} ${k.name}: on (turned on again ${k.since} by ${k.by}: ${k.reason})`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function statusOfStore(target: Target & { kind: "store" }, format: string, io: Io): Promise<number> {
  const [location, controls, switches] = await withStore(target, false, async (store) => {
    // A store an older Kairos made has no kill switch table yet (a status only reads: it does not migrate): none was ever turned.
    const predates = (e: unknown): readonly KillSwitch[] => {
      if (e instanceof Error && e.name === "StoreError" && (e as Error & { code?: string }).code === "store/migration") return [];
      throw e;
    };
    const [c, k] = await Promise.all([store.journeyControls(), store.killSwitches().catch(predates)]);
    // Journeys' switches first, then channels', each by name.
    const order = (x: KillSwitch): string => `${x.kind === "journey" ? 0 : 1}:${x.name}`;
    return [store.location, c, [...k].sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0))] as const;
  });
  if (format === "json") {
    io.out(jsonOut({ where: location, journeys: controls, kill_switches: switches }));
    return EXIT.ok;
  }
  if (controls.length === 0) io.out(`no stop-loss ever stopped a journey in ${location}`);
  else {
    const stopped = controls.filter((c) => c.state === "stopped").length;
    io.out(`${stopped} of the ${controls.length} journey(s) a stop-loss ever stopped in ${location} ${stopped === 1 ? "is" : "are"} stopped now`);
    for (const c of controls) io.out(`  ${controlLine(c)}`);
  }
  if (switches.length === 0) io.out(`no kill switch was ever turned in ${location}: no journey or channel is turned off`);
  else {
    const off = switches.filter((k) => k.state === "disabled").length;
    io.out(`${off} of the ${plural(switches.length, "kill switch", "kill switches")} ever turned in ${location} ${off === 1 ? "is" : "are"} off now`);
    for (const k of switches) io.out(`  ${switchLine(k, "--store …")}`);
  }
  return EXIT.ok;
}

/** A journey as `GET /v1/journeys` lists it. */
interface ServiceJourney {
  readonly journey: string;
  readonly state: string;
  readonly in_artifact?: boolean;
  readonly since?: string;
  readonly by?: string;
  readonly reason?: string;
  readonly kill_switch?: KillSwitch;
}

function serviceLine(j: ServiceJourney): string {
  const k = j.kill_switch;
  const name = `${j.journey}${j.in_artifact === false ? " (not in the running artifact)" : ""}`;
  const stopLoss = j.state === "stopped" ? `STOPPED by its stop-loss since ${j.since} (${j.by}): ${j.reason}` : undefined;
  if (k?.state === "disabled") {
    const what = k.kind === "channel" ? `its channel \`${k.name}\` is OFF` : "OFF";
    return `${name}: ${what} since ${k.since} by ${k.by}: ${k.reason}${stopLoss ? `; also ${stopLoss}` : ""}`;
  }
  return `${name}: ${stopLoss ?? "running"}`;
}

async function statusOfService(target: Target & { kind: "service" }, format: string, io: Io): Promise<number> {
  const body = (await callService(target, "GET", "/v1/journeys")) as { journeys?: ServiceJourney[] };
  const journeys = body.journeys ?? [];
  if (format === "json") {
    io.out(jsonOut({ where: target.url, journeys }));
    return EXIT.ok;
  }
  const off = journeys.filter((j) => j.kill_switch?.state === "disabled").length;
  const stopped = journeys.filter((j) => j.state === "stopped").length;
  io.out(`${plural(journeys.length, "journey", "journeys")} at ${target.url}: ${off} turned off by a kill switch, ${stopped} stopped by a stop-loss`);
  for (const j of journeys) io.out(`  ${serviceLine(j)}`);
  return EXIT.ok;
}

async function resume(journey: string, target: Target, by: string, note: string | undefined, format: string, io: Io): Promise<number> {
  let control: JourneyControl | Record<string, unknown>;
  let where = whereOf(target);
  if (target.kind === "service") {
    control = (await callService(target, "POST", `/v1/journeys/${encodeURIComponent(journey)}/resume`, {
      by,
      ...(note === undefined ? {} : { note }),
    })) as Record<string, unknown>;
  } else {
    const { resumeJourney, ResumeError } = await import("../../server/value/controls.ts");
    [where, control] = await withStore(target, true, async (store) => {
      try {
        return [store.location, await resumeJourney(store, { journey, by, ...(note === undefined ? {} : { note }) })] as const;
      } catch (e) {
        if (e instanceof ResumeError) {
          throw new CliError(e.message, { exit: EXIT.failed, hint: `see which journeys are stopped: kairos journey status ${againOf(target)}` });
        }
        throw e;
      }
    });
  }
  if (format === "json") io.out(jsonOut({ where, ...control }));
  else {
    io.out(
      `resumed \`${journey}\` in ${where}: it acts again (every instance of the service within about a second); ` +
        "its stop-loss now counts only subjects exposed from here on",
    );
  }
  return EXIT.ok;
}

/** `disable` and `enable`: the journey's kill switch. */
async function turn(journey: string, target: Target, state: KillSwitch["state"], by: string, reason: string, format: string, io: Io): Promise<number> {
  const { where, shown } = await setSwitch(target, "journey", journey, { state, by, reason }, "see the journeys' switches: kairos journey status");
  if (format === "json") io.out(jsonOut({ where, ...(shown as Record<string, unknown>) }));
  else if (state === "disabled") {
    io.out(
      `turned \`${journey}\` off in ${where}: every instance of the service suppresses its candidates (reason \`kill_switch\`) within about two ` +
        `seconds, wake-ups too; turn it on again with: kairos journey enable ${journey} ${againOf(target)} --by NAME --reason TEXT`,
    );
  } else {
    io.out(
      `turned \`${journey}\` on again in ${where}: it acts again on every instance within about two seconds ` +
        "(unless its channel is off or its stop-loss stopped it)",
    );
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
      by: { type: "string" },
      note: { type: "string" },
      reason: { type: "string" },
      format: { type: "string" },
    });
    const [first, ...rest] = positionals;
    if (!(ACTIONS as readonly string[]).includes(first ?? "")) {
      const what = first === undefined ? "say what to do" : `unknown action \`${first}\``;
      throw new UsageError(`${what}: use \`status\`, \`resume JOURNEY\`, \`disable JOURNEY\` or \`enable JOURNEY\``);
    }
    const action = first as Action;
    const target = targetOf(values, action === "status" ? "audit:read" : "admin");
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    if (action === "status") {
      if (rest.length > 0) throw new UsageError("`kairos journey status` takes no journey; it lists them all");
      return target.kind === "store" ? statusOfStore(target, format, io) : statusOfService(target, format, io);
    }
    const doing = action === "resume" ? "resume" : action === "disable" ? "turn off" : "turn on again";
    if (rest.length !== 1) throw new UsageError(rest.length === 0 ? `missing the journey to ${doing}` : `give exactly one journey to ${doing}`);
    const journey = rest[0]!;
    const by = values["by"];
    if (typeof by !== "string" || by.trim() === "") throw new UsageError(`say who does it: \`--by NAME\` (recorded in the journey's history)`);
    if (action === "resume") {
      if (values["reason"] !== undefined) throw new UsageError("`resume` takes `--note TEXT`, not `--reason`");
      const note = values["note"];
      return resume(journey, target, by, typeof note === "string" ? note : undefined, format, io);
    }
    if (values["note"] !== undefined) throw new UsageError(`\`${action}\` takes \`--reason TEXT\`, not \`--note\``);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(journey)) {
      throw new UsageError(`\`${journey}\` is not a journey id: ids are letters, digits and \`_\`, as the policy set writes them (\`referral_invite\`)`);
    }
    const reason = values["reason"];
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new UsageError(`say why: \`--reason TEXT\` (recorded, and shown in every candidate the switch suppresses)`);
    }
    return turn(journey, target, action === "disable" ? "disabled" : "enabled", by, reason, format, io);
  },
};
