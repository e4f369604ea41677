// The records of processing as one CSV table (RFC 4180: CRLF line ends, a header row, fields
// with a comma, a quote or a line break quoted, quotes doubled), for a spreadsheet or a GRC
// tool. One row per fact, a `section` column saying which kind; every section fills the columns
// that apply to it and leaves the others empty (docs/processing.md lists them). Lists inside a
// cell are joined by `; `. A cell that a spreadsheet would run as a formula (starting with `=`,
// `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so text from the policy set
// can never execute in the DPO's spreadsheet (OWASP's advice on CSV injection).
import type { ProcessingRecord } from "./processing-record.ts";

/** The columns, in order. */
export const PROCESSING_CSV_COLUMNS = [
  "section",
  "purpose",
  "item",
  "class",
  "labels",
  "subjects",
  "source",
  "residency",
  "transfers_to",
  "retention",
  "bases",
  "marketing",
  "journeys",
  "risk",
  "check",
  "status",
  "detail",
] as const;

type Column = (typeof PROCESSING_CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string>>;

/** One CSV field, quoted when it must be, defused when a spreadsheet would evaluate it. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function plain(s: string): string {
  return s.replace(/`/g, "");
}

function list(xs: readonly string[]): string {
  return xs.join("; ");
}

/** The records of processing as CSV text. */
export function renderProcessingCsv(record: ProcessingRecord): string {
  const rows: Row[] = [];
  const c = record.controller;
  rows.push({ section: "controller", item: "name", detail: c?.name ?? "" });
  rows.push({ section: "controller", item: "contact", detail: c?.contact ?? "" });
  rows.push({ section: "controller", item: "dpo", detail: c?.dpo ?? "" });
  if (record.date !== undefined) rows.push({ section: "record", item: "date", detail: record.date });
  for (const p of record.purposes) {
    rows.push({
      section: "purpose",
      purpose: p.id,
      subjects: list(p.subjects.map((s) => s.category)),
      source: list(p.systems),
      bases: list(p.bases),
      marketing: p.marketing ? "yes" : "no",
      journeys: list(p.journeys.map((j) => j.id)),
      risk: p.risk,
      detail: p.description ?? "",
    });
    for (const d of p.data) {
      rows.push({
        section: "data",
        purpose: p.id,
        item: d.path,
        class: d.pii,
        labels: list(d.labels),
        subjects: p.subjects.find((s) => s.entity === d.entity)?.category ?? d.entity,
        source: d.lineage ?? "",
        residency: d.residency,
        transfers_to: list(d.transfersTo),
        retention: d.retention ?? "",
        journeys: list(d.journeys),
      });
    }
    for (const e of p.eventData) rows.push({ section: "event-data", purpose: p.id, item: `${e.event}.${e.field}`, journeys: list(e.journeys) });
    for (const a of p.actions)
      rows.push({ section: "recipient", purpose: p.id, item: a.name, detail: `the data subject, on ${a.channel}`, journeys: list(a.journeys) });
    for (const m of p.measures) rows.push({ section: "measure", purpose: p.id, item: m.id, detail: plain(m.text) });
    for (const j of p.journeys) {
      rows.push({
        section: "journey",
        purpose: p.id,
        item: j.id,
        source: j.source,
        journeys: j.id,
        risk: j.risk,
        status: j.review ? "review required" : "no review",
        detail: j.title,
      });
    }
  }
  for (const b of record.basisMap) {
    rows.push({ section: "basis", purpose: b.purpose, item: b.basis, bases: b.basis, journeys: list(b.journeys), detail: `${b.article}; tried ${b.order}` });
  }
  for (const g of record.checklist) {
    for (const ch of g.checks) {
      rows.push({
        section: "check",
        purpose: list(g.readBy ?? []),
        item: g.subject,
        class: g.pii ?? "",
        check: ch.id,
        status: ch.status,
        detail: plain(ch.text),
      });
    }
  }
  for (const d of record.unread) {
    rows.push({
      section: "unread",
      item: d.path,
      class: d.pii,
      labels: list(d.labels),
      source: d.lineage ?? "",
      residency: d.residency,
      transfers_to: list(d.transfersTo),
      retention: d.retention ?? "",
    });
  }
  for (const f of record.sources) {
    rows.push({ section: "file", item: f.path, detail: `sha256:${f.sha256}` });
  }
  const lines = [PROCESSING_CSV_COLUMNS.join(","), ...rows.map((r) => PROCESSING_CSV_COLUMNS.map((col) => csvField(r[col] ?? "")).join(","))];
  return lines.join("\r\n") + "\r\n";
}
