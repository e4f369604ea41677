// `kairos journey status|resume (--store URL|DATA_DIR)`: which journeys the service's stop-loss
// stopped — since when, by what, why — and the resume a person gives a stopped journey to let it act
// again (docs/value.md#stop-loss). Straight on the store, like `kairos subject`: every instance of
// the service reads the change within about a second. A running service's own API does the same
// (`GET /v1/journeys`, `POST /v1/journeys/{id}/resume`), and is the way in while an embedded
// store is held by `kairos serve`.
import type { JourneyControl, ServiceStore } from "../../server/store/types.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("journey");

interface Target {
  readonly store: string;
  readonly dataDir?: string;
}

function storeFailure(e: unknown): unknown {
  // A StoreError (by name: its module is loaded lazily): what, where, and the fix.
  if (e instanceof Error && e.name === "StoreError") {
    const { code, hint } = e as Error & { code?: string; hint?: string };
    const usage = code === "store/bad-location" || code === "store/keys";
    return new CliError(e.message, { exit: usage ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
  }
  return e;
}

async function openTarget(target: Target, write: boolean): Promise<ServiceStore> {
  const { openStoreAt } = await import("../../server/store/location.ts");
  try {
    return await openStoreAt(target.store, target.dataDir, write ? { readOnly: false, migrate: true } : {});
  } catch (e) {
    throw storeFailure(e);
  }
}

function line(c: JourneyControl): string {
  return c.state === "stopped"
    ? `${c.journey}: STOPPED since ${c.since} by ${c.by}: ${c.reason}\n    resume it: kairos journey resume ${c.journey} --store … --by NAME`
    : `${c.journey}: running (resumed ${c.since} by ${c.by}${c.reason ? `: ${c.reason}` : ""})`;
}

async function status(target: Target, format: string, io: Io): Promise<number> {
  const store = await openTarget(target, false);
  let controls: readonly JourneyControl[];
  try {
    controls = await store.journeyControls();
  } catch (e) {
    throw storeFailure(e);
  } finally {
    await store.close();
  }
  const stopped = controls.filter((c) => c.state === "stopped");
  if (format === "json") {
    io.out(jsonOut({ where: store.location, journeys: controls }));
    return EXIT.ok;
  }
  if (controls.length === 0) {
    io.out(`no journey was ever stopped in ${store.location}: every journey runs`);
    return EXIT.ok;
  }
  const verb = stopped.length === 1 ? "is" : "are";
  io.out(`${stopped.length} of the ${controls.length} journey(s) a stop-loss ever stopped in ${store.location} ${verb} stopped now`);
  for (const c of controls) io.out(`  ${line(c)}`);
  return EXIT.ok;
}

async function resume(journey: string, target: Target, by: string, note: string | undefined, format: string, io: Io): Promise<number> {
  const { resumeJourney, ResumeError } = await import("../../server/value/controls.ts");
  const store = await openTarget(target, true);
  let control: JourneyControl;
  try {
    control = await resumeJourney(store, { journey, by, ...(note === undefined ? {} : { note }) });
  } catch (e) {
    if (e instanceof ResumeError) {
      throw new CliError(e.message, { exit: EXIT.failed, hint: `see which journeys are stopped: kairos journey status --store ${target.store}` });
    }
    throw storeFailure(e);
  } finally {
    await store.close();
  }
  if (format === "json") io.out(jsonOut({ where: store.location, ...control }));
  else {
    io.out(
      `resumed \`${journey}\` in ${store.location}: it acts again (every instance of the service within about a second); ` +
        "its stop-loss now counts only subjects exposed from here on",
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
      by: { type: "string" },
      note: { type: "string" },
      format: { type: "string" },
    });
    const [action, ...rest] = positionals;
    if (action !== "status" && action !== "resume") {
      const what = action === undefined ? "say what to do" : `unknown action \`${action}\``;
      throw new UsageError(`${what}: use \`status\` or \`resume JOURNEY\``);
    }
    const store = values["store"];
    if (typeof store !== "string" || store === "") {
      throw new UsageError("say where the service's store is: `--store URL|DATA_DIR` (postgres://…, sqlite:PATH, or the data directory)");
    }
    const dataDir = values["data-dir"];
    const target: Target = { store, ...(typeof dataDir === "string" ? { dataDir } : {}) };
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    if (action === "status") {
      if (rest.length > 0) throw new UsageError("`kairos journey status` takes no journey; it lists them all");
      return status(target, format, io);
    }
    if (rest.length !== 1) throw new UsageError(rest.length === 0 ? "missing the journey to resume" : "give exactly one journey to resume");
    const by = values["by"];
    if (typeof by !== "string" || by.trim() === "") throw new UsageError("say who resumes it: `--by NAME` (recorded in the journey's history)");
    const note = values["note"];
    return resume(rest[0]!, target, by, typeof note === "string" ? note : undefined, format, io);
  },
};
