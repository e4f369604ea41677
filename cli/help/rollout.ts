// Help entries (issue 17, safe change): filled in by the owner of these commands.
import type { CommandHelp } from "./types.ts";

export const ROLLOUT: CommandHelp = {
  name: "rollout",
  summary: "rollout (being built)",
  usage: ["kairos rollout"],
  description: "Being built.",
  options: [{ flag: "-h, --help", description: "print this help and exit 0" }],
  examples: [],
  exit: [{ code: 0, meaning: "done" }],
};
