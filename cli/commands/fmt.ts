// `kairos fmt [--check] FILES…`: canonical formatting of .journey files, in place.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { renderDiagnostic } from "../../core/diagnostics.ts";
import { formatFile } from "../../compiler/format/formatter.ts";
import { decodeUtf8 } from "../../compiler/node/policy-dir.ts";
import { SourceFile, SourceSet } from "../../core/source.ts";
import { plural } from "../diagnostics-output.ts";
import { EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { replaceFile } from "../write-file.ts";

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

export const command: Command = {
  summary: "format .journey files canonically (--check: only report)",
  usage: "kairos fmt [--check] FILES_OR_DIRS…",
  async run(argv, io) {
    const { values, positionals } = parse(argv, { check: { type: "boolean" }, stdout: { type: "boolean" } });
    if (positionals.length === 0) throw new UsageError("give the .journey files (or directories) to format");
    const files = expand(positionals);
    let failed = 0;
    let changed = 0;
    for (const path of files) {
      const dec = decodeUtf8(path, readFileSync(path));
      const sf = new SourceFile(path, dec.text);
      const sources = new SourceSet();
      sources.add(sf);
      const result = dec.diagnostic ? { value: undefined, diagnostics: [dec.diagnostic] } : formatFile(sf);
      if (result.value === undefined) {
        failed++;
        for (const d of result.diagnostics) io.err(renderDiagnostic(d, sources, { color: io.color }) + "\n");
        io.err(`${path}: not formatted (fix the syntax errors first)`);
        continue;
      }
      if (values["stdout"]) {
        io.out(result.value);
        continue;
      }
      if (result.value === dec.text) continue;
      changed++;
      if (values["check"]) {
        io.out(`${path}: not formatted`);
        continue;
      }
      // Write beside, then rename: an interrupted write never leaves a half-written file.
      replaceFile(path, result.value, { what: "a .journey file" });
      io.out(`formatted ${path}`);
    }
    if (values["check"] && !failed)
      io.out(changed ? `${plural(changed, "file")} would be reformatted` : `ok: ${plural(files.length, "file")} already formatted`);
    return failed || (values["check"] && changed) ? EXIT.failed : EXIT.ok;
  },
};
