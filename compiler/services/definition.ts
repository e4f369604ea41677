// Go to definition: a named condition's use → its declaration (in whichever journey file); a
// catalog name (entity, `entity.field`, event, purpose, action, a declared outcome type) → its
// node in catalog.yaml.
import type { Span } from "../../core/source.ts";
import type { Analysis } from "./analysis.ts";
import { targetAt } from "./locate.ts";
import { parseMetric } from "../checker/value.ts";

/** Where the name at `offset` of the journey file `name` is defined. */
export function definitionAt(a: Analysis, name: string, offset: number): Span | undefined {
  const file = a.journeys.get(name);
  const target = file && targetAt(file, offset);
  if (!target) return undefined;
  const catalog = a.catalog;
  const inCatalog = (loc: { start: number; end: number } | undefined): Span | undefined =>
    loc && catalog ? { file: catalog.file, start: loc.start, end: loc.end } : undefined;
  switch (target.kind) {
    case "condition-name":
      return target.decl.name.span;
    case "purpose":
      return inCatalog(catalog?.purposes.get(target.ident.name)?.loc);
    case "event":
      return inCatalog(catalog?.events.get(target.ident.name)?.loc);
    case "action":
    case "argument":
      return inCatalog(catalog?.actions.get(target.kind === "action" ? target.ident.name : target.action.name)?.loc);
    case "variable":
      return target.ident.span;
    case "function":
      return undefined;
    case "outcome-type":
      return inCatalog(catalog?.value?.outcomes.get(target.ident.name)?.loc);
    case "metric": {
      const type = parseMetric(target.ident.name)?.type;
      return type === undefined ? undefined : inCatalog(catalog?.value?.outcomes.get(type)?.loc);
    }
    case "path": {
      const segs = target.path.segments;
      const head = segs[0]!.name;
      const binder = target.vars.get(head);
      if (binder) return binder.variable.span;
      if (segs.length === 1) return a.conditions.get(head)?.name.span;
      const entity = catalog?.entities.get(head);
      if (!entity) return undefined;
      return inCatalog(target.segment === 0 ? entity.loc : entity.fields.get(segs[1]!.name)?.loc);
    }
  }
}
