// Test setup: in CI (CI=true) every fast-check property runs with one fixed seed (FC_SEED to
// change it), so a run is reproducible; locally each run explores new inputs.
import fc from "fast-check";

if (process.env["CI"]) fc.configureGlobal({ seed: Number(process.env["FC_SEED"] ?? 20261123) });
