// Families of inputs of growing size, for the non-linear blow-up check: each family builds a
// case of size n whose text grows linearly with n; the oracle's deterministic cost measures
// (diagnostics, formatted size, generated code size, trace nodes, decision size, trace events)
// at n and 2n must not grow by more than BLOWUP_LIMIT. Wall time is never compared (CI machines
// vary); a case past the deadline is a hang in its own right.
import fc from "fast-check";
import { baseCondition, template } from "./typed-journeys.ts";
import type { Corpus } from "./cases.ts";
import { exampleRequestCase } from "./cases.ts";
import type { Metrics, PolicyCase } from "./types.ts";

/** Doubling n may multiply a cost by at most this much (quadratic is 4; exponential is far more). */
export const BLOWUP_LIMIT = 4.5;

/** A family: a name, and the case of size n. */
export interface Family {
  readonly name: string;
  /** The sizes compared (n and 2n), small enough for CI. */
  readonly n: number;
  build(n: number): PolicyCase;
}

const JOURNEY = (when: string, extra = "", clauses = "") =>
  `${extra}\njourney j {\n  purpose service_updates\n  on daily\n  when ${when}\n  do email(template: "t")\n${clauses}}\n`;

/**
 * One policy case of a family, decided on BASE_REQUEST (where the example conditions are true,
 * so nothing short-circuits) and logged to a real decision log (whose cost, too, must not explode).
 */
function policies(corpus: Corpus, name: string, text: string): PolicyCase {
  return {
    kind: "policies",
    label: name,
    catalog: corpus.catalog,
    journeys: [{ name: "family.journey", text }],
    requests: [JSON.stringify(BASE_REQUEST)],
    log: true,
  };
}

/** Named conditions each using the previous one twice, through template `t` (`c_k = t[c_{k-1}]`). */
export function sharingChain(corpus: Corpus, base: string, t: string, n: number): PolicyCase {
  let text = `condition c0 = ${base}\n`;
  for (let k = 1; k <= n; k++) text += `condition c${k} = ${t.replace(/\bc0\b/g, `c${k - 1}`)}\n`;
  return policies(corpus, `sharing chain of ${n} conditions: c_k = ${t}`, JOURNEY(`c${n}`, text));
}

/** The fixed families: the issue's reproducer shapes and the other ways text can share or nest. */
export function families(corpus: Corpus): Family[] {
  const P = (name: string, n: number, text: (n: number) => string): Family => ({ name, n, build: (k) => policies(corpus, `${name} (n=${k})`, text(k)) });
  const R = (name: string, n: number, edit: (r: Record<string, unknown>, n: number) => void): Family => ({
    name,
    n,
    build: (k) => {
      const r = structuredClone(BASE_REQUEST) as Record<string, unknown>;
      edit(r, k);
      return exampleRequestCase(JSON.stringify(r), `${name} (n=${k})`);
    },
  });
  return [
    P("condition doubling: c_k = c_{k-1} and c_{k-1}", 8, (n) => {
      let t = 'condition c0 = policy.status == "active"\n';
      for (let k = 1; k <= n; k++) t += `condition c${k} = c${k - 1} and c${k - 1}\n`;
      return JOURNEY(`c${n}`, t);
    }),
    P("condition used many times in one when", 40, (n) =>
      JOURNEY(Array.from({ length: n }, () => "c0").join(" and "), 'condition c0 = policy.status == "active" and customer.tenure_months >= 12\n'),
    ),
    P("condition used in a reason and a when", 40, (n) =>
      JOURNEY("c0", "condition c0 = customer.tenure_months >= 12\n", `  reason "${Array.from({ length: n }, () => "{customer.tenure_months}").join(" ")}"\n`),
    ),
    P("linear chain of conditions", 60, (n) => {
      let t = "condition c0 = customer.tenure_months >= 0\n";
      for (let k = 1; k <= n; k++) t += `condition c${k} = c${k - 1} and customer.tenure_months >= ${k}\n`;
      return JOURNEY(`c${n}`, t);
    }),
    P(
      "many journeys sharing one condition",
      30,
      (n) =>
        "condition c0 = customer.tenure_months >= 12\n" + Array.from({ length: n }, (_, k) => JOURNEY("c0").replace("journey j ", `journey j${k} `)).join(""),
    ),
    P("long and-chain", 300, (n) => JOURNEY(Array.from({ length: n }, (_, k) => `customer.tenure_months >= ${k}`).join(" and "))),
    P("long list literal", 400, (n) => JOURNEY(`customer.tenure_months in [${Array.from({ length: n }, (_, k) => k).join(", ")}]`)),
    P("nested parentheses", 50, (n) => JOURNEY("(".repeat(n) + "customer.tenure_months >= 12" + ")".repeat(n))),
    P("nested not", 50, (n) => JOURNEY("not ".repeat(n) + "true")),
    P("nested quantifiers", 10, (n) => {
      let body = "true";
      for (let k = n; k >= 1; k--) body = `(any v${k} in customer.recent_interactions: v${k}.sentiment == "negative" and ${body})`;
      return JOURNEY(body);
    }),
    P("unknown fields (diagnostics)", 100, (n) => JOURNEY(Array.from({ length: n }, (_, k) => `customer.nope_${k} == 1`).join(" and "))),
    P(
      "many conditions, none used (warnings)",
      100,
      (n) => Array.from({ length: n }, (_, k) => `condition c${k} = customer.tenure_months >= ${k}\n`).join("") + JOURNEY("true"),
    ),
    R(
      "consent records",
      1000,
      (r, n) =>
        (r["consents"] = Array.from({ length: n }, (_, k) => ({
          purpose: "renewal_marketing",
          channel: "email",
          status: k % 2 ? "granted" : "withdrawn",
          at: "2026-01-01T00:00:00Z",
        }))),
    ),
    R(
      "cap history",
      1000,
      (r, n) =>
        (r["history"] = Array.from({ length: n }, (_, k) => ({
          journey: "renewal_reminder_d90",
          at: `2025-${String((k % 12) + 1).padStart(2, "0")}-01T00:00:00Z`,
        }))),
    ),
    R("objections", 1000, (r, n) => (r["objections"] = Array.from({ length: n }, () => ({ scope: "purpose:service_recovery", at: "2026-01-01T00:00:00Z" })))),
    R("recent interactions", 1000, (r, n) => {
      const c = r["context"] as Record<string, Record<string, unknown>>;
      c["customer"]!["recent_interactions"] = Array.from({ length: n }, (_, k) => ({
        at: "2026-03-01T00:00:00Z",
        channel: "call",
        sentiment: k % 3 ? "negative" : "neutral",
      }));
    }),
    R("context keys nobody reads", 1000, (r, n) => {
      const c = r["context"] as Record<string, Record<string, unknown>>;
      for (let k = 0; k < n; k++) c["customer"]![`extra_${k}`] = k;
    }),
  ];
}

/** Generated sharing families: a random template applied n times must cost linear text. */
export function sharingFamilies(corpus: Corpus): fc.Arbitrary<{ base: string; template: string }> {
  return fc.record({ base: baseCondition(corpus.catalogValue), template: template(corpus.catalogValue, "c0") });
}

/** A request against the example set that reaches the predicates of several journeys. */
export const BASE_REQUEST = {
  event: { type: "daily", id: "evt-1" },
  subject: "c-1",
  now: "2026-03-02T10:00:00Z",
  region: "eu",
  context: {
    customer: {
      customer_id: "c-1",
      email: "a@example.com",
      timezone: "Europe/Berlin",
      tenure_months: 24,
      segment: "retail",
      nps: 9,
      recent_interactions: [],
      birth_date: "1980-01-01",
      preferred_language: "en",
    },
    policy: { status: "active", renewal_date: "2026-05-31", premium: 120.5, product: "home", auto_renew: false, claims_count: 0 },
    onboarding: { completed_steps: 2, total_steps: 5, last_progress_at: "2026-02-20T10:00:00Z" },
  },
  consents: [{ purpose: "renewal_marketing", channel: "email", status: "granted", at: "2026-01-01T00:00:00Z" }],
  objections: [],
  history: [],
};

/** What grew too fast between n and 2n, if anything. Tiny measures (fixed overheads) are ignored. */
export function blowup(small: Metrics, large: Metrics): string | undefined {
  const floor: Record<keyof Metrics, number> = {
    textBytes: 200,
    diagnostics: 8,
    formattedBytes: 200,
    jsBytes: 200,
    traceNodes: 8,
    decisions: 1e9,
    decisionBytes: 400,
    entryBytes: 400,
    traceEvents: 8,
  };
  const text = large.textBytes / Math.max(1, small.textBytes);
  for (const k of Object.keys(floor) as (keyof Metrics)[]) {
    if (k === "textBytes" || small[k] < floor[k]) continue;
    const ratio = large[k] / small[k];
    // A family whose text grows more than 2x may grow its costs as much (still linear).
    if (ratio > BLOWUP_LIMIT * Math.max(1, text / 2))
      return `\`${k}\` grew ${ratio.toFixed(1)}× when the input doubled (${small[k]} → ${large[k]}; text ${small.textBytes} → ${large.textBytes} bytes)`;
  }
  return undefined;
}
