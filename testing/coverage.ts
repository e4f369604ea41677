// Condition coverage of the example tests: for each journey, which atomic conditions of its
// `when` (comparisons, `in`, `is set`, boolean calls and fields, `any`/`all`) were seen true
// and seen false, and which outcomes the journey reached. Read from the decisions' traces, so
// short-circuited conditions count as not seen.
import type { JourneyMeta, TraceNode } from "../core/artifact.ts";
import { OUTCOMES } from "../core/outcomes.ts";
import type { Decision, Outcome } from "../runtime/decision.ts";

export interface AtomCoverage {
  readonly id: number;
  /** The condition as written. */
  readonly text: string;
  /** `file:line:column`. */
  readonly where: string;
  readonly seenTrue: boolean;
  readonly seenFalse: boolean;
}

export interface JourneyCoverage {
  readonly journey: string;
  readonly atoms: readonly AtomCoverage[];
  /** Outcomes the journey had in some test, in spec order. */
  readonly outcomes: readonly Outcome[];
  /** Atom sides seen (true and false count separately) out of twice the atoms. */
  readonly covered: number;
  readonly total: number;
}

export interface Coverage {
  readonly journeys: readonly JourneyCoverage[];
  readonly covered: number;
  readonly total: number;
  /** covered / total, as a percentage; 100 when there is nothing to cover. */
  readonly percent: number;
}

const LITERALS = new Set(["bool", "int", "decimal", "string", "date", "datetime", "duration", "list"]);

/** The atomic conditions under a journey's `when`, in pre-order. */
export function atomsOf(meta: JourneyMeta): TraceNode[] {
  const byId = new Map(meta.nodes.map((n) => [n.id, n]));
  const out: TraceNode[] = [];
  // Named condition bodies are shared nodes: each is visited (and counted) once.
  const seen = new Set<number>();
  const walk = (id: number): void => {
    const n = byId.get(id);
    if (!n || seen.has(id)) return;
    seen.add(id);
    const connective =
      (n.kind === "binary" && (n.op === "and" || n.op === "or")) ||
      (n.kind === "unary" && n.op === "not") ||
      (n.kind === "path" && n.children.length > 0) ||
      n.kind === "paren";
    if (n.type === "bool" && !connective && !LITERALS.has(n.kind)) out.push(n);
    for (const c of n.children) walk(c);
  };
  walk(meta.whenRoot);
  return out;
}

export function coverageOf(metas: readonly JourneyMeta[], decisions: readonly Decision[]): Coverage {
  const journeys = [...metas]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((meta): JourneyCoverage => {
      const atoms = atomsOf(meta);
      const seen = new Map<number, Set<boolean>>();
      const outcomes = new Set<Outcome>();
      for (const d of decisions) {
        for (const e of d.evaluations) {
          if (e.journey !== meta.id) continue;
          outcomes.add(e.outcome);
          for (const [id, v] of e.trace) if (typeof v === "boolean") (seen.get(id) ?? seen.set(id, new Set()).get(id)!).add(v);
        }
      }
      const rows = atoms.map((n) => ({
        id: n.id,
        text: n.text,
        where: `${n.loc.file}:${n.loc.line}:${n.loc.column}`,
        seenTrue: seen.get(n.id)?.has(true) ?? false,
        seenFalse: seen.get(n.id)?.has(false) ?? false,
      }));
      const covered = rows.reduce((k, r) => k + (r.seenTrue ? 1 : 0) + (r.seenFalse ? 1 : 0), 0);
      return { journey: meta.id, atoms: rows, outcomes: OUTCOMES.filter((o) => outcomes.has(o)), covered, total: rows.length * 2 };
    });
  const covered = journeys.reduce((k, j) => k + j.covered, 0);
  const total = journeys.reduce((k, j) => k + j.total, 0);
  return { journeys, covered, total, percent: total === 0 ? 100 : (covered / total) * 100 };
}
