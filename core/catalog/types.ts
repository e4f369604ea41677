// The data catalog after loading and validation: the typed model every later stage reads.

export type ScalarTypeName = "bool" | "int" | "decimal" | "string" | "enum" | "date" | "datetime" | "duration";
export type PiiClass = "none" | "identifier" | "direct" | "sensitive";
export type LawfulBasis = "consent" | "contract" | "legal_obligation" | "vital_interests" | "public_task" | "legitimate_interest";

export const LAWFUL_BASES: readonly LawfulBasis[] = ["consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interest"];

/** A field's type: a scalar, an enum with its values, or a list of records. */
export type FieldType =
  | { readonly kind: "scalar"; readonly name: Exclude<ScalarTypeName, "enum"> }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "list"; readonly of: ListElement };

/** A list's element: a scalar type or a record of named members. */
export type ListElement = { readonly kind: "type"; readonly type: FieldType } | { readonly kind: "record"; readonly members: ReadonlyMap<string, FieldType> };

/** A location in catalog.yaml, for diagnostics that point at the catalog. */
export interface CatalogLoc {
  readonly start: number;
  readonly end: number;
}

export interface FieldDef {
  readonly entity: string;
  readonly name: string;
  /** `entity.field` */
  readonly path: string;
  readonly type: FieldType;
  readonly pii: PiiClass;
  readonly labels: readonly string[];
  readonly lineage?: string;
  /** `any` or a region tag. */
  readonly residency: string;
  readonly retention?: string;
  readonly freshness?: string;
  readonly optional: boolean;
  /**
   * `reason_allowed: true`: the field may be interpolated into a journey's `reason` although it
   * is personal data (`check/pii-in-reason` otherwise). Absent means false; meaningless for
   * `pii: none`.
   */
  readonly reasonAllowed?: boolean;
  readonly loc: CatalogLoc;
}

export interface EntityDef {
  readonly name: string;
  readonly key: string;
  /**
   * `subjects:` the category of data subjects the entity's records describe (GDPR Art. 30(1)(c)),
   * e.g. "customers (policyholders)". Absent: the records of processing name the entity itself.
   */
  readonly subjects?: string;
  readonly fields: ReadonlyMap<string, FieldDef>;
  readonly loc: CatalogLoc;
}

export interface EventDef {
  readonly name: string;
  readonly binds: readonly string[];
  readonly schedule: boolean;
  /** Payload fields, readable as `event.<name>`. */
  readonly fields: ReadonlyMap<string, FieldType>;
  readonly freshness?: string;
  readonly loc: CatalogLoc;
}

export interface PurposeDef {
  readonly name: string;
  readonly bases: readonly LawfulBasis[];
  readonly channels: readonly string[];
  readonly forbids: readonly string[];
  readonly allows: readonly string[];
  readonly marketing: boolean;
  /** `description:` what the purpose is for, in the controller's words (records of processing). */
  readonly description?: string;
  /**
   * `systems:` the source systems (the first segment of a field's `lineage`, e.g. `crm` of
   * `crm.contacts.email`) the purpose may read from. Absent: any system.
   */
  readonly systems?: readonly string[];
  /**
   * `pii:` the explicit allowance for personal data: the `entity.field` paths of `pii: direct`
   * or `pii: sensitive` fields this purpose may read. A marketing purpose reading such a field
   * that is not listed is an error. Absent means none.
   */
  readonly pii?: readonly string[];
  readonly loc: CatalogLoc;
}

export interface ActionParamDef {
  readonly name: string;
  readonly type: FieldType;
}

export interface ActionDef {
  readonly name: string;
  readonly channel: string;
  readonly params: ReadonlyMap<string, ActionParamDef>;
  readonly cost: "low" | "high";
  readonly loc: CatalogLoc;
}

/**
 * A cross-journey channel cap (`caps:` in catalog.yaml): at most `max` actions on `channel`
 * for the covered purposes per subject in a rolling window of `per`, whatever journey took them.
 */
export interface ChannelCapDef {
  readonly name: string;
  readonly channel: string;
  readonly max: number;
  /** The window as written, a duration literal of the language (`7d`, `24h`, `2w`). */
  readonly per: string;
  readonly windowMs: number;
  /** `marketing`: purposes with `marketing: true`; `all`: every purpose; else these purpose ids. */
  readonly purposes: "marketing" | "all" | readonly string[];
  readonly loc: CatalogLoc;
}

/** `controller:` who decides the purposes and means of processing (GDPR Art. 30(1)(a)). */
export interface ControllerDef {
  readonly name: string;
  readonly contact?: string;
  /** The data protection officer's name and contact. */
  readonly dpo?: string;
}

export interface Catalog {
  readonly version: number;
  /** The controller, for the records of processing; absent in catalogs that do not name one. */
  readonly controller?: ControllerDef;
  /** The catalog file's name, as spans use it. */
  readonly file: string;
  readonly entities: ReadonlyMap<string, EntityDef>;
  readonly events: ReadonlyMap<string, EventDef>;
  readonly purposes: ReadonlyMap<string, PurposeDef>;
  readonly actions: ReadonlyMap<string, ActionDef>;
  /** Region → regions it may be processed in besides itself. */
  readonly transfers: ReadonlyMap<string, readonly string[]>;
  /** Channel caps by name; absent (older artifacts, hand-built catalogs) means none. */
  readonly caps?: ReadonlyMap<string, ChannelCapDef>;
  /**
   * `value:` what proof of value needs (docs/value.md): the currency, the cost of one action per
   * channel, the outcome types besides the built-in ones, and the global control group. Absent
   * (older artifacts, catalogs without the section): no costs, the built-in outcome types only,
   * no global control group.
   */
  readonly value?: ValueDef;
}

/** The outcome types every catalog has (docs/value.md#outcomes); `value:` may declare more. */
export const BUILTIN_OUTCOME_TYPES: readonly string[] = ["conversion", "renewal", "complaint", "unsubscribe"];

/** One outcome type (`value: outcomes:`): what a business result reported to Kairos is. */
export interface OutcomeTypeDef {
  readonly name: string;
  readonly description?: string;
  /** `harm: true`: a bad result (complaint, unsubscribe): uplift in it is harm, shown red. */
  readonly harm: boolean;
  readonly loc?: CatalogLoc;
}

/**
 * The global control group (`value: control_group: { percent: 5, salt: "2026" }`): subjects whose
 * bucket (docs/value.md#global-control-group: the holdout formula with the journey id `global`)
 * is below `percent × 100` get no action from any journey: the winner's outcome is `held_out`
 * with the reason `global_control`.
 */
export interface ControlGroupDef {
  readonly percent: number;
  readonly salt: string;
}

/** The `value:` section of catalog.yaml. */
export interface ValueDef {
  /** ISO 4217 code the costs and outcome values are in (default `EUR`). */
  readonly currency: string;
  /** Channel → cost of one action on it (`costs: { email: 0.02 }`); a channel not listed costs 0. */
  readonly costs: ReadonlyMap<string, number>;
  /** Every outcome type: the built-in ones and those declared, by name. */
  readonly outcomes: ReadonlyMap<string, OutcomeTypeDef>;
  readonly controlGroup?: ControlGroupDef;
  /**
   * `retention:` how long the service keeps experiment assignments and outcomes (an ISO 8601
   * duration, e.g. `P2Y`), counted from each row's time; absent: the service's default retention,
   * else kept (docs/value.md#retention).
   */
  readonly retention?: string;
  readonly loc: CatalogLoc;
}
