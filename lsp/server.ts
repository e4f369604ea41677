// The language server: one connection, the open documents, and per policy set (the directory
// holding catalog.yaml) one LanguageService from compiler/services. Every edit re-checks the
// set through the compiler's incremental pipeline and publishes diagnostics for each of its
// files; catalog.yaml and journeys/ are watched on disk, so a catalog saved from anywhere
// re-checks the journeys. Hover, completion, definition, formatting and quick fixes are the
// services' answers converted to the protocol (convert.ts).
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CodeActionKind,
  type CompletionItem,
  CompletionItemKind,
  type Connection,
  type Diagnostic as LspDiagnostic,
  DiagnosticSeverity,
  InsertTextFormat,
  MarkupKind,
  TextDocumentSyncKind,
  TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { SourceFile } from "../core/source.ts";
import { parseJourneyFile } from "../compiler/syntax/lower.ts";
import { SourceFile as Source } from "../core/source.ts";
import {
  type Analysis,
  analyzeJourneys,
  completionsAt,
  definitionAt,
  formattingEdits,
  hoverAt,
  type ItemKind,
  LanguageService,
  quickFixesIn,
} from "../compiler/services/index.ts";
import { locationOf, toLspDiagnostic, uriOf } from "./convert.ts";
import { DiskCache, findPolicyRoot, readPolicySet } from "./policy-set.ts";

const KINDS: Record<ItemKind, CompletionItemKind> = {
  entity: CompletionItemKind.Module,
  field: CompletionItemKind.Field,
  event: CompletionItemKind.Event,
  purpose: CompletionItemKind.Enum,
  action: CompletionItemKind.Method,
  param: CompletionItemKind.Property,
  keyword: CompletionItemKind.Keyword,
  function: CompletionItemKind.Function,
  value: CompletionItemKind.EnumMember,
  condition: CompletionItemKind.Constant,
  variable: CompletionItemKind.Variable,
  channel: CompletionItemKind.Value,
};

/** How long file-system events are gathered before re-checking (editors save in bursts). */
const WATCH_SETTLE_MS = 40;

interface PolicySet {
  readonly root: string;
  readonly service: LanguageService;
  readonly disk: DiskCache;
  analysis: Analysis | undefined;
  /** Files diagnostics were last published for (to clear them when they are fixed). */
  published: Set<string>;
  readonly watchers: FSWatcher[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Serves the language over `connection` until the client sends `exit`. */
export function serveLanguage(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const sets = new Map<string, PolicySet>();
  const rootOf = new Map<string, string | undefined>();
  /** Files outside any policy set that had syntax diagnostics published. */
  const loose = new Set<string>();

  const pathOf = (uri: string): string | undefined => {
    if (!uri.startsWith("file:")) return undefined;
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  };
  const findRoot = (path: string): string | undefined => {
    if (!rootOf.has(path)) rootOf.set(path, findPolicyRoot(path));
    return rootOf.get(path);
  };
  const openTexts = (): Map<string, string> => {
    const m = new Map<string, string>();
    for (const d of documents.all()) {
      const p = pathOf(d.uri);
      if (p) m.set(p, d.getText());
    }
    return m;
  };

  function setFor(root: string): PolicySet {
    let set = sets.get(root);
    if (set) return set;
    set = { root, service: new LanguageService(), disk: new DiskCache(), analysis: undefined, published: new Set(), watchers: [], timer: undefined };
    sets.set(root, set);
    const s = set;
    for (const dir of [root, join(root, "journeys")]) {
      try {
        const w = watch(dir, (_event, name) => {
          if (name === null || name === "catalog.yaml" || String(name).endsWith(".journey")) schedule(s);
        });
        w.on("error", () => w.close());
        s.watchers.push(w);
      } catch {
        // No journeys/ directory: nothing to watch there.
      }
    }
    return set;
  }

  /** The directory changed on disk: forget what was read, and check again once the burst settles. */
  function schedule(set: PolicySet): void {
    set.disk.clear();
    if (set.timer) clearTimeout(set.timer);
    set.timer = setTimeout(() => {
      set.timer = undefined;
      check(set);
    }, WATCH_SETTLE_MS);
  }

  function check(set: PolicySet): Analysis {
    const open = openTexts();
    const input = readPolicySet(set.root, open, set.disk);
    const a = set.service.analyze(input);
    set.analysis = a;
    const byFile = new Map<string, LspDiagnostic[]>();
    for (const name of [input.catalog.name, ...input.journeys.map((j) => j.name)]) byFile.set(name, []);
    const file = (n: string) => a.sources.get(n);
    for (const d of a.diagnostics) {
      const list = byFile.get(d.span.file) ?? [];
      list.push(toLspDiagnostic(d, file));
      byFile.set(d.span.file, list);
    }
    for (const [name, list] of byFile) {
      // An open file always gets the latest (possibly empty) list: the editor shows the check ran.
      if (list.length === 0 && !set.published.has(name) && !open.has(name)) continue;
      void connection.sendDiagnostics({ uri: uriOf(name), diagnostics: list });
    }
    for (const name of set.published) if (!byFile.has(name)) void connection.sendDiagnostics({ uri: uriOf(name), diagnostics: [] });
    set.published = new Set([...byFile].filter(([, l]) => l.length > 0).map(([n]) => n));
    return a;
  }

  /** A journey file outside any policy set: its syntax only, and a note saying why. */
  function checkLoose(path: string, text: string): void {
    const f = new Source(path, text);
    const parsed = parseJourneyFile(f);
    const diagnostics = parsed.diagnostics.map((d) => toLspDiagnostic(d, (n) => (n === path ? f : undefined)));
    diagnostics.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Information,
      source: "kairos",
      code: "lsp/no-catalog",
      message:
        "no catalog.yaml in this file's directory or above it: only the syntax is checked\nhelp: open the file inside a policy set (`kairos init` creates one)",
    });
    loose.add(path);
    void connection.sendDiagnostics({ uri: uriOf(path), diagnostics });
  }

  /** The analysis a request on `uri` reads, and the document's path and text. */
  function context(uri: string): { a: Analysis; path: string; doc: TextDocument } | undefined {
    const doc = documents.get(uri);
    const path = pathOf(uri);
    if (!doc || path === undefined || !path.endsWith(".journey")) return undefined;
    const root = findRoot(path);
    if (!root) return { a: analyzeJourneys(undefined, [{ name: path, text: doc.getText() }]), path, doc };
    const set = setFor(root);
    return { a: set.analysis ?? check(set), path, doc };
  }

  function onEdit(uri: string): void {
    const path = pathOf(uri);
    if (!path) return;
    const root = findRoot(path);
    if (root) check(setFor(root));
    else if (path.endsWith(".journey")) checkLoose(path, documents.get(uri)?.getText() ?? "");
  }

  documents.onDidChangeContent((e) => onEdit(e.document.uri));
  documents.onDidClose((e) => {
    const path = pathOf(e.document.uri);
    if (path && loose.delete(path)) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    const root = path && findRoot(path);
    if (root) check(setFor(root));
  });

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: [".", " ", "(", '"', ","] },
      definitionProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: "kairos", version: "0.1.0" },
  }));

  connection.onDidChangeWatchedFiles((p) => {
    for (const change of p.changes) {
      const path = pathOf(change.uri);
      const root = path && (path.endsWith("catalog.yaml") ? findPolicyRoot(path) : findRoot(path));
      if (root && sets.has(root)) schedule(sets.get(root)!);
    }
  });

  connection.onHover((p) => {
    const c = context(p.textDocument.uri);
    if (!c) return null;
    const h = hoverAt(c.a, c.path, c.doc.offsetAt(p.position));
    if (!h) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: h.contents.join("\n\n") },
      range: { start: c.doc.positionAt(h.start), end: c.doc.positionAt(h.end) },
    };
  });

  connection.onCompletion((p) => {
    const c = context(p.textDocument.uri);
    if (!c) return null;
    const offset = c.doc.offsetAt(p.position);
    const r = completionsAt(c.a, c.path, c.doc.getText(), offset);
    const range = { start: c.doc.positionAt(r.from), end: p.position };
    return r.items.map(
      (item, i): CompletionItem => ({
        label: item.label,
        kind: KINDS[item.kind],
        ...(item.detail ? { detail: item.detail } : {}),
        ...(item.documentation ? { documentation: { kind: MarkupKind.Markdown, value: item.documentation } } : {}),
        textEdit: { range, newText: item.insert ?? item.label },
        ...(item.snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
        sortText: String(i).padStart(4, "0"),
      }),
    );
  });

  connection.onDefinition((p) => {
    const c = context(p.textDocument.uri);
    if (!c) return null;
    const span = definitionAt(c.a, c.path, c.doc.offsetAt(p.position));
    return span ? (locationOf(span, (n) => c.a.sources.get(n)) ?? null) : null;
  });

  connection.onDocumentFormatting((p) => {
    const c = context(p.textDocument.uri);
    if (!c) return null;
    const edits = formattingEdits(c.path, c.doc.getText());
    return (edits ?? []).map((e) => ({ range: { start: c.doc.positionAt(e.start), end: c.doc.positionAt(e.end) }, newText: e.text }));
  });

  connection.onCodeAction((p) => {
    const c = context(p.textDocument.uri);
    if (!c) return null;
    const fixes = quickFixesIn(c.a, c.path, c.doc.offsetAt(p.range.start), c.doc.offsetAt(p.range.end));
    const file = (n: string): SourceFile | undefined => c.a.sources.get(n);
    return fixes.map((f) => ({
      title: f.title,
      kind: CodeActionKind.QuickFix,
      isPreferred: true,
      diagnostics: [toLspDiagnostic(f.diagnostic, file)],
      edit: {
        changes: { [p.textDocument.uri]: [{ range: { start: c.doc.positionAt(f.edit.start), end: c.doc.positionAt(f.edit.end) }, newText: f.edit.text }] },
      },
    }));
  });

  connection.onShutdown(() => {
    for (const set of sets.values()) {
      if (set.timer) clearTimeout(set.timer);
      for (const w of set.watchers) w.close();
    }
  });

  documents.listen(connection);
  connection.listen();
}
