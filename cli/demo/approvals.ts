// The demo's DPO approval step (docs/approvals.md): the demo plays the DPO so that its service
// activates every journey, as a real deployment would after review. In `<out>/governance/` it
// keeps a demo approver key (made on the first run, reused after), lists that key as the only
// trusted approver in `approvers.yaml`, and signs an approval of the journeys that need one and
// have none — none on a later run over unchanged policies. The service is started with these
// approvals, so each decision of an approved journey names its approval in the log.
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ApprovalRecord } from "../../core/approval.ts";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { approveProgram, programApprovals } from "../../server/approval-check.ts";
import { APPROVERS_FILE, newApproverKey, publicKeyOfPrivate, readApproverKey } from "../../server/approvals.ts";

/** The demo's approver, as its approvers.yaml names it. */
export const DEMO_APPROVER = "Demo DPO (kairos demo)";

/** What the approval step did. */
export interface DemoApproval {
  /** `<out>/governance`: approvers.yaml, approvals/, the demo key. */
  readonly home: string;
  readonly keyFile: string;
  /** Whether the key was made by this run. */
  readonly newKey: boolean;
  /** Journeys that need an approval (`risk high`, or PII in their bundle). */
  readonly needing: readonly string[];
  /** The approval this run signed, and its file; undefined when every journey had one. */
  readonly signed: { readonly record: ApprovalRecord; readonly file: string } | undefined;
}

/** Runs the demo's approval step for `program` in `<out>/governance`. */
export function approveForDemo(out: string, program: CheckedProgram): DemoApproval {
  const home = join(out, "governance");
  mkdirSync(home, { recursive: true });
  const keyFile = join(home, "demo-dpo.key");
  const newKey = !existsSync(keyFile);
  if (newKey) newApproverKey(keyFile);
  const { privateKey } = readApproverKey(keyFile);
  // The demo's own trust list: its key only (rewritten whole each run; a deployment's is reviewed in version control).
  const approvers = join(home, APPROVERS_FILE);
  const tmp = `${approvers}.tmp-${process.pid}`;
  writeFileSync(
    tmp,
    `# Written by \`kairos demo\`: the demo's only trusted approver (docs/approvals.md).\napprovers:\n` +
      `  - { name: ${JSON.stringify(DEMO_APPROVER)}, key: "${publicKeyOfPrivate(privateKey)}" }\n`,
  );
  renameSync(tmp, approvers);
  const status = programApprovals(program, home);
  const needing = status.subjects.filter((s) => status.status.get(s.id)?.status !== "not-needed").map((s) => s.id);
  const waiting = needing.filter((id) => status.status.get(id)?.status === "unapproved");
  const signed = waiting.length > 0 ? approveProgram(program, { home, journeys: waiting, approver: DEMO_APPROVER, privateKey }) : undefined;
  return { home, keyFile, newKey, needing, signed };
}
