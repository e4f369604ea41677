// The immutable decision log (spec §4 step 8): an append-only, hash-chained JSON Lines file with
// PII pseudonymized, its verification, and lookups. Node-only. Format: docs/decision-log.md.
export { DecisionLog, type DecisionLogOptions, type FsyncPolicy } from "./writer.ts";
export { verifyLog, type VerifyResult, type VerifyOptions, type BadEntry } from "./verify.ts";
export { findDecision, lastEntries, type FoundEntry } from "./read.ts";
export { decisionOf, GENESIS, LOG_FORMAT, type LogEntry, type LogFields, type LoggedRequest, type LoggedConsent, type LoggedObjection, type LoggedHistory } from "./format.ts";
export { loadLogKey, keyFileFor, KEY_ENV, type LogKey } from "./key.ts";
export { Pseudonymizer, piiLookupOf, piiNodes, type PiiLookup } from "./pseudonymize.ts";
export { LogError, type LogErrorCode } from "./errors.ts";
export { sealRequest, unsealRequest } from "./seal.ts";
export { replayLog, firstDifference, type ReplayResult, type ReplayDifference } from "./replay.ts";
