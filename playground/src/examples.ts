// The examples menu: the example policy set (policies/catalog.yaml and policies/journeys/*.journey,
// bundled as raw text) with, for each journey file, a request, context and consent records
// that show it at work. The first example is the default state of the page.
import catalogYaml from "../../policies/catalog.yaml?raw";
import type { PlaygroundState } from "./state.ts";

const journeyFiles = import.meta.glob<string>("../../policies/journeys/*.journey", { query: "?raw", import: "default", eager: true });

/** The example policy set's journey files, by name, in name order. */
export const EXAMPLE_JOURNEYS: readonly { readonly name: string; readonly text: string }[] = Object.entries(journeyFiles)
  .map(([path, text]) => ({ name: path.slice(path.lastIndexOf("/") + 1), text }))
  .sort((a, b) => (a.name < b.name ? -1 : 1));

const json = (v: unknown): string => JSON.stringify(v, null, 2) + "\n";

const CUSTOMER = {
  customer_id: "cust-1001",
  email: "ana.garcia@example.com",
  timezone: "Europe/Amsterdam",
  tenure_months: 26,
  segment: "retail",
  nps: 7,
  recent_interactions: [
    { at: "2026-02-20T14:05:00Z", channel: "chat", sentiment: "neutral" },
    { at: "2026-02-27T09:40:00Z", channel: "email", sentiment: "positive" },
  ],
};

interface Inputs {
  readonly request: object;
  readonly context: object;
  readonly consents: object;
}

const DAILY: Inputs = {
  request: { event: { type: "daily", id: "daily-2026-03-02" }, subject: "cust-1001", now: "2026-03-02T10:00:00Z", region: "eu", history: [] },
  context: {
    customer: CUSTOMER,
    policy: { status: "active", renewal_date: "2026-05-31", premium: 480.5 },
    onboarding: { completed_steps: 5, total_steps: 5, last_progress_at: "2025-01-10T12:00:00Z" },
  },
  consents: {
    consents: [{ purpose: "renewal_marketing", channel: "email", status: "granted", at: "2025-11-03T08:12:00Z", source: "web-preferences" }],
    objections: [],
  },
};

/** Example inputs by journey file; files without their own use the daily request. */
const INPUTS: Readonly<Record<string, Inputs>> = {
  "renewals.journey": DAILY,
  "claims.journey": {
    request: {
      event: { type: "claim.filed", id: "evt-clm-77", at: "2026-03-01T09:00:00Z", timer: "3d", payload: { claim_id: "clm-77", at: "2026-03-01T09:00:00Z" } },
      subject: "cust-1001",
      now: "2026-03-04T09:00:00Z",
      region: "eu",
    },
    context: { customer: CUSTOMER, claim: { filed_at: "2026-03-01T09:00:00Z", status: "assessing", diagnosis: "fracture" } },
    consents: { consents: [], objections: [] },
  },
  "claims-care.journey": {
    request: {
      event: { type: "claim.filed", id: "evt-clm-78", at: "2026-03-02T08:15:00Z", payload: { claim_id: "clm-78", at: "2026-03-02T08:15:00Z" } },
      subject: "cust-1001",
      now: "2026-03-02T08:16:00Z",
      region: "eu",
    },
    context: { customer: CUSTOMER, claim: { filed_at: "2026-03-02T08:15:00Z", status: "filed", diagnosis: "Wrist fracture after a fall" } },
    consents: { consents: [], objections: [] },
  },
  "onboarding.journey": {
    request: { event: { type: "daily", id: "daily-2026-03-02" }, subject: "cust-2002", now: "2026-03-02T09:30:00Z", region: "eu" },
    context: {
      customer: { ...CUSTOMER, customer_id: "cust-2002", tenure_months: 1, timezone: "Europe/Berlin" },
      policy: { status: "active", renewal_date: "2027-02-01", premium: 312 },
      onboarding: { completed_steps: 2, total_steps: 5, last_progress_at: "2026-02-24T17:20:00Z" },
    },
    consents: { consents: [], objections: [] },
  },
  "service.journey": {
    request: {
      event: { type: "ticket.resolved", id: "tkt-5531", payload: { ticket_id: "tkt-5531", csat: 1 } },
      subject: "cust-1001",
      now: "2026-03-02T15:00:00Z",
      region: "eu",
    },
    context: { customer: CUSTOMER },
    consents: { consents: [], objections: [] },
  },
};

export interface Example {
  readonly id: string;
  readonly label: string;
  readonly state: PlaygroundState;
  /** The file shown first. */
  readonly open?: string;
}

function state(journeys: readonly { name: string; text: string }[], inputs: Inputs): PlaygroundState {
  return { catalog: catalogYaml, journeys, request: json(inputs.request), context: json(inputs.context), consents: json(inputs.consents) };
}

/** A file's menu label: its header comment up to the colon (`# Claims care: …`), else its name. */
function title(file: { name: string; text: string }): string {
  const comment = /^#\s*([^:\n]{1,40}):/.exec(file.text)?.[1]?.trim();
  if (comment) return comment;
  const base = file.name.replace(/\.journey$/, "");
  return base.charAt(0).toUpperCase() + base.slice(1);
}

/** The journey ids a file declares (`journey ID {` at the start of a line). */
function declaredIds(file: { text: string }): string[] {
  return [...file.text.matchAll(/^journey\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{/gm)].map((m) => m[1]!);
}

/**
 * A journey file with the other example files it needs: those declaring a journey its tests
 * name (`expect onboarding_nudge no_match` in renewals.journey needs onboarding.journey). The
 * file itself comes first (it is the one shown); the others follow in name order, so every
 * example checks as clean as the whole set does.
 */
export function withDependencies(name: string): { name: string; text: string }[] {
  const file = EXAMPLE_JOURNEYS.find((j) => j.name === name);
  if (!file) throw new Error(`no example journey file ${name}`);
  const words = (f: { text: string }) => new Set(f.text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  // Transitively: a file pulled in brings its own tests, which may name journeys of a third.
  const included = new Set([file]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const j of EXAMPLE_JOURNEYS) {
      if (included.has(j)) continue;
      const ids = declaredIds(j);
      if ([...included].some((f) => ids.some((id) => words(f).has(id)))) {
        included.add(j);
        grew = true;
      }
    }
  }
  return [file, ...EXAMPLE_JOURNEYS.filter((j) => j !== file && included.has(j))];
}

/** The menu: the whole policy set first (the default), then each journey file with what its tests need. */
export const EXAMPLES: readonly Example[] = [
  { id: "all", label: "Whole example policy set", state: state(EXAMPLE_JOURNEYS, DAILY), open: "renewals.journey" },
  ...EXAMPLE_JOURNEYS.map((j) => ({
    id: j.name,
    label: `${title(j)} (${j.name})`,
    state: state(withDependencies(j.name), INPUTS[j.name] ?? DAILY),
    open: j.name,
  })),
  {
    id: "withdrawn",
    label: "Renewals, consent withdrawn",
    open: "renewals.journey",
    state: state(withDependencies("renewals.journey"), {
      ...DAILY,
      consents: {
        consents: [
          { purpose: "renewal_marketing", status: "granted", at: "2025-11-03T08:12:00Z", source: "web-preferences" },
          { purpose: "renewal_marketing", status: "withdrawn", at: "2026-01-15T19:02:00Z", source: "unsubscribe-link" },
        ],
        objections: [],
      },
    }),
  },
  {
    id: "residency",
    label: "Claims care, processed in the US",
    open: "claims-care.journey",
    state: state(withDependencies("claims-care.journey"), {
      ...INPUTS["claims-care.journey"]!,
      request: { ...INPUTS["claims-care.journey"]!.request, region: "us" },
    }),
  },
];

export const DEFAULT_EXAMPLE: Example = EXAMPLES[0]!;
