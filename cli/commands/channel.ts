// `kairos channel status [NAME]|disable NAME|enable NAME (--store URL|DATA_DIR | --url URL --token T)`:
// the kill switch of a channel (docs/kill-switch.md). Turning `sms` off suppresses every journey
// whose action sends an SMS — on every instance within about two seconds, wake-ups too — with the
// reason `kill_switch` naming who turned it off and why, until a person turns it on again. Straight
// on the store, or through a running service's API (`GET /v1/channels`, `POST /v1/channels/{name}/…`).
import type { KillSwitch } from "../../server/store/types.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, type Io, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { againOf, callService, setSwitch, type Target, targetOf, withStore } from "../switch-target.ts";
import { switchLine } from "./journey.ts";

const HELP = helpOf("channel");

const ACTIONS = ["status", "disable", "enable"] as const;
type Action = (typeof ACTIONS)[number];

/** A channel as `GET /v1/channels` lists it. */
interface ServiceChannel {
  readonly channel: string;
  readonly state: string;
  readonly journeys: readonly string[];
  readonly in_artifact?: boolean;
  readonly since?: string;
  readonly by?: string;
  readonly reason?: string;
}

function serviceLine(c: ServiceChannel): string {
  const journeys = c.journeys.length > 0 ? `journeys ${c.journeys.join(", ")}` : "no journey of the running artifact";
  const head =
    c.state === "disabled"
      ? `OFF since ${c.since} by ${c.by}: ${c.reason} (${journeys} suppressed)`
      : `on (${journeys}${c.since ? `; turned on again ${c.since} by ${c.by}` : ""})`;
  return `${c.channel}${c.in_artifact === false ? " (not in the running artifact)" : ""}: ${head}`;
}

async function status(target: Target, name: string | undefined, format: string, io: Io): Promise<number> {
  if (target.kind === "service") {
    const body = (await callService(target, "GET", "/v1/channels")) as { channels?: ServiceChannel[] };
    const channels = (body.channels ?? []).filter((c) => name === undefined || c.channel === name);
    if (name !== undefined && channels.length === 0) {
      throw new CliError(`no channel \`${name}\` at ${target.url}: no action of the running artifact uses it, and it was never turned off`, {
        hint: `list the channels: kairos channel status ${againOf(target)}`,
      });
    }
    if (format === "json") io.out(jsonOut({ where: target.url, channels }));
    else {
      const off = channels.filter((c) => c.state === "disabled").length;
      if (name === undefined) io.out(`${channels.length} channel(s) at ${target.url}, ${off} turned off`);
      for (const c of channels) io.out(`  ${serviceLine(c)}`);
    }
    return EXIT.ok;
  }
  const [location, switches, history] = await withStore(target, false, async (store) => {
    const all = (await store.killSwitches()).filter((k) => k.kind === "channel" && (name === undefined || k.name === name));
    const h = name === undefined ? [] : await store.killSwitchHistory("channel", name);
    return [store.location, all, h] as const;
  });
  if (format === "json") {
    io.out(jsonOut({ where: location, channels: switches, ...(name === undefined ? {} : { history }) }));
    return EXIT.ok;
  }
  if (switches.length === 0) {
    io.out(
      name === undefined
        ? `no channel was ever turned off in ${location}: every channel is on`
        : `channel \`${name}\` was never turned off in ${location}: it is on`,
    );
    return EXIT.ok;
  }
  const sorted = [...switches].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const off = sorted.filter((k) => k.state === "disabled").length;
  if (name === undefined) io.out(`${off} of the ${sorted.length} channel(s) ever turned off in ${location} ${off === 1 ? "is" : "are"} off now`);
  for (const k of sorted) io.out(`  ${switchLine(k, "--store …")}`);
  if (history.length > 0) {
    io.out("  history:");
    for (const h of history) io.out(`    ${h.since}  ${h.state === "disabled" ? "off" : "on "}  by ${h.by}: ${h.reason}`);
  }
  return EXIT.ok;
}

async function turn(name: string, target: Target, state: KillSwitch["state"], by: string, reason: string, format: string, io: Io): Promise<number> {
  const { where, shown } = await setSwitch(target, "channel", name, { state, by, reason }, "see the channels: kairos channel status");
  if (format === "json") io.out(jsonOut({ where, ...(shown as Record<string, unknown>) }));
  else if (state === "disabled") {
    const journeys = (shown as { journeys?: readonly string[] }).journeys;
    const which =
      journeys === undefined ? "every journey acting on it" : journeys.length > 0 ? `its journeys (${journeys.join(", ")})` : "any journey acting on it";
    io.out(
      `turned channel \`${name}\` off in ${where}: every instance of the service suppresses ${which} (reason \`kill_switch\`) within about two ` +
        `seconds, wake-ups too; turn it on again with: kairos channel enable ${name} ${againOf(target)} --by NAME --reason TEXT`,
    );
  } else {
    io.out(`turned channel \`${name}\` on again in ${where}: its journeys act again on every instance within about two seconds`);
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
      reason: { type: "string" },
      format: { type: "string" },
    });
    const [first, ...rest] = positionals;
    if (!(ACTIONS as readonly string[]).includes(first ?? "")) {
      const what = first === undefined ? "say what to do" : `unknown action \`${first}\``;
      throw new UsageError(`${what}: use \`status [NAME]\`, \`disable NAME\` or \`enable NAME\``);
    }
    const action = first as Action;
    const target = targetOf(values, action === "status" ? "audit:read" : "admin");
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    if (rest.length > 1) throw new UsageError(`give one channel (got \`${rest.join(" ")}\`)`);
    const name = rest[0];
    if (name !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`\`${name}\` is not a channel name: names are letters, digits and \`_\`, as the catalog's actions write them (\`email\`, \`sms\`)`);
    }
    if (action === "status") {
      if (values["by"] !== undefined || values["reason"] !== undefined) throw new UsageError("`status` changes nothing: it takes no `--by` or `--reason`");
      return status(target, name, format, io);
    }
    if (name === undefined) throw new UsageError(`missing the channel to turn ${action === "disable" ? "off" : "on again"}`);
    const by = values["by"];
    if (typeof by !== "string" || by.trim() === "") throw new UsageError("say who does it: `--by NAME` (recorded in the channel's history)");
    const reason = values["reason"];
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new UsageError("say why: `--reason TEXT` (recorded, and shown in every candidate the switch suppresses)");
    }
    return turn(name, target, action === "disable" ? "disabled" : "enabled", by, reason, format, io);
  },
};
