// Runs the `kairos` command line in process, with its output captured (one line per call).
import type { Io } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";

export async function runCli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => void (out += t + "\n"), err: (t) => void (err += t + "\n"), color: false };
  const code = await main([...argv], io);
  return { code, out, err };
}
