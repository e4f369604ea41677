// The runtime's public API (browser-safe; Node-only loading of an artifact directory is in
// ./node.ts): the engine and its contract types, request validation, context providers (in
// memory and over HTTP), the stage observer's types, guardrail functions analysts recompute,
// and the decision-log hand-off.
export { Engine, decisionId, decisionJson, type EngineParts, type EngineOptions, type DecideOptions, type DecisionRecord } from "./engine.ts";
export { DEFAULT_DEADLINES, DeadlineExceeded, type Deadlines } from "./deadline.ts";
export { DEFAULT_LIMITS, checkRequestLimits, type RequestLimits, type LimitProblem } from "./limits.ts";
export { loadEngine, verifyArtifact, importPredicates, ArtifactError, PART, type ArtifactFileMap, type ArtifactErrorCode } from "./load.ts";
export type { Decision, Evaluation, Outcome, Reason, Action, Wakeup, TraceEvent } from "./decision.ts";
export {
  parseRequest,
  formatProblems,
  RequestSchema,
  type DecisionRequest,
  type ParsedRequest,
  type RequestProblem,
  type ConsentRecord,
  type Objection,
  type HistoryEntry,
} from "./request.ts";
export { parseJsonText, type JsonTextResult } from "./json-text.ts";
export { InMemoryProvider, normalizeContext, type ContextProvider, type FetchOptions, type EntityRecords, type FieldProblem } from "./context.ts";
export { HttpProvider, HttpProviderError, type HttpProviderOptions, type HttpFetch, type HttpResponseLike } from "./http-provider.ts";
export type { DecisionStage, StageObserver } from "./observe.ts";
export {
  holdoutBucket,
  checkHoldout,
  checkGlobalControl,
  GLOBAL_CONTROL_JOURNEY,
  KILL_SWITCH_CODE,
  STOP_LOSS_CODE,
  checkCap,
  checkChannelCap,
  checkQuiet,
  compareByPriority,
  type ChannelCapCheck,
} from "./guardrails.ts";
export type { PolicyEvaluator } from "./policy.ts";
export { MemorySink, type DecisionSink, type AppendOptions, type DecisionLogEntry, type MinimizedRequest, type AppliedPolicies } from "./sink.ts";
export { canonicalJson, CanonicalJsonError } from "../core/canonical-json.ts";
export { sha256Hex } from "../core/sha256.ts";
