// The throwaway PostgreSQL cluster of the store and service tests: scripts/pg-cluster.ts (shared
// with the benchmark, which starts one too).
export * from "../../scripts/pg-cluster.ts";
