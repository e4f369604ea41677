// Runs catalog.schema.json over a catalog one entry at a time. ajv gathers a referenced
// definition's errors with `concat`, which is quadratic in the number of errors when thousands
// of entries fail (a 1 MiB catalog with a mistake in every field took over 30 s). So the
// schema is split at its maps of entries (sections, `fields`, `params`, record members): a
// "shallow" copy of the schema stops at those maps, and this walk validates each entry on its
// own. The errors are the ones validating the whole document gives (a property test checks
// it), with the same JSON paths.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import published from "./catalog.schema.json" with { type: "json" };

type Json = Record<string, unknown>;

/** The schema as validated: the published one with its entry maps cut off (`true`). */
export const shallowSchema: typeof published = split(published);

function split(schema: typeof published): typeof published {
  const s = structuredClone(schema);
  s.properties.entities.additionalProperties = true as never;
  s.properties.events.additionalProperties = true as never;
  s.properties.purposes.additionalProperties = true as never;
  s.properties.actions.additionalProperties = true as never;
  s.properties.caps.additionalProperties = true as never;
  s.$defs.entity.properties.fields.additionalProperties = true as never;
  s.$defs.event.properties.fields.additionalProperties = true as never;
  s.$defs.action.properties.params.additionalProperties = true as never;
  s.$defs.record.additionalProperties = true as never;
  return s;
}

interface Validators {
  readonly root: ValidateFunction;
  readonly entity: ValidateFunction;
  readonly field: ValidateFunction;
  readonly event: ValidateFunction;
  readonly purpose: ValidateFunction;
  readonly action: ValidateFunction;
  readonly cap: ValidateFunction;
  readonly typeRef: ValidateFunction;
}

// Process-wide and safe: compiled once from the constant schema and never changed; ajv's
// `validate.errors` is read right after each synchronous call.
let validators: Validators | undefined;

// Compiled once, on first use; `strict` makes a mistake in the schema itself fail loudly in tests.
function compile(): Validators {
  if (validators) return validators;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
  const id = "kairos:catalog-shallow";
  ajv.addSchema({ ...shallowSchema, $id: id });
  const def = (name: string): ValidateFunction => ajv.getSchema(`${id}#/$defs/${name}`)!;
  validators = {
    root: ajv.getSchema(id)!,
    entity: def("entity"),
    field: def("field"),
    event: def("event"),
    purpose: def("purpose"),
    action: def("action"),
    cap: def("cap"),
    typeRef: def("typeRef"),
  };
  return validators;
}

/** Every schema error of a catalog value, with JSON paths from the document's root. */
export function validateCatalog(value: unknown): ErrorObject[] {
  const v = compile();
  const out: ErrorObject[] = [];
  const run = (validate: ValidateFunction, data: unknown, path: string): void => {
    if (validate(data)) return;
    for (const e of validate.errors ?? []) out.push(path === "" ? e : { ...e, instancePath: path + e.instancePath });
  };

  // Mirrors the schema's `listElement`: a type name, a type mapping (its `type` is text), or a record.
  const element = (of: unknown, path: string): void => {
    if (!isObject(of)) return;
    if (Object.hasOwn(of, "type") && typeof of.type === "string") {
      typeSpec(of, path);
      return;
    }
    for (const [name, member] of Object.entries(of)) {
      const p = `${path}/${escapePointer(name)}`;
      run(v.typeRef, member, p);
      typeSpec(member, p);
    }
  };
  const typeSpec = (t: unknown, path: string): void => {
    if (isObject(t) && Object.hasOwn(t, "of")) element(t.of, `${path}/of`);
  };
  const each = (map: unknown, path: string, fn: (value: unknown, path: string) => void): void => {
    if (isObject(map)) for (const [k, x] of Object.entries(map)) fn(x, `${path}/${escapePointer(k)}`);
  };

  run(v.root, value, "");
  if (!isObject(value)) return out;
  each(value.entities, "/entities", (entity, p) => {
    run(v.entity, entity, p);
    if (isObject(entity)) {
      each(entity.fields, `${p}/fields`, (field, fp) => {
        run(v.field, field, fp);
        typeSpec(field, fp);
      });
    }
  });
  each(value.events, "/events", (event, p) => {
    run(v.event, event, p);
    if (isObject(event)) {
      each(event.fields, `${p}/fields`, (t, tp) => {
        run(v.typeRef, t, tp);
        typeSpec(t, tp);
      });
    }
  });
  each(value.purposes, "/purposes", (purpose, p) => run(v.purpose, purpose, p));
  each(value.actions, "/actions", (action, p) => {
    run(v.action, action, p);
    if (isObject(action)) {
      each(action.params, `${p}/params`, (t, tp) => {
        run(v.typeRef, t, tp);
        typeSpec(t, tp);
      });
    }
  });
  each(value.caps, "/caps", (cap, p) => run(v.cap, cap, p));
  return out;
}

/** The definition an error comes from (`field`, `duration`, …), or "" for the root. */
export function definitionOf(parentSchema: unknown): string {
  return defNames().get(parentSchema) ?? "";
}

// Process-wide and safe: derived once from the constant schema, read-only after.
let names: Map<unknown, string> | undefined;

// ajv's schemaPath is relative to the referenced definition, so errors are told apart by the
// definition object they come from (ajv keeps the schema's objects as they are).
function defNames(): Map<unknown, string> {
  names ??= new Map(Object.entries(shallowSchema.$defs).map(([name, def]) => [def, name]));
  return names;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
