// The records of processing as JSON, for tools: the record's data with snake_case members in a
// fixed order (as the decision log and the artifact manifest write theirs), tagged
// `"$kairos": "processing-record/1"`. Optional members are absent rather than null.
import type { DataItem, ProcessingRecord } from "./processing-record.ts";
import { PROCESSING_RECORD_FORMAT } from "./processing-record.ts";

function dataJson(d: DataItem): Record<string, unknown> {
  return {
    path: d.path,
    entity: d.entity,
    pii: d.pii,
    labels: d.labels,
    ...(d.lineage !== undefined ? { lineage: d.lineage } : {}),
    ...(d.system !== undefined ? { system: d.system } : {}),
    residency: d.residency,
    transfers_to: d.transfersTo,
    ...(d.retention !== undefined ? { retention: d.retention } : {}),
    journeys: d.journeys,
  };
}

/** The JSON value of a record (serialize it with two-space indentation, as every command's JSON). */
export function processingRecordJson(record: ProcessingRecord): Record<string, unknown> {
  return {
    $kairos: PROCESSING_RECORD_FORMAT,
    ...(record.date !== undefined ? { date: record.date } : {}),
    ...(record.controller ? { controller: record.controller } : {}),
    catalog_file: record.catalogFile,
    sources: record.sources,
    rego: record.rego,
    purposes: record.purposes.map((p) => ({
      id: p.id,
      ...(p.description !== undefined ? { description: p.description } : {}),
      marketing: p.marketing,
      bases: p.bases,
      risk: p.risk,
      subjects: p.subjects,
      data: p.data.map(dataJson),
      event_data: p.eventData,
      channels: p.channels,
      actions: p.actions,
      systems: p.systems,
      ...(p.allowedSystems !== undefined ? { allowed_systems: p.allowedSystems } : {}),
      pii_allowance: p.piiAllowance,
      forbids: p.forbids,
      allows: p.allows,
      measures: p.measures,
      journeys: p.journeys.map((j) => ({
        id: j.id,
        title: j.title,
        risk: j.risk,
        review: j.review,
        trigger: j.trigger,
        timers: j.timers,
        action: j.action,
        channel: j.channel,
        fields: j.fields,
        event_fields: j.eventFields,
        source: j.source,
      })),
    })),
    legal_basis_map: record.basisMap,
    checklist: record.checklist.map((g) => ({
      kind: g.kind,
      subject: g.subject,
      ...(g.pii !== undefined ? { pii: g.pii } : {}),
      ...(g.readBy !== undefined ? { read_by: g.readBy } : {}),
      checks: g.checks,
    })),
    unread: record.unread.map(dataJson),
  };
}

/** The record as JSON text: two-space indentation, ending in a newline. */
export function renderProcessingJson(record: ProcessingRecord): string {
  return JSON.stringify(processingRecordJson(record), null, 2) + "\n";
}
