// The context interface of each journey, derived from the catalog types of exactly the fields
// in its minimal bundle (and the event fields it reads): what the runtime must hand the
// predicate. Lists of records become arrays of named element interfaces, shared by name.
import type { Catalog, FieldType } from "../../core/catalog/types.ts";
import type { CheckedJourney } from "../checker/checked.ts";
import { ident, key } from "./code.ts";

interface ItemDecl {
  readonly name: string;
  readonly members: ReadonlyMap<string, FieldType>;
}

/** Collects element interfaces while journeys' context interfaces are built. */
export class ContextTypes {
  private readonly catalog: Catalog;
  /** Source path (`customer.recent_interactions`) → element interface. */
  private readonly items = new Map<string, ItemDecl>();
  private readonly taken = new Set<string>();
  /** Member lines of entity fields by path (see `fieldLine`). */
  private readonly fieldLines = new Map<string, string>();

  constructor(catalog: Catalog) {
    this.catalog = catalog;
  }

  /** `Ctx_<id>`: `now`, then the event fields read, then each entity's fields, all sorted. */
  contextInterface(j: CheckedJourney): string[] {
    const name = `Ctx_${j.id}`;
    ident(name);
    const lines = [
      `/** What \`${j.id}\` reads: exactly its minimal context bundle. */`,
      `export interface ${name} {`,
      "  /** The request's time. */",
      "  readonly now: number /* epoch ms */;",
    ];
    if (j.eventFields.length > 0) {
      const ev = this.catalog.events.get(j.trigger.event);
      lines.push("  readonly event: {");
      for (const f of [...j.eventFields].sort()) {
        const ft = ev?.fields.get(f);
        lines.push(`    readonly ${key(f)}: ${ft ? this.tsType(ft, `event:${j.id}.${f}`, `${j.id}_event_${f}`) : "unknown"};`);
      }
      lines.push("  };");
    }
    const byEntity = new Map<string, string[]>();
    for (const path of j.fields) {
      const dot = path.indexOf(".");
      const entity = path.slice(0, dot);
      const list = byEntity.get(entity) ?? [];
      list.push(path.slice(dot + 1));
      byEntity.set(entity, list);
    }
    for (const entity of [...byEntity.keys()].sort()) {
      lines.push(`  readonly ${key(entity)}: {`);
      for (const field of byEntity.get(entity)!.sort()) lines.push(this.fieldLine(entity, field));
      lines.push("  };");
    }
    lines.push("}");
    return lines;
  }

  /**
   * The member line of `entity.field` in a context interface: the same in every journey that
   * reads the field, so built once (its element interface, if any, registered then).
   */
  private fieldLine(entity: string, field: string): string {
    const path = `${entity}.${field}`;
    let line = this.fieldLines.get(path);
    if (line === undefined) {
      const def = this.catalog.entities.get(entity)?.fields.get(field);
      if (!def) line = `    readonly ${key(field)}: unknown;`;
      else {
        const t = this.tsType(def.type, def.path, `${entity}_${field}`);
        line = def.optional ? `    readonly ${key(field)}?: ${t} | null;` : `    readonly ${key(field)}: ${t};`;
      }
      this.fieldLines.set(path, line);
    }
    return line;
  }

  /** The element interfaces used so far, sorted by name. */
  itemInterfaces(): string[] {
    const out: string[] = [];
    // Writing an item may register nested items; loop until stable.
    const done = new Set<string>();
    for (;;) {
      const pending = [...this.items.values()].filter((i) => !done.has(i.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
      if (pending.length === 0) break;
      for (const item of pending) {
        done.add(item.name);
        const body = [...item.members.keys()]
          .sort()
          .map((m) => `  readonly ${key(m)}: ${this.tsType(item.members.get(m)!, `${item.name}.${m}`, `${item.name.slice(5)}_${m}`)};`);
        out.push(`export interface ${item.name} {`, ...body, "}", "");
      }
    }
    return out;
  }

  /** The TypeScript type of a catalog type; `path` identifies it, `hint` names its items. */
  tsType(ft: FieldType, path: string, hint: string): string {
    switch (ft.kind) {
      case "scalar":
        switch (ft.name) {
          case "bool":
            return "boolean";
          case "int":
          case "decimal":
            return "number";
          case "string":
            return "string";
          case "date":
            return "number /* epoch day */";
          case "datetime":
            return "number /* epoch ms */";
          case "duration":
            return "number /* ms */";
        }
        break;
      case "enum":
        return ft.values.length === 0 ? "never" : ft.values.map((v) => JSON.stringify(v)).join(" | ");
      case "list": {
        if (ft.of.kind === "record") return `readonly ${this.item(path, hint, ft.of.members)}[]`;
        const inner = this.tsType(ft.of.type, `${path}[]`, hint);
        return /^[A-Za-z_]\w*$/.test(inner) ? `readonly ${inner}[]` : `readonly (${inner})[]`;
      }
    }
  }

  private item(path: string, hint: string, members: ReadonlyMap<string, FieldType>): string {
    const known = this.items.get(path);
    if (known) return known.name;
    const base = `Item_${hint.replace(/[^A-Za-z0-9_]/g, "_")}`;
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    ident(name);
    this.taken.add(name);
    this.items.set(path, { name, members });
    return name;
  }
}
