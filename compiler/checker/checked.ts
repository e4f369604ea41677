// The checker's output: the typed, resolved program that codegen, the reference interpreter
// and the bundle analysis read. Everything here is derived from the AST and the catalog.
import type * as A from "../syntax/ast.ts";
import type { ActionDef, Catalog, FieldDef, PurposeDef } from "../../core/catalog/types.ts";
import type { JourneyGoal, StopLoss } from "../../core/artifact.ts";

/** A value type of the language. `unknown` follows an error and suppresses follow-on errors. */
export type Type =
  | { readonly kind: "bool" }
  | { readonly kind: "int" }
  | { readonly kind: "decimal" }
  | { readonly kind: "string" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "date" }
  | { readonly kind: "datetime" }
  | { readonly kind: "duration" }
  | { readonly kind: "list"; readonly of: Type }
  | { readonly kind: "record"; readonly members: ReadonlyMap<string, Type> }
  | { readonly kind: "unknown" };

/** What a path expression refers to. */
export type Resolution =
  /** `entity.field`, read from the context provider. */
  | { readonly kind: "field"; readonly path: string; readonly def: FieldDef }
  /** `event.name`, from the request's event payload. */
  | { readonly kind: "event"; readonly name: string; readonly type: Type }
  /** `now`, the request's time. */
  | { readonly kind: "now" }
  /** A quantifier's variable, optionally with members: `x`, `x.at`. */
  | { readonly kind: "variable"; readonly binder: A.QuantifierExpr; readonly members: readonly string[] }
  /** A named condition: its body is evaluated at most once per evaluation, its value shared by every reference. */
  | { readonly kind: "condition"; readonly decl: A.ConditionDecl };

export interface Trigger {
  readonly event: string;
  /** `after 3d, 7d`: each timer as written and in milliseconds, in source order. */
  readonly timers: readonly { readonly label: string; readonly ms: number }[];
}

export interface CheckedAction {
  readonly def: ActionDef;
  /** Parameter values, literal after checking. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

/** One journey after checking: every clause resolved, defaults applied. */
export interface CheckedJourney {
  readonly decl: A.JourneyDecl;
  readonly id: string;
  readonly title: string;
  readonly purpose: PurposeDef;
  readonly risk: "low" | "medium" | "high";
  readonly priority: number;
  readonly trigger: Trigger;
  readonly when: A.Expr;
  readonly action: CheckedAction;
  readonly cap?: { readonly count: number; readonly windowMs: number; readonly window: string };
  readonly quiet?: { readonly from: string; readonly to: string; readonly fromMinutes: number; readonly toMinutes: number };
  readonly holdout?: { readonly percent: number; readonly salt: string };
  /** `goal TYPE within D` (compiler/checker/value.ts). */
  readonly goal?: JourneyGoal;
  /** `stop_loss …`, defaults applied (compiler/checker/value.ts). */
  readonly stopLoss?: StopLoss;
  readonly review: boolean;
  readonly reason?: A.Template;
  /** The minimal context bundle: entity field paths (`customer.tenure_months`), sorted. */
  readonly fields: readonly string[];
  /** Event payload fields read (`csat`), sorted; they come with the request, not the provider. */
  readonly eventFields: readonly string[];
}

/** A whole policy set after checking. Only produced when the program is usable for codegen. */
export interface CheckedProgram {
  readonly catalog: Catalog;
  /** Sorted by id. */
  readonly journeys: readonly CheckedJourney[];
  readonly conditions: ReadonlyMap<string, A.ConditionDecl>;
  /** The type of every expression node reachable from a journey or condition. */
  readonly types: ReadonlyMap<A.Expr, Type>;
  /** What every path expression refers to. */
  readonly resolutions: ReadonlyMap<A.PathExpr, Resolution>;
  readonly files: readonly A.JourneyFile[];
}

export function typeName(t: Type): string {
  switch (t.kind) {
    case "enum":
      return `enum(${t.values.map((v) => JSON.stringify(v)).join(", ")})`;
    case "list":
      return `list of ${typeName(t.of)}`;
    case "record":
      return `record {${[...t.members.keys()].join(", ")}}`;
    default:
      return t.kind;
  }
}
