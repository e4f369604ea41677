// `kairos subject erase|export SUBJECT (--log FILE | --store URL|DATA_DIR)`: a data subject's
// rights on the decision log — erasure (GDPR Art. 17: destroy the subject's per-subject key, so
// their entries stay in the chain and verify but can no longer be linked or unsealed; in a store,
// delete their rows too, in one transaction) and the access export (Art. 15: every decision about
// them with its customer sentence, and the consents and objections on record). Docs:
// docs/decision-log.md#erasure-and-access, docs/store.md#erasure-and-access.
import { writeFileSync } from "node:fs";
import { eraseSubjectInLog, exportSubjectFromLog, LogError, type SubjectDecision, type SubjectExport } from "../../runtime/log/index.ts";
import type { ServiceStore, StoreErasure } from "../../server/store/types.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("subject");

/** Where the subject's data is: a file log or a store. */
type Target = { readonly log: string } | { readonly store: string; readonly dataDir?: string };

function targetOf(values: Record<string, unknown>): Target {
  const log = values["log"];
  const store = values["store"];
  if (log !== undefined && store !== undefined) throw new UsageError("give either `--log FILE` or `--store URL|DATA_DIR`, not both");
  if (typeof log === "string" && log !== "") return { log };
  if (typeof store === "string" && store !== "") {
    const dataDir = values["data-dir"];
    return { store, ...(typeof dataDir === "string" ? { dataDir } : {}) };
  }
  throw new UsageError("say where the subject's data is: `--log FILE` (a decision log) or `--store URL|DATA_DIR` (the service's store)");
}

function logFailure(e: unknown): unknown {
  if (e instanceof LogError) {
    const usage = e.code === "log/no-key" || e.code === "log/weak-key" || e.code === "log/key-permissions" || e.code === "log/not-a-log";
    return new CliError(e.message, { exit: usage ? EXIT.usage : EXIT.failed, ...(e.hint ? { hint: e.hint } : {}) });
  }
  return e;
}

function storeFailure(e: unknown): unknown {
  // A StoreError (by name: its module is loaded lazily): what, where, and the fix.
  if (e instanceof Error && e.name === "StoreError") {
    const { code, hint } = e as Error & { code?: string; hint?: string };
    const usage = code === "store/bad-location" || code === "store/keys";
    return new CliError(e.message, { exit: usage ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
  }
  return logFailure(e);
}

/** Opens the store to write (erasure) or read (export); the serving process must not hold an embedded one. */
async function openTarget(target: { store: string; dataDir?: string }, write: boolean): Promise<ServiceStore> {
  const { openStoreAt } = await import("../../server/store/location.ts");
  try {
    return await openStoreAt(target.store, target.dataDir, write ? { readOnly: false, migrate: true } : {});
  } catch (e) {
    throw storeFailure(e);
  }
}

async function erase(subject: string, target: Target, format: string, io: Io): Promise<number> {
  let result: StoreErasure | (Omit<StoreErasure, "decisions" | "consents" | "objections" | "history" | "wakeups" | "reviews"> & Partial<StoreErasure>);
  let where: string;
  if ("log" in target) {
    where = target.log;
    try {
      result = eraseSubjectInLog(target.log, subject);
    } catch (e) {
      throw logFailure(e);
    }
  } else {
    const store = await openTarget(target, true);
    where = store.location;
    try {
      result = await store.eraseSubject(subject);
    } catch (e) {
      throw storeFailure(e);
    } finally {
      await store.close();
    }
  }
  if (format === "json") io.out(jsonOut({ subject, where, ...result }));
  else {
    const rows = (["decisions", "consents", "objections", "history", "wakeups", "reviews", "assignments", "outcomes"] as const)
      .filter((k) => result[k] !== undefined)
      .map((k) => `${result[k]} ${k}`);
    io.out(
      result.key_destroyed
        ? `erased \`${subject}\` from ${where}: key ${result.subject_key} destroyed; ${result.entries} log entries can no longer be linked to them or unsealed`
        : `nothing to erase for \`${subject}\` in ${where}: no per-subject key (never logged, or already erased)`,
    );
    if (rows.length > 0) io.out(`rows: ${rows.join(", ")}`);
  }
  if (result.not_erasable > 0) {
    io.err(
      `kairos subject: ${result.not_erasable} log entries about \`${subject}\` were made under the log key alone (before per-subject keys) and cannot be erased one person at a time\n` +
        "help: they stay linkable by whoever holds the log key; to erase them, retire that key (every subject of those entries) — see docs/decision-log.md#erasure-and-access",
    );
    return EXIT.failed;
  }
  return EXIT.ok;
}

async function exportOf(
  subject: string,
  target: Target,
): Promise<SubjectExport & { where: string; assignments?: readonly unknown[]; outcomes?: readonly unknown[] }> {
  if ("log" in target) {
    try {
      return { ...exportSubjectFromLog(target.log, subject), where: target.log };
    } catch (e) {
      throw logFailure(e);
    }
  }
  const store = await openTarget(target, false);
  try {
    const decisions: SubjectDecision[] = [];
    let after: string | undefined;
    do {
      const page = await store.subjectDecisions(subject, { limit: 500, ...(after === undefined ? {} : { after }) });
      decisions.push(...page.decisions);
      after = page.next;
    } while (after !== undefined);
    const { consents, objections } = await store.consents(subject);
    const { assignments, outcomes } = await store.subjectValue(subject);
    return { subject, decisions, consents, objections, assignments, outcomes, where: store.location };
  } catch (e) {
    throw storeFailure(e);
  } finally {
    await store.close();
  }
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The export as a Markdown document for the person who asked. */
export function exportMarkdown(x: SubjectExport & { where: string; outcomes?: readonly unknown[] }): string {
  const out = [`# Decisions about \`${x.subject}\``, "", `From ${x.where}: ${x.decisions.length} decision${x.decisions.length === 1 ? "" : "s"}.`, ""];
  if (x.decisions.length > 0) {
    out.push("| when | outcome | journey | action | why |", "|---|---|---|---|---|");
    for (const d of x.decisions) {
      const action = d.action ? `${d.action.name} (${d.action.channel})` : "";
      out.push(`| ${cell(d.at)} | ${d.outcome} | ${cell(d.journey ?? "")} | ${cell(action)} | ${cell(d.customer)} |`);
    }
    out.push("");
  }
  for (const [title, list] of [
    ["Consents on record", x.consents],
    ["Objections on record", x.objections],
    ...(x.outcomes ? ([["Outcomes reported", x.outcomes]] as const) : []),
  ] as const) {
    out.push(`## ${title}`, "");
    if (list.length === 0) out.push("None.", "");
    else out.push(...list.map((r) => `- \`${JSON.stringify(r)}\``), "");
  }
  if (x.unreadable && x.unreadable.length > 0) out.push(`Entries whose sealed request did not open: ${x.unreadable.join(", ")}.`, "");
  return out.join("\n");
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      log: { type: "string" },
      store: { type: "string" },
      "data-dir": { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
    });
    const [sub, subject, ...rest] = positionals;
    if (sub !== "erase" && sub !== "export")
      throw new UsageError(sub === undefined ? "missing the subcommand: `erase` or `export`" : `unknown subcommand \`${sub}\`; use \`erase\` or \`export\``);
    if (subject === undefined || subject === "") throw new UsageError(`missing the SUBJECT to ${sub}`);
    if (rest.length > 0) throw new UsageError(`give one SUBJECT (got also \`${rest.join(" ")}\`)`);
    const target = targetOf(values);
    if (sub === "erase") {
      const format = values["format"] ?? "text";
      if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
      if (values["out"] !== undefined) throw new UsageError("`--out` is for `export`");
      return erase(subject, target, format, io);
    }
    const format = values["format"] ?? "json";
    if (format !== "json" && format !== "md") throw new UsageError(`unknown format \`${String(format)}\`; use \`json\` or \`md\``);
    const x = await exportOf(subject, target);
    const text = format === "md" ? exportMarkdown(x) : jsonOut(x);
    const out = values["out"];
    if (typeof out === "string") {
      try {
        writeFileSync(out, text.endsWith("\n") ? text : `${text}\n`, { mode: 0o600 });
      } catch (e) {
        throw new CliError(`cannot write ${out}: ${(e as Error).message}`, { hint: "give a path you can write" });
      }
      io.err(`kairos subject: ${x.decisions.length} decisions about \`${subject}\` written to ${out}`);
    } else io.out(text);
    return EXIT.ok;
  },
};
