// What a preference centre writes and reads: a subject's consent records and objections,
// append-only (a withdrawal is a new record). Records are checked like a decision request's
// (the engine's own validator: types, datetimes, purposes the catalog declares) before
// anything is written; a batch is written entirely or not at all. And a subject's rights on the
// store (docs/service.md#data-subject-rights): the access export of every decision about them
// (GDPR Art. 15, `audit:read`) and erasure (Art. 17, `admin`), which destroys their per-subject
// key and deletes their rows in one transaction, run in the subject's queue so that no decision
// about them is in flight in this instance meanwhile.
import type { ConsentRecord, Objection } from "../../runtime/request.ts";
import { HttpError, type Problem } from "../errors.ts";
import { CONSENTS_BODY, ERASURE_RESPONSE, OBJECTIONS_BODY, SUBJECT_DECISIONS_QUERY, SUBJECT_DECISIONS_RESPONSE, SUBJECT_PARAMS } from "../schemas.ts";
import { fromStore } from "../service.ts";
import type { ServiceStore, Store } from "../store/types.ts";
import { errorsOf, type RouteContext, type RouteSpec } from "./route.ts";

/** Checks records with the engine's validator, by wrapping them in a request; paths name `records[i]`. */
function checkRecords(ctx: RouteContext, subject: string, kind: "consents" | "objections", records: readonly Record<string, unknown>[]): void {
  const problems: Problem[] = [];
  records.forEach((r, i) => {
    if (r["subject"] !== undefined && r["subject"] !== subject) {
      problems.push({
        path: `records[${i}].subject`,
        message: `is \`${String(r["subject"])}\`, not the subject of the path`,
        hint: "leave `subject` out, or post the record under its own subject",
      });
    }
  });
  const eventType = ctx.engine.catalog.events.keys().next().value ?? "";
  const probe = { event: { type: eventType, id: "records" }, subject, now: "2000-01-01T00:00:00Z", region: "any", [kind]: records };
  const valid = ctx.engine.validate(probe);
  if (!valid.ok) {
    for (const p of valid.problems) problems.push({ ...p, path: p.path.replace(new RegExp(`^${kind}`), "records") });
  }
  if (problems.length > 0) {
    throw new HttpError(
      400,
      "invalid_request",
      `the ${kind === "consents" ? "consent records" : "objections"} do not fit the policy set; nothing was written`,
      {
        problems,
        hint: "fix the records named in `problems` and send the batch again",
      },
    );
  }
}

const WRITE_RESPONSE = {
  description: "the records as stored (with `id` and `recorded_at`)",
  schema: { type: "object", properties: { subject: { type: "string" }, records: { type: "array", items: { type: "object" } } } },
};

export const subjectRoutes: readonly RouteSpec[] = [
  {
    method: "POST",
    url: "/v1/subjects/:subject/consents",
    tag: "subjects",
    summary: "Append consent records (at most 1,000)",
    scopes: ["consent:write"],
    schema: { params: SUBJECT_PARAMS, body: CONSENTS_BODY },
    responses: { 201: WRITE_RESPONSE, ...errorsOf() },
    async handler(ctx, request, reply) {
      const { subject } = request.params as { subject: string };
      const { records } = request.body as { records: Record<string, unknown>[] };
      checkRecords(ctx, subject, "consents", records);
      const stored = await fromStore("writing consent records", () => ctx.store.addConsents(subject, records as unknown as ConsentRecord[]));
      reply.code(201);
      return { subject, records: stored };
    },
  },
  {
    method: "POST",
    url: "/v1/subjects/:subject/objections",
    tag: "subjects",
    summary: "Append objections (GDPR Art. 21; at most 1,000)",
    scopes: ["consent:write"],
    schema: { params: SUBJECT_PARAMS, body: OBJECTIONS_BODY },
    responses: { 201: WRITE_RESPONSE, ...errorsOf() },
    async handler(ctx, request, reply) {
      const { subject } = request.params as { subject: string };
      const { records } = request.body as { records: Record<string, unknown>[] };
      checkRecords(ctx, subject, "objections", records);
      const stored = await fromStore("writing objections", () => ctx.store.addObjections(subject, records as unknown as Objection[]));
      reply.code(201);
      return { subject, records: stored };
    },
  },
  {
    method: "GET",
    url: "/v1/subjects/:subject/consents",
    tag: "subjects",
    summary: "Every consent record and objection of a subject, oldest first",
    scopes: ["consent:read", "audit:read"],
    schema: { params: SUBJECT_PARAMS },
    responses: {
      200: {
        description: "the records",
        schema: { type: "object", properties: { subject: { type: "string" }, consents: { type: "array" }, objections: { type: "array" } } },
      },
      ...errorsOf(404),
    },
    async handler(ctx, request) {
      const { subject } = request.params as { subject: string };
      const found = await fromStore("reading consent records", () => ctx.store.consents(subject));
      if (found.consents.length === 0 && found.objections.length === 0) {
        throw new HttpError(404, "unknown_subject", "the store has no consent records or objections for this subject", {
          hint: "check the subject id; records are written with POST /v1/subjects/{subject}/consents",
        });
      }
      return { subject, consents: found.consents, objections: found.objections };
    },
  },
  {
    method: "GET",
    url: "/v1/subjects/:subject/decisions",
    tag: "subjects",
    summary: "Every decision about a subject, with its customer sentence, and the consents and objections on record (GDPR Art. 15; paginated)",
    scopes: ["audit:read"],
    schema: { params: SUBJECT_PARAMS, querystring: SUBJECT_DECISIONS_QUERY },
    responses: { 200: { description: "a page of the export, oldest decision first", schema: SUBJECT_DECISIONS_RESPONSE }, ...errorsOf() },
    async handler(ctx, request) {
      const { subject } = request.params as { subject: string };
      const query = request.query as { limit?: string; cursor?: string };
      const limit = query.limit === undefined ? 100 : Number(query.limit);
      const page = await fromStore("reading a subject's decisions", () =>
        ctx.store.subjectDecisions(subject, { limit, ...(query.cursor === undefined ? {} : { after: query.cursor }) }),
      );
      const found = await fromStore("reading consent records", () => ctx.store.consents(subject));
      const store = ctx.store as Store & Partial<Pick<ServiceStore, "subjectValue">>;
      const value = typeof store.subjectValue === "function" ? await fromStore("reading outcomes", () => store.subjectValue!(subject)) : undefined;
      return {
        subject,
        decisions: page.decisions,
        consents: found.consents,
        objections: found.objections,
        ...(value ? { assignments: value.assignments, outcomes: value.outcomes } : {}),
        ...(page.next ? { next: page.next } : {}),
      };
    },
  },
  {
    method: "DELETE",
    url: "/v1/subjects/:subject",
    tag: "subjects",
    summary: "Erase a subject (GDPR Art. 17): destroy their per-subject key and delete their rows, in one transaction; idempotent",
    description:
      "Their log entries stay in the chain and still verify, but can no longer be linked to them or unsealed. Consents, objections, cap history, " +
      "wake-ups, reviews, assignments and outcomes are deleted; decision rows keep only what the log shows. Answers what was erased; a second call erases nothing.",
    scopes: ["admin"],
    schema: { params: SUBJECT_PARAMS },
    responses: { 200: { description: "what was erased (counts)", schema: ERASURE_RESPONSE }, ...errorsOf() },
    async handler(ctx, request) {
      const { subject } = request.params as { subject: string };
      const erased = await ctx.service.subjects.run(subject, () => fromStore("erasing a subject", () => ctx.store.eraseSubject(subject)));
      return { subject, ...erased };
    },
  },
];
