// Why a suppressed candidate did not act when no other journey beat it: its stop-loss stopped it,
// or a person turned it — or its channel — off (docs/value.md#stop-loss, docs/kill-switch.md). The
// rationale says so instead of "lost arbitration", from the reason the engine recorded.
import type { Evaluation } from "../decision.ts";
import { KILL_SWITCH_CODE, STOP_LOSS_CODE } from "../guardrails.ts";

/** `suppressed: …` for a candidate a stop-loss or kill switch stopped (reason codes `stop_loss`, `kill_switch`); undefined otherwise. */
export function haltedBy(ev: Evaluation): string | undefined {
  const r = ev.reasons?.find((x) => x.code === KILL_SWITCH_CODE || x.code === STOP_LOSS_CODE);
  if (r === undefined) return undefined;
  const by = typeof r["by"] === "string" ? ` by ${r["by"]}` : "";
  if (r.code === STOP_LOSS_CODE) return "suppressed: the journey was stopped by its stop-loss";
  const what = r["kind"] === "channel" && typeof r["name"] === "string" ? `its channel \`${r["name"]}\` was turned off` : "the journey was turned off";
  return `suppressed: ${what}${by} (kill switch)`;
}
