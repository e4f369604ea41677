// One source of help: `kairos CMD --help`, `kairos help CMD` and docs/cli.md come from the
// entries in cli/help/, so they say the same thing; docs/cli.md fails this test when stale
// (regenerate it with `node cli/help/gen-docs.ts`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMAND_HELP } from "../../cli/help/commands.ts";
import { renderCliMarkdown } from "../../cli/help/render.ts";
import { runCli } from "../helpers/cli.ts";

const MINE = ["init", "check", "compile", "fmt", "test", "decide", "explain", "inspect", "replay", "completion"];

describe("help", () => {
  it("docs/cli.md is generated from the help entries (run `node cli/help/gen-docs.ts`)", () => {
    expect(readFileSync("docs/cli.md", "utf8")).toBe(renderCliMarkdown());
  });

  it("docs/cli.md opens with the conventions table against OPA and Cedar", () => {
    const doc = readFileSync("docs/cli.md", "utf8");
    expect(doc).toContain("| Convention | OPA | Cedar | Kairos | Done |");
    expect(doc.indexOf("## Conventions")).toBeLessThan(doc.indexOf("## Commands"));
  });

  for (const name of MINE) {
    it(`\`kairos ${name} --help\` and \`kairos help ${name}\` print the same options, examples and exit codes`, async () => {
      const a = await runCli([name, "--help"]);
      const b = await runCli(["help", name]);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      expect(a.out).toBe(b.out);
      for (const section of ["usage:", "options:", "examples:", "exit codes:"]) expect(a.out).toContain(section);
      const entry = COMMAND_HELP.find((h) => h.name === name)!;
      for (const o of entry.options) expect(a.out).toContain(o.flag);
      for (const e of entry.exit) expect(a.out).toContain(`  ${e.code}  ${e.meaning}`);
    });
  }

  for (const name of MINE.filter((n) => n !== "init" && n !== "completion")) {
    it(`\`kairos ${name}\` accepts every option its help lists`, async () => {
      const entry = COMMAND_HELP.find((h) => h.name === name)!;
      for (const o of entry.options) {
        const long = /--([a-z][a-z-]*)/.exec(o.flag)?.[1];
        if (!long || long === "help") continue;
        // A value after the flag when the help shows one (`--format text|json`, `--out OUT`).
        const takesValue = /--[a-z-]+ \S/.test(o.flag) && !/\[/.test(o.flag.split(" ")[1] ?? "");
        // No positional argument: each run stops at a usage error — never at the option.
        const r = await runCli([name, `--${long}`, ...(takesValue ? ["x"] : [])]);
        expect(r.code, `${name} --${long}: ${r.err}`).toBe(2);
        expect(r.err, `${name} --${long}`).not.toContain("unknown option");
      }
    });
  }

  it("every command's usage line (printed on usage errors) is its help entry's", async () => {
    const r = await runCli(["check"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("usage: kairos check DIR [--format text|json] [--strict] [--watch]");
    expect(r.err).toContain("Run `kairos check --help` for the options.");
  });

  it("`kairos --help` lists the new commands; `kairos help nope` is a usage error", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    for (const name of ["init", "inspect", "completion", "check", "decide", "help"]) expect(top.out).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
    const bad = await runCli(["help", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown command `nope`");
  });

  it("a command that does not load yet (`lsp` before it is written) still has its help, and `--help` still works", async () => {
    const r = await runCli(["help", "lsp"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("kairos lsp");
    expect((await runCli(["--help"])).code).toBe(0);
  });
});
