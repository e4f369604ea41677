// Where `kairos journey` and `kairos channel` act: straight on the service's store (`--store
// URL|DATA_DIR`, like `kairos subject`: every instance reads the change within about a second) or
// through a running service's API (`--url URL --token T`: the way in while an embedded store is held
// by `kairos serve`, and the one that checks the name against the versions the service runs). Every
// HTTP call has a deadline; the service's JSON errors become CLI errors with its message and hint.
import type { KillSwitch, ServiceStore } from "../server/store/types.ts";
import { CliError, EXIT, UsageError } from "./io.ts";

/** How long the service gets to answer one call. */
export const SERVICE_DEADLINE_MS = 15_000;

/** The store, or the service. */
export type Target =
  | { readonly kind: "store"; readonly store: string; readonly dataDir?: string }
  | { readonly kind: "service"; readonly url: string; readonly token: string };

/**
 * The target the options name: `--store` (with `--data-dir`), or `--url` with `--token` (default:
 * the KAIROS_TOKEN environment variable). `scope`: the token scope the action needs, for the message.
 */
export function targetOf(values: Readonly<Record<string, unknown>>, scope: string): Target {
  const store = values["store"];
  const url = values["url"];
  if (typeof store === "string" && typeof url === "string") {
    throw new UsageError("give either `--store URL|DATA_DIR` (the store) or `--url URL` (a running service), not both");
  }
  if (typeof url === "string") {
    if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`\`--url ${url}\` is not an http:// or https:// URL`);
    const token = (values["token"] as string | undefined) ?? process.env["KAIROS_TOKEN"];
    if (token === undefined || token === "") throw new UsageError(`\`--url\` needs \`--token TOKEN\` (or KAIROS_TOKEN): a token with the \`${scope}\` scope`);
    return { kind: "service", url: url.replace(/\/+$/, ""), token };
  }
  if (typeof store !== "string" || store === "") {
    throw new UsageError(
      "say where the service's state is: `--store URL|DATA_DIR` (postgres://…, sqlite:PATH, or the data directory) or `--url URL` (a running service)",
    );
  }
  if (values["token"] !== undefined) throw new UsageError("`--token` goes with `--url`; a store is opened with its own keys");
  const dataDir = values["data-dir"];
  return { kind: "store", store, ...(typeof dataDir === "string" ? { dataDir } : {}) };
}

/** A StoreError (by name: its module loads lazily) as a CLI error: what, where, and the fix. */
export function storeFailure(e: unknown): unknown {
  if (e instanceof Error && e.name === "StoreError") {
    const { code, hint } = e as Error & { code?: string; hint?: string };
    const usage = code === "store/bad-location" || code === "store/keys";
    return new CliError(e.message, { exit: usage ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
  }
  return e;
}

/** Opens the target's store (migrated first when writing). */
export async function openTargetStore(target: Target & { kind: "store" }, write: boolean): Promise<ServiceStore> {
  const { openStoreAt } = await import("../server/store/location.ts");
  try {
    return await openStoreAt(target.store, target.dataDir, write ? { readOnly: false, migrate: true } : {});
  } catch (e) {
    throw storeFailure(e);
  }
}

/** Runs `use` on the target's store and closes it; store failures become CLI errors. */
export async function withStore<T>(target: Target & { kind: "store" }, write: boolean, use: (store: ServiceStore) => Promise<T>): Promise<T> {
  const store = await openTargetStore(target, write);
  try {
    return await use(store);
  } catch (e) {
    throw storeFailure(e);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** The service's error body. */
interface ServiceErrorBody {
  readonly code?: string;
  readonly message?: string;
  readonly hint?: string;
  readonly problems?: readonly { readonly path: string; readonly message: string }[];
}

/**
 * One call to the service (JSON in, JSON out) under the deadline. A refusal becomes a CliError
 * with the service's message and hint (exit 1); a service that cannot be reached says so.
 */
export async function callService(target: Target & { kind: "service" }, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(target.url + path, {
      method,
      headers: { authorization: `Bearer ${target.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(SERVICE_DEADLINE_MS),
    });
  } catch (e) {
    const why = e instanceof Error && e.name === "TimeoutError" ? `no answer within ${SERVICE_DEADLINE_MS / 1000} s` : (e as Error).message;
    throw new CliError(`cannot reach the service at ${target.url}: ${why}`, {
      hint: "check `--url` and that `kairos serve` runs; nothing was changed by this call",
    });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.ok && json !== undefined) return json;
  const error = (json as { error?: ServiceErrorBody } | undefined)?.error;
  const problems = error?.problems?.length ? ` (${error.problems.map((p) => `${p.path}: ${p.message}`).join("; ")})` : "";
  const message = error?.message ? `${error.message}${problems}` : `the service at ${target.url} answered ${res.status} to ${method} ${path}`;
  const hint =
    res.status === 401 || res.status === 403
      ? "give `--token` a token with the scope this needs (`admin` for a change, `audit:read` to read)"
      : (error?.hint ?? "see the service's error log");
  throw new CliError(message, { exit: EXIT.failed, hint });
}

/** How the target is given again in a hint (`--store …`, `--url …`). */
export function againOf(target: Target): string {
  return target.kind === "store" ? `--store ${target.store}` : `--url ${target.url}`;
}

/**
 * Turns a journey's or a channel's kill switch to `state`: through the service
 * (`POST /v1/{journeys|channels}/NAME/{disable|enable}`) or straight on the store (checking first
 * that the versions in force have the name, when turning it off). `statusCommand` names the command
 * that shows the switches, for the hint of a refusal. Returns where it was done and what was set.
 */
export async function setSwitch(
  target: Target,
  kind: KillSwitch["kind"],
  name: string,
  change: { readonly state: KillSwitch["state"]; readonly by: string; readonly reason: string },
  statusCommand: string,
): Promise<{ where: string; shown: unknown }> {
  const { state, by, reason } = change;
  if (target.kind === "service") {
    const verb = state === "disabled" ? "disable" : "enable";
    const shown = await callService(target, "POST", `/v1/${kind}s/${encodeURIComponent(name)}/${verb}`, { by, reason });
    return { where: whereOf(target), shown };
  }
  const { KillSwitchError, setKillSwitchState } = await import("../server/value/kill-switches.ts");
  return withStore(target, true, async (store) => {
    try {
      if (state === "disabled") await checkInForce(store, kind, name);
      return { where: store.location, shown: await setKillSwitchState(store, { kind, name, state, by, reason }) };
    } catch (e) {
      if (e instanceof KillSwitchError) throw new CliError(e.message, { exit: EXIT.failed, hint: `${statusCommand} ${againOf(target)}` });
      throw e;
    }
  });
}

/** Where the target is, for messages. */
export function whereOf(target: Target, location?: string): string {
  return target.kind === "service" ? `the service at ${target.url}` : (location ?? target.store);
}

/**
 * Refuses to turn off, straight on the store, a journey or channel that the versions the service
 * runs (per the store's artifact registry) do not have: a typo must not look like a journey turned
 * off. Does nothing when the registry cannot tell (a store the service has not published to yet).
 */
export async function checkInForce(store: ServiceStore, kind: KillSwitch["kind"], name: string): Promise<void> {
  const { namesInForce } = await import("../server/value/kill-switches.ts");
  const known = await namesInForce(store, kind);
  if (known === undefined || known.names.has(name)) return;
  const versions = known.versions.map((h) => h.replace(/^sha256:/, "").slice(0, 12)).join(" and ");
  const them = [...known.names].sort().join(", ");
  throw new CliError(`no ${kind} \`${name}\` in the version${known.versions.length === 1 ? "" : "s"} the service runs (${versions}): nothing was turned off`, {
    hint: `check the spelling; its ${kind === "journey" ? "journeys" : "channels"} are: ${them || "none"}`,
  });
}
