// The immutable decision log (spec §4 step 8): an append-only, hash-chained JSON Lines file with
// PII pseudonymized, its verification, and lookups. Node-only. Format: docs/decision-log.md.
export { DecisionLog, type DecisionLogOptions, type FsyncPolicy } from "./writer.ts";
export { verifyLog, type VerifyResult, type VerifyOptions, type BadEntry, type CheckpointCheck } from "./verify.ts";
export { verifyLogParallel, type ParallelOptions } from "./verify-parallel.ts";
export { checkpointFileFor, checkpointSigner, makeCheckpoint, parsePublicKey, readCheckpoints, CHECKPOINT_FORMAT, type Checkpoint } from "./checkpoint.ts";
export { findDecision, lastEntries, type FoundEntry } from "./read.ts";
export {
  decisionOf,
  GENESIS,
  LOG_FORMAT,
  LOG_FORMAT_V1,
  type LogFormat,
  type LogEntry,
  type LogFields,
  type LoggedRequest,
  type LoggedConsent,
  type LoggedObjection,
  type LoggedHistory,
} from "./format.ts";
export { loadLogKey, keyFileFor, parseKey, KEY_ENV, INTEGRITY_KEY_ENV, type LogKey, type KeyPurpose } from "./key.ts";
export { Pseudonymizer, piiLookupOf, piiNodes, type PiiLookup } from "./pseudonymize.ts";
export { LogError, type LogErrorCode } from "./errors.ts";
export { sealRequest, unsealRequest } from "./seal.ts";
export { replayLog, stoppedOf, firstDifference, type ReplayResult, type ReplayDifference, type SubjectKeyLookup } from "./replay.ts";
export { subjectKeyId, subjectLookup, newSubjectKey, subjectKeyOf, SUBJECT_KEY_BYTES, type SubjectKeySource } from "./subject-key.ts";
export { FileSubjectKeyring, subjectKeysFileFor, SUBJECT_KEYS_FORMAT, writeSubjectKeysFile } from "./subject-keyring.ts";
export {
  eraseSubjectInLog,
  exportSubjectFromLog,
  subjectDecision,
  type ErasureResult,
  type SubjectDecision,
  type SubjectExport,
  type SubjectLogOptions,
} from "./subject-rights.ts";
