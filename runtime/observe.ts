// The stage observer of `DecideOptions.observe`: how long each stage of one decision took, for
// metrics and tracing (the service's `kairos_decision_stage_seconds`). Optional and free when
// absent: the engine reads the clock only when an observer is given, and creates no closure.

/** The stages of a decision, in the order they run (docs/runtime.md#observing-stages). */
export type DecisionStage = "validate" | "policy" | "fetch" | "predicates" | "guardrails" | "log";

/**
 * Called once per stage that ran, with its wall time in milliseconds. It must not throw (what
 * it throws is ignored) and should return quickly: it runs inside the decision.
 */
export type StageObserver = (stage: DecisionStage, ms: number) => void;

/** A monotonic clock in milliseconds (browsers and Node alike). */
export function clock(): number {
  return performance.now();
}

/** Reports a stage to the observer; an observer that throws does not change the decision. */
export function report(observe: StageObserver, stage: DecisionStage, startedMs: number): void {
  try {
    observe(stage, clock() - startedMs);
  } catch {
    // The observer is the caller's instrumentation; its failure is not the decision's.
  }
}
