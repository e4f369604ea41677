// Codegen's public API: the predicates module of a policy set (TypeScript and JavaScript).
export { emitPredicates, generatePredicates, JOURNEY_ID_RE, MAX_EXPRESSION_DEPTH, type PredicatesSource } from "./module.ts";
export { planJourney, type TracePlan, type Site, type ReasonPart } from "../plan/trace-nodes.ts";
export { journeyMeta } from "../plan/journey-meta.ts";
export { PredicateError, isPredicateError } from "../eval/semantics.ts";
