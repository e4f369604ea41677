// Catalog loading: the public surface of compiler/catalog.
export { loadCatalog } from "./load.ts";
export { catalogCodes, type CatalogCode } from "./codes.ts";
export { RESERVED_ENTITY_NAMES } from "./build.ts";
export { MAX_CATALOG_CHARS, MAX_CATALOG_DEPTH } from "./yaml-tree.ts";
export { default as catalogSchema } from "./catalog.schema.json" with { type: "json" };
export * from "../../core/catalog/types.ts";
export { lineageSystem } from "../../core/catalog/lineage.ts";
