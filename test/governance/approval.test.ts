// DPO approvals bound to content (docs/approvals.md): the journey content hash ignores layout but
// not meaning; the catalog hash ignores comments but not tags; a record is accepted only with its
// signature intact and its key on the trusted list under its approver's name; and an accepted
// record covers a journey only while what it approved still holds — a high-risk journey's
// content and catalog, a journey's PII fields and their classes and its purpose. Real keys, real
// files, the real compiler (checkSources) on a copy of the spec's example policy set.
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { readPolicyDir } from "../../compiler/node/index.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { approvalId, approvalSignedText, catalogHash, payloadOf, type ApprovalRecord } from "../../core/approval.ts";
import { approveProgram, programApprovals, subjectsOfProgram } from "../../server/approval-check.ts";
import { ApprovalError, newApproverKey, publicKeyOfPrivate, readApproverKey, readApprovers } from "../../server/approvals.ts";
import { SPEC_POLICY_DIR } from "../runtime/compiled.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-approval-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
let dir: string;

function program(at = dir): CheckedProgram {
  const read = readPolicyDir(at);
  if (!read.sources) throw new Error(read.usage);
  const r = checkSources(read.sources);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.program || errors.length > 0) throw new Error(errors.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return r.program;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no \`${String(from)}\` in ${file}`);
  writeFileSync(path, next);
}

function contentOf(id: string, at = dir): string {
  return subjectsOfProgram(program(at)).find((s) => s.id === id)!.content!;
}

/** A key pair on disk, trusted (or not) in approvers.yaml under `name`. */
function approver(name: string, trusted = true): { file: string; key: KeyObject; pub: string } {
  const file = join(root, `key-${++n}.pem`);
  const pub = newApproverKey(file);
  if (trusted) {
    const list = join(dir, "approvers.yaml");
    let text: string;
    try {
      text = readFileSync(list, "utf8");
    } catch {
      text = "approvers:\n";
    }
    writeFileSync(list, `${text}  - { name: ${JSON.stringify(name)}, key: "${pub}" }\n`);
  }
  return { file, key: readApproverKey(file).privateKey, pub };
}

function statusOf(id: string): string {
  const s = programApprovals(program(), dir).status.get(id)!;
  return s.status === "unapproved" ? `unapproved: ${s.why}` : s.status;
}

function onlyRecordFile(): string {
  const files = readdirSync(join(dir, "approvals"));
  expect(files).toHaveLength(1);
  return join(dir, "approvals", files[0]!);
}

beforeEach(() => {
  dir = join(root, `set-${++n}`);
  cpSync(SPEC_POLICY_DIR, dir, { recursive: true });
});

describe("the journey content hash", () => {
  it("does not change with layout, comments, clause order, parentheses or the file the journey is in", () => {
    const before = contentOf("service_recovery");
    edit(
      "journeys/service.journey",
      '  when     event.csat <= 2 and customer.segment != "corporate"',
      '  # reviewed\n  when (event.csat<=2)   and\n     customer.segment != "corporate"',
    );
    edit("journeys/service.journey", / {2}cap {6}1 per 90d\n/, "");
    edit("journeys/service.journey", "  risk     high\n", "  risk     high\n  cap 1 per 90d\n");
    expect(contentOf("service_recovery")).toBe(before);
    // Moved to a file of its own, with other journeys and tests edited meanwhile.
    const text = readFileSync(join(dir, "journeys/service.journey"), "utf8");
    const start = text.indexOf("journey service_recovery");
    const end = text.indexOf("journey repeated_negative_interactions");
    writeFileSync(join(dir, "journeys/service.journey"), text.slice(0, start) + text.slice(end));
    writeFileSync(join(dir, "journeys/recovery.journey"), text.slice(start, end));
    edit("journeys/claims.journey", '"claim-status"', '"claim-status-2"');
    expect(contentOf("service_recovery")).toBe(before);
  });

  it("changes with a condition's value, the reason text, the action, and the body of a named condition it uses", () => {
    const base = { recovery: contentOf("service_recovery"), referral: contentOf("referral_invite") };
    edit("journeys/service.journey", "event.csat <= 2", "event.csat <= 3");
    const csat = contentOf("service_recovery");
    expect(csat).not.toBe(base.recovery);
    edit("journeys/service.journey", "so a specialist will call you back", "so someone will call you back");
    const reason = contentOf("service_recovery");
    expect(reason).not.toBe(csat);
    edit("journeys/service.journey", 'agent_callback(queue: "recovery")', 'agent_callback(queue: "retention")');
    expect(contentOf("service_recovery")).not.toBe(reason);
    // referral_invite reads `promoter`; its text is untouched, the condition's body is not.
    edit("journeys/service.journey", "customer.nps >= 9", "customer.nps >= 8");
    expect(contentOf("referral_invite")).not.toBe(base.referral);
  });
});

describe("the catalog hash", () => {
  it("ignores comments and layout of catalog.yaml but not a changed tag", () => {
    const before = catalogHash(program().catalog);
    edit("catalog.yaml", /^/, "# a comment\n\n");
    expect(catalogHash(program().catalog)).toBe(before);
    edit("catalog.yaml", "retention: P7Y", "retention: P5Y");
    expect(catalogHash(program().catalog)).not.toBe(before);
  });

  it("does not depend on the policy set's directory name", () => {
    const other = join(root, `renamed-${++n}`);
    cpSync(dir, other, { recursive: true });
    expect(catalogHash(program(other).catalog)).toBe(catalogHash(program().catalog));
  });
});

describe("which journeys need an approval", () => {
  it("are those of risk high and those whose bundle reads PII", () => {
    const status = programApprovals(program(), dir).status;
    expect([...status].filter(([, s]) => s.status !== "not-needed").map(([id]) => id)).toEqual(["repeated_negative_interactions", "service_recovery"]);
    edit(
      "journeys/claims.journey",
      'when    claim.status in ["filed", "assessing"]',
      'when    claim.status in ["filed", "assessing"] and customer.email is set',
    );
    expect(statusOf("claim_status_update")).toBe("unapproved: no approval names it");
  });
});

describe("an approval record", () => {
  it("covers the journeys it names while they are unchanged, and is refused when edited after signing", () => {
    const dpo = approver("Dana Scholz");
    const { record, file } = approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Dana Scholz", privateKey: dpo.key });
    expect(record.id).toMatch(/^apr_[0-9a-f]{32}$/);
    const status = programApprovals(program(), dir);
    expect(status.read.refused).toEqual([]);
    const s = status.status.get("service_recovery")!;
    expect(s.status === "approved" && s.approval.record.id).toBe(record.id);
    expect(statusOf("repeated_negative_interactions")).toBe("unapproved: no approval names it");

    // Tampered: another journey slipped into the scope after signing.
    const tampered = JSON.parse(readFileSync(file, "utf8")) as ApprovalRecord & { scope: unknown[] };
    tampered.scope.push({ ...tampered.scope[0]!, journey: "repeated_negative_interactions", content: `sha256:${"0".repeat(64)}` } as never);
    writeFileSync(file, JSON.stringify(tampered));
    const after = programApprovals(program(), dir);
    expect(after.read.trusted).toEqual([]);
    expect(after.read.refused[0]!.problem).toMatch(
      /^`id` is `apr_[0-9a-f]{32}`, but the record's content gives `apr_[0-9a-f]{32}` \(edited after signing\?\)$/,
    );
    expect(statusOf("service_recovery")).toBe("unapproved: no approval names it");

    // The same, with the id made to match: the signature no longer does.
    const reId = { ...tampered, id: approvalId(payloadOf(tampered)) };
    writeFileSync(file, JSON.stringify(reId));
    expect(programApprovals(program(), dir).read.refused[0]!.problem).toBe(
      "its signature does not match its content (edited after signing, or signed with another key)",
    );
  });

  it("is refused when signed with another key than the one it names", () => {
    const dpo = approver("Dana Scholz");
    const { file } = approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Dana Scholz", privateKey: dpo.key });
    const record = JSON.parse(readFileSync(file, "utf8")) as ApprovalRecord;
    // Signed by a key that is not Dana's, while naming Dana's (trusted) key.
    const mallory = generateKeyPairSync("ed25519").privateKey;
    const forged = { ...record, signature: sign(null, Buffer.from(approvalSignedText(record)), mallory).toString("base64url") };
    writeFileSync(file, JSON.stringify(forged));
    const r = programApprovals(program(), dir);
    expect(r.read.refused.map((x) => x.problem)).toEqual(["its signature does not match its content (edited after signing, or signed with another key)"]);
    expect(statusOf("service_recovery")).toMatch(/^unapproved/);
  });

  it("signed by a key that is not on the trusted list is refused, and `approve` will not write one", () => {
    approver("Dana Scholz");
    const stranger = approver("Sam", false);
    expect(() => approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Sam", privateKey: stranger.key })).toThrow(ApprovalError);
    // Written by hand anyway (a well-formed, correctly signed record): refused.
    const payload = payloadOf({
      format: "kairos-approval/1",
      approver: "Sam",
      date: "2026-12-06T10:00:00Z",
      catalog: catalogHash(program().catalog),
      scope: [{ journey: "service_recovery", purpose: "service_recovery", risk: "high", content: contentOf("service_recovery"), pii: {} }],
      key: stranger.pub,
    });
    const record = { ...payload, id: approvalId(payload), signature: sign(null, Buffer.from(approvalSignedText(payload)), stranger.key).toString("base64url") };
    mkdirSync(join(dir, "approvals"), { recursive: true });
    writeFileSync(join(dir, "approvals", "by-hand.json"), JSON.stringify(record));
    const r = programApprovals(program(), dir);
    expect(r.read.refused).toHaveLength(1);
    expect(r.read.refused[0]!.problem).toMatch(/signed by a key that is not in approvers\.yaml/);
    expect(statusOf("service_recovery")).toBe("unapproved: no approval names it");
  });

  it("naming another approver than the key's owner is refused", () => {
    const dpo = approver("Dana Scholz");
    expect(() => approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Someone Else", privateKey: dpo.key })).toThrow(
      /the key is `Dana Scholz`'s/,
    );
    approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Dana Scholz", privateKey: dpo.key });
    // The list renames the key's owner afterwards: the record no longer matches it.
    writeFileSync(join(dir, "approvers.yaml"), `approvers:\n  - { name: "D. Scholz", key: "${dpo.pub}" }\n`);
    expect(programApprovals(program(), dir).read.refused[0]!.problem).toBe("it names approver `Dana Scholz`, but its key is `D. Scholz`'s in approvers.yaml");
  });
});

describe("an approval of a high-risk journey", () => {
  it("no longer covers it once the journey changes, until it is approved again", () => {
    const dpo = approver("Dana Scholz");
    approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Dana Scholz", privateKey: dpo.key, date: "2026-12-01T09:00:00Z" });
    expect(statusOf("service_recovery")).toBe("approved");
    edit("journeys/service.journey", "event.csat <= 2", "event.csat <= 3");
    expect(statusOf("service_recovery")).toMatch(/^unapproved: the latest approval of it \(apr_\w+\) approved other content \(the journey changed since\)$/);
    const again = approveProgram(program(), {
      home: dir,
      journeys: ["service_recovery"],
      approver: "Dana Scholz",
      privateKey: dpo.key,
      date: "2026-12-02T09:00:00Z",
    });
    const s = programApprovals(program(), dir).status.get("service_recovery")!;
    expect(s.status === "approved" && s.approval.record.id).toBe(again.record.id);
  });

  it("no longer covers it once the catalog changes", () => {
    const dpo = approver("Dana Scholz");
    approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Dana Scholz", privateKey: dpo.key });
    edit("catalog.yaml", "retention: P7Y", "retention: P5Y");
    expect(statusOf("service_recovery")).toMatch(/approved under another catalog \(the catalog changed since\)$/);
  });
});

describe("an approval of a journey that reads PII", () => {
  const PII_WHEN = 'when    claim.status in ["filed", "assessing"] and customer.email is set';

  function approvedPiiJourney(): void {
    edit("journeys/claims.journey", 'when    claim.status in ["filed", "assessing"]', PII_WHEN);
    const dpo = approver("Dana Scholz");
    const { record } = approveProgram(program(), { home: dir, journeys: ["claim_status_update"], approver: "Dana Scholz", privateKey: dpo.key });
    expect(record.scope[0]!.pii).toEqual({ "customer.email": "direct" });
    expect(statusOf("claim_status_update")).toBe("approved");
  }

  it("still covers it after edits that add no PII", () => {
    approvedPiiJourney();
    edit("journeys/claims.journey", '"filed", "assessing"', '"filed"');
    edit("journeys/claims.journey", "so we sent you an update", "so here is an update");
    edit("catalog.yaml", "retention: P10Y", "retention: P9Y");
    expect(statusOf("claim_status_update")).toBe("approved");
  });

  it("no longer covers it once it reads another PII field", () => {
    approvedPiiJourney();
    edit("journeys/claims.journey", "and customer.email is set", 'and customer.email is set and customer.customer_id != ""');
    expect(statusOf("claim_status_update")).toMatch(/does not cover PII field `customer\.customer_id` \(identifier\)$/);
  });

  it("no longer covers it once a field it reads changes PII class", () => {
    approvedPiiJourney();
    edit("catalog.yaml", "email:         { type: string, pii: direct", "email:         { type: string, pii: identifier");
    expect(statusOf("claim_status_update")).toMatch(/approved `customer\.email` as direct, now identifier$/);
  });

  it("no longer covers it under another purpose", () => {
    approvedPiiJourney();
    edit("journeys/claims.journey", "purpose service_updates", "purpose claims_handling");
    expect(statusOf("claim_status_update")).toMatch(/approved it for purpose `service_updates`, not `claims_handling`$/);
  });
});

describe("approvers.yaml", () => {
  it("that does not parse or holds something else is an error naming the file and what to write", () => {
    writeFileSync(join(dir, "approvers.yaml"), "approvers: [ { name: x\n");
    expect(() => readApprovers(dir)).toThrow(/approvers\.yaml`:\d+:/);
    writeFileSync(join(dir, "approvers.yaml"), 'approvers:\n  - { name: "Dana", key: "not-a-key" }\n');
    expect(() => readApprovers(dir)).toThrow("approver 1 (`Dana`): `key` is not an Ed25519 public key (32 bytes, base64url)");
    writeFileSync(join(dir, "approvers.yaml"), "trusted: []\n");
    expect(() => readApprovers(dir)).toThrow("must hold exactly one member, `approvers`, a list");
  });

  it("that is missing trusts nobody", () => {
    const key = generateKeyPairSync("ed25519").privateKey;
    expect(readApprovers(dir)).toEqual([]);
    expect(() => approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Dana", privateKey: key })).toThrow(
      `the key is not in \`${join(dir, "approvers.yaml")}\``,
    );
    expect(publicKeyOfPrivate(key)).toHaveLength(43);
  });
});

describe("a record file", () => {
  it("that is not a record is refused with the reason, and the others still count", () => {
    const dpo = approver("Dana Scholz");
    approveProgram(program(), { home: dir, journeys: ["service_recovery"], approver: "Dana Scholz", privateKey: dpo.key });
    const good = onlyRecordFile();
    writeFileSync(join(dir, "approvals", "broken.json"), "{");
    writeFileSync(join(dir, "approvals", "extra.json"), JSON.stringify({ ...JSON.parse(readFileSync(good, "utf8")), note: "added" }));
    const r = programApprovals(program(), dir);
    expect(r.read.refused.map((x) => [x.file.split("/").pop(), x.problem.split(" (")[0]])).toEqual([
      ["broken.json", "it is not JSON"],
      ["extra.json", "the record has member `note` that no signature covers"],
    ]);
    expect(r.read.trusted).toHaveLength(1);
    expect(statusOf("service_recovery")).toBe("approved");
  });
});
