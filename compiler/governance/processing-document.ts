// The layout of the records of processing for people (Markdown and HTML share it): the
// controller and scope, a summary, the legal-basis map, one section per purpose (Art. 30(1)(b)–(g):
// purposes, subjects and data, recipients, transfers, retention, measures; then its journeys),
// the risk checklist, the personal data no journey reads, and the sources the record was made from.
import { codeList, fromBackticks, type Block, type Inline, type Text } from "./document.ts";
import type { ChecklistGroup } from "./risk-checklist.ts";
import { BASIS_ARTICLE, type DataItem, type ProcessingRecord, type PurposeRecord } from "./processing-record.ts";

const PII_TEXT: Readonly<Record<string, string>> = {
  sensitive: "sensitive (Art. 9)",
  direct: "direct identifier",
  identifier: "pseudonymous identifier",
  none: "other data about the person",
};

const SCOPE =
  "Generated from the policy set by `kairos report processing`. The personal data listed under each purpose is what that purpose's journeys " +
  "actually read — the minimal context bundles the compiler computes, which is all the engine ever fetches — not everything the catalog " +
  "declares; catalog fields holding personal data that no journey reads are listed at the end. Every field a decision reads is about its " +
  "subject, so all of it is personal data; the `pii` class says how directly it identifies the person.";

function or(value: string | undefined, missing: string): Text {
  return value === undefined ? [missing] : [{ code: value }];
}

function transfersText(d: DataItem): Text {
  if (d.residency === "any") return ["any region (no residency)"];
  return d.transfersTo.length === 0 ? ["none"] : codeList(d.transfersTo);
}

/** The fields' tags, one row each; with `readBy`, a last column of the journeys reading each. */
function dataTable(items: readonly DataItem[], readBy: boolean): Block {
  return {
    kind: "table",
    head: ["Field", "Class", "Labels", "Source (lineage)", "Residency", "Transfers to", "Retention", ...(readBy ? ["Read by"] : [])],
    rows: items.map((d) => [
      [{ code: d.path }],
      [PII_TEXT[d.pii] ?? d.pii],
      codeList(d.labels, "—"),
      or(d.lineage, "not stated"),
      [{ code: d.residency }],
      transfersText(d),
      or(d.retention, "not stated"),
      ...(readBy ? [codeList(d.journeys, "—")] : []),
    ]),
  };
}

function basesText(p: PurposeRecord): Inline[] {
  const out: Inline[] = [];
  p.bases.forEach((b, i) => {
    if (i > 0) out.push(", then ");
    out.push({ code: b }, ` (${BASIS_ARTICLE[b]})`);
  });
  return out;
}

function purposeBlocks(p: PurposeRecord): Block[] {
  const blocks: Block[] = [{ kind: "heading", level: 2, text: ["Purpose ", { code: p.id }], id: `purpose-${p.id}` }];
  const rows: (readonly [string, Text])[] = [
    ["Description", p.description !== undefined ? [p.description] : fromBackticks("not stated (add `description:` to the purpose in catalog.yaml)")],
    ["Lawful bases (Art. 6(1)), in the order tried", basesText(p)],
    ["Direct marketing", [p.marketing ? "yes: an objection to direct marketing stops it (Art. 21(3))" : "no"]],
    ["Risk tier", [p.journeys.length === 0 ? "none (no journey)" : p.risk]],
    ["Categories of data subjects", p.subjects.length === 0 ? ["the request's subject (no catalog data read)"] : p.subjects.flatMap((s, i) => subject(s, i))],
    ["Categories of personal data", categories(p)],
    ["Recipients", recipients(p)],
    ["Source systems (from lineage)", codeList(p.systems, "none stated")],
  ];
  if (p.allowedSystems !== undefined) rows.push(["Allowed source systems", codeList(p.allowedSystems)]);
  if (p.marketing || p.piiAllowance.length > 0) rows.push(["Personal data allowance (pii list)", codeList(p.piiAllowance)]);
  if (p.forbids.length > 0) rows.push(["Forbidden labels", codeList(p.forbids)]);
  if (p.allows.length > 0) rows.push(["Labels allowing sensitive data", codeList(p.allows)]);
  blocks.push({ kind: "fields", rows });
  if (p.journeys.length === 0) {
    blocks.push({ kind: "paragraph", text: ["No journey uses this purpose: Kairos makes no decision, and reads no data, for it."] });
    return blocks;
  }

  blocks.push({ kind: "heading", level: 3, text: ["Categories of personal data read"] });
  blocks.push(p.data.length > 0 ? dataTable(p.data, true) : { kind: "paragraph", text: ["No catalog field is read."] });
  if (p.eventData.length > 0) {
    blocks.push({ kind: "paragraph", text: ["Event data (comes with the request; not tagged in the catalog):"] });
    blocks.push({
      kind: "table",
      head: ["Event", "Field", "Read by"],
      rows: p.eventData.map((e) => [[{ code: e.event }], [{ code: e.field }], codeList(e.journeys)]),
    });
  }

  blocks.push({ kind: "heading", level: 3, text: ["Transfers"] });
  const transferItems: Text[] = p.data
    .filter((d) => d.residency !== "any" && d.transfersTo.length > 0)
    .map((d) => [{ code: d.path }, " resides in ", { code: d.residency }, " and may also be processed in ", ...codeList(d.transfersTo)]);
  const kept = p.data.filter((d) => d.residency !== "any" && d.transfersTo.length === 0);
  if (kept.length > 0) transferItems.push(["Processed only where it resides: ", ...codeList(kept.map((d) => `${d.path} (${d.residency})`))]);
  const anywhere = p.data.filter((d) => d.residency === "any");
  if (anywhere.length > 0) transferItems.push(["No residency restriction (may be processed in any region): ", ...codeList(anywhere.map((d) => d.path))]);
  blocks.push(transferItems.length > 0 ? { kind: "list", items: transferItems } : { kind: "paragraph", text: ["No catalog data is read."] });

  blocks.push({ kind: "heading", level: 3, text: ["Retention"] });
  blocks.push({
    kind: "list",
    items: p.data.map((d) => [{ code: d.path }, ": ", ...(d.retention !== undefined ? [{ code: d.retention }] : ["not stated"])]),
  });

  blocks.push({ kind: "heading", level: 3, text: ["Technical and organisational measures"] });
  blocks.push({ kind: "list", items: p.measures.map((m) => fromBackticks(m.text)) });

  blocks.push({ kind: "heading", level: 3, text: ["Journeys"] });
  blocks.push({
    kind: "table",
    head: ["Journey", "Title", "Risk", "Review", "Trigger", "Action", "Reads", "Source"],
    rows: p.journeys.map((j) => [
      [{ code: j.id }],
      [j.title],
      [j.risk],
      [j.review ? "required" : "none"],
      [{ code: j.trigger }, ...(j.timers.length > 0 ? [` after ${j.timers.join(", ")}`] : [])],
      [{ code: j.action }, " (", { code: j.channel }, ")"],
      codeList([...j.fields, ...j.eventFields.map((f) => `event.${f}`)], "nothing"),
      [{ code: j.source }],
    ]),
  });
  return blocks;
}

function subject(s: { entity: string; category: string }, i: number): Inline[] {
  const head: Inline[] = i > 0 ? ["; "] : [];
  return s.category === s.entity ? [...head, { code: s.entity }] : [...head, s.category, " — entity ", { code: s.entity }];
}

const CLASS_ORDER = ["sensitive", "direct", "identifier", "none"] as const;

/** The data read, by `pii` class (most sensitive first), then the labels it carries. */
function categories(p: PurposeRecord): Text {
  const out: Inline[] = [];
  for (const cls of CLASS_ORDER) {
    const paths = p.data.filter((d) => d.pii === cls).map((d) => d.path);
    if (paths.length === 0) continue;
    if (out.length > 0) out.push("; ");
    out.push(`${PII_TEXT[cls]}: `, ...codeList(paths));
  }
  if (p.eventData.length > 0) out.push(...(out.length > 0 ? ["; "] : []), "event data: ", ...codeList(p.eventData.map((e) => `event.${e.field}`)));
  const labels = [...new Set(p.data.flatMap((d) => d.labels))].sort();
  if (labels.length > 0) out.push("; labelled ", ...codeList(labels));
  return out.length > 0 ? out : ["none (the journeys read no data)"];
}

function recipients(p: PurposeRecord): Text {
  if (p.actions.length === 0) return ["none"];
  const out: Inline[] = ["the data subject, through "];
  p.actions.forEach((a, i) => {
    if (i > 0) out.push(", ");
    out.push({ code: a.name }, " on ", { code: a.channel });
  });
  out.push(" (channels the purpose may use: ", ...codeList(p.channels), ")");
  return out;
}

function checklistBlocks(groups: readonly ChecklistGroup[]): Block[] {
  const blocks: Block[] = [{ kind: "heading", level: 2, text: ["Risk checklist"], id: "risk-checklist" }];
  const attention = groups.reduce((n, g) => n + g.checks.filter((c) => c.status === "attention").length, 0);
  blocks.push({
    kind: "paragraph",
    text: [
      `${attention} item${attention === 1 ? "" : "s"} for attention. Each data type with personal data (whether or not a journey reads it), each `,
      "high-risk journey and the record itself, checked against what the policy set states; ",
      { strong: "attention" },
      " says what to document or change.",
    ],
  });
  const rows: Text[][] = [];
  for (const g of groups) {
    for (const c of g.checks) {
      const subjectText: Inline[] =
        g.kind === "data"
          ? [{ code: g.subject }, `, ${PII_TEXT[g.pii ?? "none"] ?? g.pii}`]
          : g.kind === "journey"
            ? ["journey ", { code: g.subject }]
            : [g.subject];
      rows.push([
        subjectText,
        g.kind === "data" ? codeList(g.readBy ?? [], "not read") : ["—"],
        [{ code: c.id }],
        c.status === "ok" ? ["ok"] : [{ strong: "attention" }],
        fromBackticks(c.text),
      ]);
    }
  }
  blocks.push({ kind: "table", head: ["Subject", "Read under", "Check", "Status", "Finding"], rows });
  return blocks;
}

/** The records of processing as document blocks. */
export function processingBlocks(record: ProcessingRecord): Block[] {
  const blocks: Block[] = [{ kind: "heading", level: 1, text: ["Records of processing activities (GDPR Art. 30)"] }];
  const c = record.controller;
  const head: (readonly [string, Text])[] = [
    ["Controller", c ? [c.name] : fromBackticks("not named (add `controller:` to catalog.yaml)")],
    ["Contact", c?.contact !== undefined ? [c.contact] : ["not stated"]],
    ["Data protection officer", c?.dpo !== undefined ? [c.dpo] : ["not stated"]],
  ];
  if (record.date !== undefined) head.push(["Date", [record.date]]);
  const catalog = record.sources.find((f) => f.path === record.catalogFile);
  head.push([
    "Policy set",
    [{ code: record.catalogFile }, ...(catalog ? [" sha256 ", { code: catalog.sha256.slice(0, 16) }] : []), " and its journeys (see Sources)"],
  ]);
  blocks.push({ kind: "fields", rows: head });
  blocks.push({ kind: "paragraph", text: fromBackticks(SCOPE) });

  blocks.push({ kind: "heading", level: 2, text: ["Summary"], id: "summary" });
  blocks.push({
    kind: "table",
    head: ["Purpose", "Lawful bases", "Marketing", "Journeys", "Risk tier"],
    rows: record.purposes.map((p) => [
      [{ code: p.id }],
      codeList(p.bases),
      [p.marketing ? "yes" : "no"],
      [String(p.journeys.length)],
      [p.journeys.length === 0 ? "none" : p.risk],
    ]),
  });

  blocks.push({ kind: "heading", level: 2, text: ["Legal-basis map"], id: "legal-basis-map" });
  blocks.push({
    kind: "paragraph",
    text: ["Each purpose's lawful bases of Art. 6(1) in the order the consent policy tries them; each decision's basis is the first that holds for it."],
  });
  blocks.push({
    kind: "table",
    head: ["Purpose", "Basis", "Article", "Tried", "Journeys"],
    rows: record.basisMap.map((r) => [[{ code: r.purpose }], [{ code: r.basis }], [r.article], [String(r.order)], codeList(r.journeys, "none")]),
  });

  for (const p of record.purposes) blocks.push(...purposeBlocks(p));
  blocks.push(...checklistBlocks(record.checklist));

  blocks.push({ kind: "heading", level: 2, text: ["Personal data no journey reads"], id: "unread" });
  blocks.push(
    record.unread.length > 0
      ? dataTable(record.unread, false)
      : { kind: "paragraph", text: ["Every catalog field holding personal data is read by some journey."] },
  );

  blocks.push({ kind: "heading", level: 2, text: ["Sources"], id: "sources" });
  blocks.push({
    kind: "paragraph",
    text: [
      "The files this record was generated from, by sha256 of their text. Consent and residency run ",
      record.rego === "own" ? "the policy set's own Rego policies." : "the standard policies built into Kairos.",
    ],
  });
  blocks.push({ kind: "table", head: ["File", "sha256"], rows: record.sources.map((f) => [[{ code: f.path }], [{ code: f.sha256 }]]) });
  return blocks;
}
