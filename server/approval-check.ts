// What `kairos check` and `kairos approve` know about a policy set's DPO approvals
// (docs/approvals.md): each checked journey as approvals see it (its content hash, its PII), how
// each stands against the policy set's approval records, and the diagnostics `kairos check`
// prints — `approval/required` (info) at each journey that `kairos serve` would leave inactive,
// with the exact `kairos approve` command; `approval/refused` (warning) at each record that is
// not accepted; `approval/bad-approvers` (error) when approvers.yaml is broken — and signing an
// approval of journeys as they are now (`kairos approve`, the demo).
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import {
  APPROVAL_FORMAT,
  approvalStatus,
  catalogHash,
  needText,
  piiOfBundle,
  type ApprovalRecord,
  type ApprovalSubject,
  type JourneyApproval,
} from "../core/approval.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import { SourceFile, type SourceSet, type Span } from "../core/source.ts";
import { journeyContentHash } from "../compiler/artifact/content-hash.ts";
import type { CheckedProgram } from "../compiler/checker/checked.ts";
import {
  APPROVALS_DIR,
  APPROVERS_FILE,
  ApprovalError,
  publicKeyOfPrivate,
  readApprovals,
  readApprovers,
  signApproval,
  writeApproval,
  type ApprovalsRead,
} from "./approvals.ts";

/** Each checked journey as approvals see it, sorted by id. */
export function subjectsOfProgram(program: CheckedProgram): ApprovalSubject[] {
  return program.journeys
    .map((j) => ({ id: j.id, purpose: j.purpose.name, risk: j.risk, content: journeyContentHash(j, program), pii: piiOfBundle(j.fields, program.catalog) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** How the journeys of a checked program stand against the approvals in `home`. */
export interface ProgramApprovals {
  readonly subjects: readonly ApprovalSubject[];
  readonly catalog: string;
  readonly status: ReadonlyMap<string, JourneyApproval>;
  readonly read: ApprovalsRead;
}

/** Reads the approvals of `home` and rates every journey of `program`. Throws ApprovalError on a broken approvers.yaml. */
export function programApprovals(program: CheckedProgram, home: string): ProgramApprovals {
  const read = readApprovals(home);
  const subjects = subjectsOfProgram(program);
  const catalog = catalogHash(program.catalog);
  return { subjects, catalog, status: approvalStatus(subjects, catalog, read.trusted), read };
}

/** The command that approves `journey` of the policy set `dir` (as the user typed it). */
export function approveCommand(dir: string, journey: string): string {
  return `kairos approve ${dir} --journey ${journey} --approver NAME --key FILE`;
}

/** A file of the policy set added to `sources` under the name diagnostics use (`<dir name>/<path>`), and a span at its start. */
function fileSpan(dir: string, path: string, sources: SourceSet): Span {
  const name = `${basename(resolve(dir))}/${relative(dir, path).split("\\").join("/")}`;
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // unreadable: the diagnostic says why; the frame stays empty
  }
  sources.add(new SourceFile(name, text));
  const firstLine = text.indexOf("\n");
  return { file: name, start: 0, end: firstLine < 0 ? text.length : firstLine };
}

/**
 * The approval diagnostics of a checked policy set in `dir` (its approvals are its own). Files
 * they point at that are not journeys (approval records, approvers.yaml) are added to `sources`.
 */
export function approvalDiagnostics(dir: string, program: CheckedProgram, sources: SourceSet): Diagnostic[] {
  let pa: ProgramApprovals;
  try {
    pa = programApprovals(program, dir);
  } catch (e) {
    if (!(e instanceof ApprovalError)) throw e;
    // A broken trust list (or an unreadable approvals folder) is an error: nothing could be approved.
    const where = e.code === "approvals/unreadable" && !e.message.includes(APPROVERS_FILE) ? join(dir, APPROVALS_DIR) : join(dir, APPROVERS_FILE);
    return [{ code: "approval/bad-approvers", severity: "error", message: e.message, span: fileSpan(dir, where, sources), hint: e.hint }];
  }
  const out: Diagnostic[] = [];
  for (const r of pa.read.refused) {
    out.push({
      code: "approval/refused",
      severity: "warning",
      message: `the approval in \`${basename(r.file)}\` is not accepted: ${r.problem}`,
      span: fileSpan(dir, r.file, sources),
      hint: "remove the file, or have the approver approve again with `kairos approve`; a refused approval activates nothing",
    });
  }
  const byId = new Map(program.journeys.map((j) => [j.id, j]));
  for (const s of pa.subjects) {
    const state = pa.status.get(s.id);
    if (state?.status !== "unapproved") continue;
    const j = byId.get(s.id)!;
    out.push({
      code: "approval/required",
      severity: "info",
      message: `journey \`${s.id}\` needs a DPO approval before \`kairos serve\` activates it: ${needText(s)}; ${state.why}`,
      span: j.decl.name.span,
      hint: `approve it: \`${approveCommand(dir, s.id)}\` (docs/approvals.md)`,
    });
  }
  return out;
}

/** What approving journeys of a checked program needs. */
export interface ApproveOptions {
  /** Where approvers.yaml is and approvals/ goes (the policy set, or `--approvals DIR`). */
  readonly home: string;
  readonly journeys: readonly string[];
  readonly approver: string;
  readonly privateKey: KeyObject;
  /** ISO 8601 UTC, seconds; default now. */
  readonly date?: string;
}

/**
 * Signs an approval of `journeys` as they are in `program` (their content hashes, PII fields and
 * the catalog hash) and writes it to `<home>/approvals/`. Throws ApprovalError when the key is not
 * a trusted approver's under `approver` in approvers.yaml (the record would be refused).
 */
export function approveProgram(program: CheckedProgram, o: ApproveOptions): { readonly record: ApprovalRecord; readonly file: string } {
  const approvers = readApprovers(o.home);
  const key = publicKeyOfPrivate(o.privateKey);
  const listed = approvers.find((a) => a.key === key);
  const entry = `  - { name: ${JSON.stringify(o.approver)}, key: "${key}" }`;
  if (!listed)
    throw new ApprovalError(
      "approvals/untrusted-key",
      `the key is not in \`${join(o.home, APPROVERS_FILE)}\`, so an approval signed with it would be refused`,
      `add it under \`approvers:\` (reviewed like any change to the policies), then approve again:\n${entry}`,
    );
  if (listed.name !== o.approver)
    throw new ApprovalError(
      "approvals/wrong-approver",
      `the key is \`${listed.name}\`'s in \`${join(o.home, APPROVERS_FILE)}\`, not \`${o.approver}\`'s`,
      `give \`--approver ${JSON.stringify(listed.name)}\`, or the key of ${o.approver}`,
    );
  const subjects = new Map(subjectsOfProgram(program).map((s) => [s.id, s]));
  const scope = [...new Set(o.journeys)].sort().map((id) => {
    const s = subjects.get(id);
    if (!s) throw new ApprovalError("approvals/no-journey", `the policy set has no journey \`${id}\``, "give the id of a journey (`journey ID { … }`)");
    return { journey: s.id, purpose: s.purpose, risk: s.risk, content: s.content!, pii: s.pii };
  });
  const date = o.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const record = signApproval({ format: APPROVAL_FORMAT, approver: o.approver, date, catalog: catalogHash(program.catalog), scope }, o.privateKey);
  return { record, file: writeApproval(o.home, record) };
}
