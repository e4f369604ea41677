// `kairos fmt [--check | --diff | -l] FILES…` and `kairos fmt -`: canonical formatting of
// .journey files — in place (atomically), or only reported: `--check` names the files,
// `--diff` prints a unified diff, `-l` lists them (gofmt's and `opa fmt`'s flags). `-` formats
// stdin to stdout, for editors.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { renderDiagnostic } from "../../core/diagnostics.ts";
import { formatFile } from "../../compiler/format/formatter.ts";
import { decodeUtf8 } from "../../compiler/node/policy-dir.ts";
import { SourceFile, SourceSet } from "../../core/source.ts";
import { plural } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { errColor, EXIT, parse, UsageError, type Io } from "../io.ts";
import { unifiedDiff } from "../line-diff.ts";
import type { Command } from "../main.ts";
import { replaceFile } from "../write-file.ts";

const HELP = helpOf("fmt");

function expand(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory \`${p}\``);
    }
    if (st.isDirectory()) {
      for (const sub of readdirSync(p).sort()) {
        const full = join(p, sub);
        if (statSync(full).isDirectory() || sub.endsWith(".journey")) out.push(...expand([full]));
      }
    } else out.push(p);
  }
  return out;
}

/** Formats one file's bytes; prints its syntax errors and returns undefined when it cannot. */
function format(name: string, bytes: Uint8Array, io: Io): { before: string; after: string } | undefined {
  const dec = decodeUtf8(name, bytes);
  const sf = new SourceFile(name, dec.text);
  const sources = new SourceSet();
  sources.add(sf);
  const result = dec.diagnostic ? { value: undefined, diagnostics: [dec.diagnostic] } : formatFile(sf);
  if (result.value === undefined) {
    for (const d of result.diagnostics) io.err(renderDiagnostic(d, sources, { color: errColor(io) }) + "\n");
    io.err(`${name}: not formatted (fix the syntax errors first)`);
    return undefined;
  }
  return { before: dec.text, after: result.value };
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      check: { type: "boolean" },
      diff: { type: "boolean", short: "d" },
      list: { type: "boolean", short: "l" },
      stdout: { type: "boolean" },
    });
    if (positionals.length === 0) throw new UsageError("give the .journey files (or directories) to format, or `-` for stdin");
    const modes = (["check", "diff", "list", "stdout"] as const).filter((m) => values[m] === true);
    if (modes.length > 1) throw new UsageError(`give one of ${modes.map((m) => `\`--${m}\``).join(", ")}, not several`);
    const mode = modes[0] ?? "write";

    if (positionals.includes("-")) {
      if (positionals.length > 1) throw new UsageError("`-` (stdin) cannot be combined with file names");
      const r = format("<stdin>", readFileSync(0), io);
      if (!r) return EXIT.failed;
      if (mode === "diff") io.out(unifiedDiff("<stdin>", r.before, r.after));
      else if (mode === "list" || mode === "check") {
        if (r.before !== r.after) io.out(mode === "list" ? "<stdin>" : "<stdin>: not formatted");
        return r.before === r.after ? EXIT.ok : EXIT.failed;
      } else io.out(r.after);
      return mode === "diff" && r.before !== r.after ? EXIT.failed : EXIT.ok;
    }

    const files = expand(positionals);
    let failed = 0;
    let changed = 0;
    for (const path of files) {
      const r = format(path, readFileSync(path), io);
      if (!r) {
        failed++;
        continue;
      }
      if (mode === "stdout") {
        io.out(r.after);
        continue;
      }
      if (r.after === r.before) continue;
      changed++;
      if (mode === "check") io.out(`${path}: not formatted`);
      else if (mode === "list") io.out(path);
      else if (mode === "diff") io.out(unifiedDiff(path, r.before, r.after).trimEnd());
      else {
        // Write beside, then rename: an interrupted write never leaves a half-written file.
        replaceFile(path, r.after, { what: "a .journey file" });
        io.out(`formatted ${path}`);
      }
    }
    if (mode === "check" && !failed)
      io.out(changed ? `${plural(changed, "file")} would be reformatted` : `ok: ${plural(files.length, "file")} already formatted`);
    const reportOnly = mode === "check" || mode === "diff" || mode === "list";
    return failed || (reportOnly && changed) ? EXIT.failed : EXIT.ok;
  },
};
