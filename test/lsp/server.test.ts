// `kairos lsp` end to end: a real LSP client (test/lsp/client.ts) drives the server over stdio
// against a policy set in a temporary directory — diagnostics as you type with their codes and
// ranges, hover, completion, go to definition, formatting, a "did you mean" quick fix, a
// catalog.yaml changed on disk, and shutdown/exit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CodeActionRequest,
  CompletionRequest,
  type CompletionItem,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type Location,
  type MarkupContent,
  ShutdownRequest,
  type TextEdit,
} from "vscode-languageserver-protocol/node";
import { formatFile } from "../../compiler/format/formatter.ts";
import { SourceFile } from "../../core/source.ts";
import { type LspSession, startServer, within } from "./client.ts";

const catalogText = readFileSync(new URL("../../policies/catalog.yaml", import.meta.url), "utf8");
let dir: string;
let session: LspSession;
let journeyUri: string;
const conditionsText = "# shared conditions\ncondition loyal = customer.tenure_months > 24\n";

const broken = [
  "journey renewal_nudge {",
  "  purpose renewal_marketing",
  "  on      daily",
  "  when    customer.tenure_monts > 3 and loyal",
  '  do      email(template: "renewal")',
  "}",
  "",
].join("\n");

/** The 0-based position of the `n`-th occurrence of `needle` in `text`, plus `delta` characters. */
function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle) + delta;
  const before = text.slice(0, at).split("\n");
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

function apply(text: string, edits: readonly TextEdit[]): string {
  const f = new SourceFile("x", text);
  const sorted = [...edits].sort(
    (a, b) => f.offset(b.range.start.line + 1, b.range.start.character + 1) - f.offset(a.range.start.line + 1, a.range.start.character + 1),
  );
  let out = text;
  for (const e of sorted) {
    const s = f.offset(e.range.start.line + 1, e.range.start.character + 1);
    const t = f.offset(e.range.end.line + 1, e.range.end.character + 1);
    out = out.slice(0, s) + e.newText + out.slice(t);
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kairos-lsp-"));
  mkdirSync(join(dir, "journeys"));
  writeFileSync(join(dir, "catalog.yaml"), catalogText);
  writeFileSync(join(dir, "journeys", "conditions.journey"), conditionsText);
  writeFileSync(join(dir, "journeys", "renewals.journey"), broken);
  journeyUri = pathToFileURL(join(dir, "journeys", "renewals.journey")).href;
  session = startServer(dir);
  const init = await within(
    session.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: {},
      workspaceFolders: null,
    }),
    "initialize result",
  );
  expect(init.capabilities.hoverProvider).toBe(true);
  expect(init.capabilities.completionProvider?.triggerCharacters).toContain(".");
  await session.connection.sendNotification(InitializedNotification.type, {});
  await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri: journeyUri, languageId: "journey", version: 1, text: broken },
  });
}, 60_000);

afterAll(() => {
  session?.child.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe("kairos lsp over stdio", () => {
  it("publishes the compiler's diagnostics with code, range and help line for an open file", async () => {
    const p = await session.diagnostics((d) => d.uri === journeyUri && d.diagnostics.length > 0, "diagnostics for the open file");
    const d = p.diagnostics.find((x) => x.code === "check/unknown-field")!;
    expect(d).toBeDefined();
    expect(d.source).toBe("kairos");
    expect(d.range).toEqual({ start: positionOf(broken, "tenure_monts"), end: positionOf(broken, "tenure_monts", "tenure_monts".length) });
    expect(d.message).toContain("help: did you mean `tenure_months`?");
  });

  it("re-checks as the user types and clears the diagnostics once fixed", async () => {
    const fixed = broken.replace("tenure_monts", "tenure_months");
    let mark = session.mark();
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: journeyUri, version: 2 },
      contentChanges: [{ range: { start: positionOf(broken, "tenure_monts"), end: positionOf(broken, "tenure_monts", 12) }, text: "tenure_months" }],
    });
    const p = await session.diagnostics(
      (d) => d.uri === journeyUri && !d.diagnostics.some((x) => x.code === "check/unknown-field"),
      "cleared diagnostics",
      mark,
    );
    expect(p.diagnostics.filter((x) => x.severity === 1)).toEqual([]);
    // Back to the broken text for the quick-fix test.
    mark = session.mark();
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: journeyUri, version: 3 },
      contentChanges: [{ text: broken }],
    });
    await session.diagnostics((d) => d.uri === journeyUri && d.diagnostics.some((x) => x.code === "check/unknown-field"), "diagnostics again", mark);
    expect(fixed).not.toBe(broken);
  });

  it("offers a quick fix for the did-you-mean hint", async () => {
    const p = await session.diagnostics((d) => d.uri === journeyUri && d.diagnostics.some((x) => x.code === "check/unknown-field"), "diagnostics");
    const diag = p.diagnostics.find((x) => x.code === "check/unknown-field")!;
    const actions = await within(
      session.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: journeyUri }, range: diag.range, context: { diagnostics: [diag] } }),
      "code actions",
    );
    const fix = actions?.find((a) => "kind" in a && a.kind === "quickfix");
    expect(fix && "edit" in fix ? apply(broken, fix.edit!.changes![journeyUri]!) : undefined).toBe(broken.replace("tenure_monts", "tenure_months"));
  });

  it("shows a field's type, PII class and lineage on hover", async () => {
    const h = await within(
      session.connection.sendRequest(HoverRequest.type, { textDocument: { uri: journeyUri }, position: positionOf(broken, "customer.", 3) }),
      "hover",
    );
    expect(h?.range?.start).toEqual(positionOf(broken, "customer."));
    const hEmail = await within(
      (async () => {
        const text = broken.replace("customer.tenure_monts > 3", 'customer.email == "x"');
        await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri: journeyUri, version: 4 },
          contentChanges: [{ text }],
        });
        return session.connection.sendRequest(HoverRequest.type, { textDocument: { uri: journeyUri }, position: positionOf(text, "email ==", 2) });
      })(),
      "hover on a field",
    );
    const value = (hEmail?.contents as MarkupContent | undefined)?.value;
    expect(value).toContain("**field** `customer.email`");
    expect(value).toContain("**type**: `string`");
    expect(value).toContain("**PII class**: `direct`");
    expect(value).toContain("**lineage**: `crm.contacts.email`");
  });

  it("completes catalog fields after `customer.` with their types", async () => {
    const text = broken.replace("customer.tenure_monts > 3", "customer.");
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: journeyUri, version: 5 },
      contentChanges: [{ text }],
    });
    const r = await within(
      session.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: journeyUri }, position: positionOf(text, "customer.", 9) }),
      "completion",
    );
    const items = (Array.isArray(r) ? r : (r?.items ?? [])) as CompletionItem[];
    expect(items.map((i) => i.label)).toEqual([...catalogText.matchAll(/^ {6}(\w+):/gm)].map((m) => m[1]).slice(0, items.length));
    expect(items.find((i) => i.label === "segment")?.detail).toBe('enum("retail", "sme", "corporate")');
    expect(items.find((i) => i.label === "tenure_months")?.detail).toBe("int");
  });

  it("goes to a named condition's definition in another file", async () => {
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: journeyUri, version: 6 },
      contentChanges: [{ text: broken }],
    });
    const loc = (await within(
      session.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: journeyUri }, position: positionOf(broken, "loyal", 2) }),
      "definition",
    )) as Location;
    expect(loc.uri).toBe(pathToFileURL(join(dir, "journeys", "conditions.journey")).href);
    expect(loc.range).toEqual({ start: positionOf(conditionsText, "loyal"), end: positionOf(conditionsText, "loyal", 5) });
  });

  it("goes from a catalog field to its node in catalog.yaml", async () => {
    const loc = (await within(
      session.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: journeyUri }, position: positionOf(broken, "customer.", 1) }),
      "definition of an entity",
    )) as Location;
    expect(loc.uri).toBe(pathToFileURL(join(dir, "catalog.yaml")).href);
    expect(loc.range.start).toEqual(positionOf(catalogText, "  customer:", 2));
  });

  it("checks the syntax of a journey outside any policy set, and says why only the syntax", async () => {
    const alone = mkdtempSync(join(tmpdir(), "kairos-lsp-alone-"));
    try {
      const uri = pathToFileURL(join(alone, "x.journey")).href;
      const mark = session.mark();
      await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: "journey", version: 1, text: "journey x {\n  when (\n}\n" },
      });
      const p = await session.diagnostics((d) => d.uri === uri, "diagnostics for a file outside a policy set", mark);
      expect(p.diagnostics.map((d) => d.code)).toContain("lsp/no-catalog");
      expect(p.diagnostics.some((d) => String(d.code).startsWith("syntax/"))).toBe(true);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });

  it("formats with the compiler's formatter", async () => {
    const messy = broken.replace("tenure_monts", "tenure_months").replace("  on      daily", "  on daily");
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: journeyUri, version: 7 },
      contentChanges: [{ text: messy }],
    });
    const edits = await within(
      session.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: journeyUri }, options: { tabSize: 2, insertSpaces: true } }),
      "formatting edits",
    );
    expect(edits?.length).toBeGreaterThan(0);
    expect(apply(messy, edits!)).toBe(formatFile(new SourceFile("x", messy)).value);
  });

  it("re-checks the open journeys when catalog.yaml changes on disk", async () => {
    const text = broken.replace("tenure_monts", "tenure_months");
    let mark = session.mark();
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: journeyUri, version: 8 },
      contentChanges: [{ text }],
    });
    await session.diagnostics((d) => d.uri === journeyUri && !d.diagnostics.some((x) => x.code === "check/unknown-field"), "a clean file", mark);
    mark = session.mark();
    writeFileSync(join(dir, "catalog.yaml"), catalogText.replace(/^ {6}tenure_months:.*\n/m, ""));
    const p = await session.diagnostics(
      (d) => d.uri === journeyUri && d.diagnostics.some((x) => x.code === "check/unknown-field"),
      "diagnostics after the catalog changed",
      mark,
    );
    expect(p.diagnostics.find((x) => x.code === "check/unknown-field")?.message).toContain("has no field `tenure_months`");
  });

  it("shuts down and exits with code 0", async () => {
    await within(session.connection.sendRequest(ShutdownRequest.type), "shutdown");
    await session.connection.sendNotification(ExitNotification.type);
    expect(await within(session.exited, "exit")).toBe(0);
    expect(session.stderr()).toBe("");
  });
});
