// The records of processing (compiler/governance/): what each purpose lists, the legal-basis map,
// the risk checklist, escaping in every format and determinism — each on a small policy set
// checked by the real compiler, so the record is built from a real checked program.
import { describe, expect, it } from "vitest";
import {
  buildProcessingRecord,
  PROCESSING_CSV_COLUMNS,
  processingInputOfProgram,
  processingRecordJson,
  renderProcessingRecord,
  type ProcessingInput,
  type ProcessingRecord,
} from "../../compiler/governance/index.ts";
import { csvField } from "../../compiler/governance/processing-csv.ts";
import { riskChecklist } from "../../compiler/governance/risk-checklist.ts";
import { checkSources, type PolicySources } from "../../compiler/pipeline.ts";

const CATALOG = `version: 1
controller: { name: "Acme Insurance", contact: "privacy@acme.example", dpo: "Dana DPO, dpo@acme.example" }
entities:
  customer:
    key: customer_id
    subjects: "customers (policyholders)"
    fields:
      customer_id: { type: string, pii: identifier, lineage: crm.customers.id, residency: eu, retention: P10Y }
      email:       { type: string, pii: direct, lineage: crm.contacts.email, residency: eu, retention: P7Y }
      tenure:      { type: int, lineage: billing.accounts.tenure }
      phone:       { type: string, pii: direct, residency: ch }
  claim:
    key: claim_id
    fields:
      diagnosis: { type: string, pii: sensitive, labels: [health], lineage: claims.claims.diagnosis, residency: eu, retention: P10Y }
events:
  daily:       { binds: [customer], schedule: true }
  claim.filed: { binds: [customer, claim], fields: { at: datetime }, freshness: PT5M }
purposes:
  newsletter: { bases: [consent, legitimate_interest], channels: [email], marketing: true, pii: [customer.email], description: "Our newsletter." }
  claims:     { bases: [contract], channels: [email, call_task], allows: [health] }
  health_offers: { bases: [consent], channels: [email], allows: [health] }
  unused:     { bases: [legal_obligation], channels: [email] }
transfers: { eu: [uk] }
actions:
  email: { channel: email, params: { template: string } }
  call:  { channel: call_task, params: { queue: string } }
`;

const NEWSLETTER = `journey news {
  title    "Monthly news"
  purpose  newsletter
  on       daily
  when     customer.tenure >= 12 and customer.email != ""
  do       email(template: "news")
}
`;
const CLAIMS = `journey injury_call {
  title    "Injury call"
  purpose  claims
  risk     high
  on       claim.filed
  when     contains(claim.diagnosis, "fracture") and hours_since(event.at) < 24
  do       call(queue: "claims")
  review   required
}
`;
const OFFERS = `journey health_offer {
  title    "Health offer"
  purpose  health_offers
  risk     medium
  on       claim.filed
  when     contains(claim.diagnosis, "sprain")
  do       email(template: "offer")
}
`;

function sources(catalog: string, journeys: Record<string, string>): PolicySources {
  return {
    catalog: { name: "set/catalog.yaml", text: catalog },
    journeys: Object.entries(journeys).map(([name, text]) => ({ name: `set/journeys/${name}`, text })),
    rego: [],
  };
}

function inputOf(catalog: string, journeys: Record<string, string>): ProcessingInput {
  const input = sources(catalog, journeys);
  const checked = checkSources(input);
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return processingInputOfProgram(checked.program!, input, checked.sources);
}

function recordOf(catalog: string, journeys: Record<string, string>, date?: string): ProcessingRecord {
  return buildProcessingRecord(inputOf(catalog, journeys), date !== undefined ? { date } : {});
}

const SET = { "news.journey": NEWSLETTER, "claims.journey": CLAIMS, "offers.journey": OFFERS };

function check(record: ProcessingRecord, subject: string, id: string) {
  const found = record.checklist.find((g) => g.subject === subject)?.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} for ${subject}`);
  return found;
}

describe("records of processing: per purpose", () => {
  it("lists under a purpose only the fields its journeys' minimal bundles read, and the unread personal data apart", () => {
    const r = recordOf(CATALOG, SET);
    const news = r.purposes.find((p) => p.id === "newsletter")!;
    expect(news.data.map((d) => d.path)).toEqual(["customer.email", "customer.tenure"]);
    expect(r.purposes.find((p) => p.id === "claims")!.data.map((d) => d.path)).toEqual(["claim.diagnosis"]);
    // Declared personal data nobody reads: listed once, at the end, not under any purpose.
    expect(r.unread.map((d) => d.path)).toEqual(["customer.customer_id", "customer.phone"]);
  });

  it("takes each field's tags from the catalog: class, lineage and its system, residency, transfers, retention", () => {
    const email = recordOf(CATALOG, SET).purposes.find((p) => p.id === "newsletter")!.data[0]!;
    expect(email).toEqual({
      path: "customer.email",
      entity: "customer",
      pii: "direct",
      labels: [],
      lineage: "crm.contacts.email",
      system: "crm",
      residency: "eu",
      transfersTo: ["uk"],
      retention: "P7Y",
      journeys: ["news"],
    });
  });

  it("names data subjects by the entity's `subjects`, else by the entity, and lists event data apart", () => {
    const r = recordOf(CATALOG, SET);
    expect(r.purposes.find((p) => p.id === "newsletter")!.subjects).toEqual([{ entity: "customer", category: "customers (policyholders)" }]);
    const claims = r.purposes.find((p) => p.id === "claims")!;
    expect(claims.subjects).toEqual([{ entity: "claim", category: "claim" }]);
    expect(claims.eventData).toEqual([{ event: "claim.filed", field: "at", journeys: ["injury_call"] }]);
  });

  it("gives a purpose the highest risk of its journeys, and `none` with a statement when no journey uses it", () => {
    const r = recordOf(CATALOG, SET);
    expect(r.purposes.map((p) => [p.id, p.risk])).toEqual([
      ["claims", "high"],
      ["health_offers", "medium"],
      ["newsletter", "low"],
      ["unused", "none"],
    ]);
    const md = renderProcessingRecord(r, "md");
    expect(md).toContain("No journey uses this purpose: Kairos makes no decision, and reads no data, for it.");
  });

  it("lists recipients, source systems and measures that follow the purpose (review, objection, allow-lists)", () => {
    const r = recordOf(CATALOG, SET);
    const claims = r.purposes.find((p) => p.id === "claims")!;
    expect(claims.actions).toEqual([{ name: "call", channel: "call_task", journeys: ["injury_call"] }]);
    expect(claims.systems).toEqual(["claims"]);
    expect(claims.measures.map((m) => m.id)).toContain("human-review");
    expect(claims.measures.map((m) => m.id)).not.toContain("objection");
    const news = r.purposes.find((p) => p.id === "newsletter")!;
    expect(news.measures.map((m) => m.id)).toContain("objection");
    expect(news.measures.map((m) => m.id)).not.toContain("human-review");
    expect(news.measures.find((m) => m.id === "opa-checks")!.text).toContain("`consent`, then `legitimate_interest`");
    // Freshness: only where the journeys read something with an SLA (here the claim event's).
    expect(claims.measures.find((m) => m.id === "freshness")?.text).toContain("event `claim.filed`: `PT5M`");
    expect(news.measures.map((m) => m.id)).not.toContain("freshness");
  });

  it("maps each purpose's lawful bases, in the order tried, to its journeys", () => {
    const r = recordOf(CATALOG, SET);
    expect(r.basisMap.filter((b) => b.purpose === "newsletter")).toEqual([
      { purpose: "newsletter", basis: "consent", article: "Art. 6(1)(a)", order: 1, journeys: ["news"] },
      { purpose: "newsletter", basis: "legitimate_interest", article: "Art. 6(1)(f)", order: 2, journeys: ["news"] },
    ]);
    expect(r.basisMap.find((b) => b.purpose === "unused")).toEqual({
      purpose: "unused",
      basis: "legal_obligation",
      article: "Art. 6(1)(c)",
      order: 1,
      journeys: [],
    });
  });
});

describe("records of processing: the risk checklist", () => {
  it("asks for an Art. 9(2) condition where sensitive data is read without consent as the basis, and not where consent is the only one", () => {
    const r = recordOf(CATALOG, SET);
    const c = check(r, "claim.diagnosis", "explicit-consent");
    expect(c.status).toBe("attention");
    expect(c.text).toContain("`claims`, whose bases do not include consent");
    expect(c.text).not.toContain("health_offers");
    const onlyConsent = recordOf(CATALOG, { "offers.journey": OFFERS });
    expect(check(onlyConsent, "claim.diagnosis", "explicit-consent").status).toBe("ok");
  });

  it("flags personal data without retention or lineage, and residency `any` or a transfer", () => {
    const r = recordOf(CATALOG, SET);
    expect(check(r, "customer.phone", "retention").status).toBe("attention");
    expect(check(r, "customer.phone", "lineage").status).toBe("attention");
    expect(check(r, "customer.email", "retention")).toEqual({ id: "retention", status: "ok", text: "kept for `P7Y`" });
    expect(check(r, "customer.email", "transfers").status).toBe("attention");
    expect(check(r, "customer.phone", "transfers")).toEqual({ id: "transfers", status: "ok", text: "processed only in `ch`" });
    const anyRegion = recordOf(CATALOG.replace("pii: direct, residency: ch", "pii: direct"), SET);
    expect(check(anyRegion, "customer.phone", "transfers").status).toBe("attention");
  });

  it("accepts direct personal data read for marketing only with the purpose's `pii` allowance", () => {
    const r = recordOf(CATALOG, SET);
    expect(check(r, "customer.email", "marketing-allowance").status).toBe("ok");
    // The compiler refuses the same without the allowance (check/marketing-pii), so the
    // checklist's own judgement is shown on the purpose as the record would list it without it.
    const purposes = r.purposes.map((p) => (p.id === "newsletter" ? { ...p, piiAllowance: [] } : p));
    const groups = riskChecklist(inputOf(CATALOG, SET), purposes);
    const c = groups.find((g) => g.subject === "customer.email")!.checks.find((x) => x.id === "marketing-allowance")!;
    expect(c.status).toBe("attention");
    expect(c.text).toContain("`newsletter` without an allowance");
  });

  it("flags a high-risk journey without review (which the compiler also refuses)", () => {
    const input = inputOf(CATALOG, SET);
    const ok = riskChecklist(input, []).find((g) => g.subject === "injury_call")!;
    expect(ok.checks[0]!.status).toBe("ok");
    const unreviewed = { ...input, journeys: input.journeys.map((j) => ({ ...j, review: false })) };
    expect(riskChecklist(unreviewed, []).find((g) => g.subject === "injury_call")!.checks[0]!.status).toBe("attention");
    // Only high-risk journeys are listed.
    expect(riskChecklist(input, []).some((g) => g.subject === "health_offer")).toBe(false);
  });

  it("asks for a controller and a DPO when the catalog names none", () => {
    const none = recordOf(CATALOG.replace(/^controller:.*\n/m, ""), SET);
    expect(check(none, "controller", "controller").status).toBe("attention");
    expect(renderProcessingRecord(none, "md")).toContain("not named (add `controller:` to catalog.yaml)");
    const noDpo = recordOf(CATALOG.replace(', dpo: "Dana DPO, dpo@acme.example"', ""), SET);
    expect(check(noDpo, "controller", "controller").status).toBe("attention");
    expect(check(recordOf(CATALOG, SET), "controller", "controller").status).toBe("ok");
  });
});

describe("records of processing: output", () => {
  const HOSTILE = CATALOG.replace('"Our newsletter."', `"<script>alert(1)</script> | a, \\"b\\" \`c\` =cmd\\nline"`);

  it("escapes text from the policy set in HTML, Markdown and CSV", () => {
    const r = recordOf(HOSTILE, SET);
    const html = renderProcessingRecord(r, "html");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; | a, &quot;b&quot; `c` =cmd\nline");
    const md = renderProcessingRecord(r, "md");
    expect(md).toContain('\\<script\\>alert(1)\\</script\\> \\| a, "b" \\`c\\` =cmd line');
    const csv = renderProcessingRecord(r, "csv");
    const row = parseCsv(csv).find((cells) => cells[0] === "purpose" && cells[1] === "newsletter")!;
    expect(row[PROCESSING_CSV_COLUMNS.indexOf("detail")]).toBe('<script>alert(1)</script> | a, "b" `c` =cmd\nline');
  });

  it("quotes a CSV field with a line break, a carriage return, a comma or a quote, and no other", () => {
    expect(csvField("a\nb")).toBe('"a\nb"');
    expect(csvField("a\rb")).toBe('"a\rb"');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("plain text; with semicolons")).toBe("plain text; with semicolons");
  });

  it("defuses CSV cells a spreadsheet would run as a formula", () => {
    const r = recordOf(CATALOG.replace('"Our newsletter."', '"=HYPERLINK(\\"http://x\\")"'), SET);
    const row = parseCsv(renderProcessingRecord(r, "csv")).find((cells) => cells[0] === "purpose" && cells[1] === "newsletter")!;
    expect(row[PROCESSING_CSV_COLUMNS.indexOf("detail")]).toBe(`'=HYPERLINK("http://x")`);
  });

  it("writes CSV by RFC 4180: CRLF line ends, a header, the same number of fields on every row", () => {
    const csv = renderProcessingRecord(recordOf(HOSTILE, SET), "csv");
    expect(csv.endsWith("\r\n")).toBe(true);
    // Outside quoted fields, every line break is CRLF.
    expect(/(?<!\r)\n/.test(csv.replace(/"(?:[^"]|"")*"/g, ""))).toBe(false);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...PROCESSING_CSV_COLUMNS]);
    for (const row of rows) expect(row.length).toBe(PROCESSING_CSV_COLUMNS.length);
    expect(new Set(rows.slice(1).map((r) => r[0]))).toEqual(
      new Set(["controller", "purpose", "data", "event-data", "recipient", "measure", "journey", "basis", "check", "unread", "file"]),
    );
  });

  it("makes an HTML page that loads nothing and runs nothing, with print rules", () => {
    const html = renderProcessingRecord(recordOf(CATALOG, SET), "html");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toContain("@media print");
    for (const bad of ["<script", "src=", "href=", "url(", "@import", "http://", "https://"]) expect(html, bad).not.toContain(bad);
  });

  it("makes HTML whose every element is closed, in order", () => {
    const html = renderProcessingRecord(recordOf(HOSTILE, SET), "html");
    const body = html.slice(html.indexOf("<body>"), html.indexOf("</html>"));
    const open: string[] = [];
    for (const m of body.matchAll(/<(\/?)([a-z][a-z0-9]*)[^>]*>/g)) {
      const [, close, tag] = m;
      if (tag === "wbr") continue;
      if (close) expect(open.pop(), `</${tag}> at ${m.index}`).toBe(tag);
      else open.push(tag!);
    }
    expect(open).toEqual([]);
  });

  it("is the same bytes whatever the order of the files, and carries a date only when given one", () => {
    const a = recordOf(CATALOG, SET);
    const b = recordOf(CATALOG, { "offers.journey": OFFERS, "claims.journey": CLAIMS, "news.journey": NEWSLETTER });
    for (const f of ["md", "html", "csv", "json"] as const) expect(renderProcessingRecord(b, f)).toBe(renderProcessingRecord(a, f));
    expect(JSON.stringify(processingRecordJson(a))).not.toMatch(/"date"/);
    const dated = recordOf(CATALOG, SET, "2026-12-06");
    expect(processingRecordJson(dated)["date"]).toBe("2026-12-06");
    expect(renderProcessingRecord(dated, "md")).toContain("- **Date:** 2026-12-06");
  });

  it("names the files it was made from by sha256, so a changed journey changes the record", () => {
    const a = recordOf(CATALOG, SET);
    const b = recordOf(CATALOG, { ...SET, "news.journey": NEWSLETTER.replace('"Monthly news"', '"Monthly news!"') });
    const hashOf = (r: ProcessingRecord) => r.sources.find((s) => s.path === "set/journeys/news.journey")!.sha256;
    expect(hashOf(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf(b)).not.toBe(hashOf(a));
    expect(a.rego).toBe("standard");
  });
});

/** A strict RFC 4180 reader, to check what the writer wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error("unterminated quoted field");
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const m = /[,\r]/.exec(text.slice(i));
      const end = m ? i + m.index : text.length;
      cell = text.slice(i, end);
      if (cell.includes('"') || cell.includes("\n")) throw new Error(`unquoted field with a quote or a line feed: ${cell}`);
      i = end;
    }
    row.push(cell);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`unexpected character at ${i}`);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}
