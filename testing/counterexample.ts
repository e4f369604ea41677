// A failing property's shrunk counterexample, printed as a `test` block that pastes into a
// `.journey` file as it is: the request's time, region, subject, event, the data the decision
// read, the consent records, objections and history, and `expect` lines stating what the
// decision was — the author changes them to what it should be, and has a regression test.
import type * as A from "../compiler/syntax/ast.ts";
import type { Catalog, FieldType } from "../core/catalog/types.ts";
import { printBlock } from "../compiler/format/format-tests.ts";
import { parseDateLiteral, parseDateTimeLiteral, parseDurationLiteral } from "../core/literals.ts";
import type { TestRequest } from "../compiler/tests/model.ts";
import type { Decision } from "../runtime/decision.ts";
import { own } from "../runtime/own.ts";

const SPAN = { file: "counterexample", start: 0, end: 0 };
const ident = (name: string): A.Ident => ({ kind: "ident", name, span: SPAN });
const word = (text: string): A.TestValue => ({ kind: "word", parts: text.split(".").map(ident), text, span: SPAN });
const lit = (value: A.LiteralExpr): A.TestValue => ({ kind: "literal", value, span: SPAN });
const str = (value: string): A.TestValue => lit({ kind: "string", value, span: SPAN });
const datetime = (text: string): A.TestValue => lit({ kind: "datetime", text, ms: parseDateTimeLiteral(text) ?? 0, span: SPAN });

function number(n: number, decimal: boolean): A.TestValue {
  if (!decimal || Number.isInteger(n)) return lit({ kind: "int", value: n, span: SPAN });
  return lit({ kind: "decimal", value: n, raw: String(n), span: SPAN });
}

/** A JSON value of a catalog type as a statement argument. */
function valueFor(v: unknown, type: FieldType): A.TestValue {
  switch (type.kind) {
    case "enum":
      return str(String(v));
    case "list": {
      const items = Array.isArray(v) ? v : [];
      const of = type.of;
      return {
        kind: "list",
        items: items.map((x) => (of.kind === "type" ? valueFor(x, of.type) : recordOf(x as Record<string, unknown>, of.members))),
        span: SPAN,
      };
    }
    case "scalar":
      switch (type.name) {
        case "bool":
          return word(v ? "true" : "false");
        case "int":
          return number(Number(v), false);
        case "decimal":
          return number(Number(v), true);
        case "string":
          return str(String(v));
        case "date":
          return lit({ kind: "date", text: String(v), day: parseDateLiteral(String(v)) ?? 0, span: SPAN });
        case "datetime":
          return datetime(String(v));
        case "duration":
          return lit({ kind: "duration", text: String(v), ms: parseDurationLiteral(String(v)) ?? 0, span: SPAN });
      }
  }
}

function recordOf(r: Record<string, unknown>, members: ReadonlyMap<string, FieldType>): A.TestValue {
  const fields: A.TestField[] = [];
  for (const [k, t] of members) {
    const v = own(r, k);
    if (v !== undefined && v !== null) fields.push({ name: ident(k), value: valueFor(v, t), span: SPAN });
  }
  return { kind: "record", fields, span: SPAN };
}

function stmt(keyword: string, ...args: A.TestValue[]): A.TestStatement {
  return { kind: "statement", keyword: ident(keyword), args, span: SPAN };
}

export interface CounterexampleOptions {
  readonly name: string;
  /** Field paths to print besides those the decision requested (those the property reads). */
  readonly alsoFields?: Iterable<string>;
  /** Comment lines printed above the block (without `#`). */
  readonly comments?: readonly string[];
}

/** The counterexample as a `test` block (with comments above it), ready to paste. */
export function counterexampleTest(catalog: Catalog, request: TestRequest, decision: Decision, options: CounterexampleOptions): string {
  const keep = new Set([...decision.fields, ...(options.alsoFields ?? [])]);
  const statements: A.TestStatement[] = [stmt("now", datetime(request.now)), stmt("region", str(request.region)), stmt("subject", str(request.subject))];
  const ev = catalog.events.get(request.event.type);
  const eventArgs: A.TestValue[] = [word(request.event.type)];
  const payload = request.event.payload ?? {};
  if (ev && Object.keys(payload).length > 0) {
    eventArgs.push({
      kind: "record",
      fields: [...ev.fields]
        .filter(([k]) => own(payload, k) !== undefined)
        .map(([k, t]) => ({ name: ident(k), value: valueFor(own(payload, k), t), span: SPAN })),
      span: SPAN,
    });
  }
  if (request.event.at) eventArgs.push(word("at"), datetime(request.event.at));
  if (request.event.timer)
    eventArgs.push(word("after"), lit({ kind: "duration", text: request.event.timer, ms: parseDurationLiteral(request.event.timer) ?? 0, span: SPAN }));
  statements.push(stmt("event", ...eventArgs));
  for (const [name, entity] of catalog.entities) {
    const data = own(request.context, name);
    const fields: A.TestField[] = [];
    for (const [f, def] of entity.fields) {
      const v = own(data, f);
      if (!keep.has(def.path) || v === undefined || v === null) continue;
      fields.push({ name: ident(f), value: valueFor(v, def.type), span: SPAN });
    }
    if (fields.length > 0) statements.push(stmt("given", word(name), { kind: "record", fields, span: SPAN }));
  }
  for (const c of request.consents) {
    statements.push(
      stmt(
        "consent",
        word(c.purpose),
        word(c.status),
        ...(c.channel ? [word("channel"), word(c.channel)] : []),
        word("at"),
        datetime(c.at),
        ...(c.expires_at ? [word("expires"), datetime(c.expires_at)] : []),
      ),
    );
  }
  for (const o of request.objections)
    statements.push(stmt("objection", word(o.scope.startsWith("purpose:") ? o.scope.slice("purpose:".length) : o.scope), word("at"), datetime(o.at)));
  for (const h of request.history) statements.push(stmt("history", word(h.journey), word("at"), datetime(h.at)));
  statements.push(stmt("expect", word(decision.outcome), ...(decision.journey ? [word(decision.journey)] : [])));
  if (decision.basis) statements.push(stmt("expect", word("basis"), word(decision.basis)));
  const block: A.TestDecl = { kind: "test", name: { kind: "string", value: options.name, span: SPAN }, statements, span: SPAN };
  const comments = (options.comments ?? []).map((c) => `# ${c}`);
  return [...comments, printBlock(block)].join("\n");
}
