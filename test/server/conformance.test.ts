import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { Engine } from "../../runtime/engine.ts";
import { startServer } from "../../server/index.ts";
import type { Store } from "../../server/store/types.ts";
import { compiledEngine } from "../runtime/compiled.ts";
import { CORPUS, corpusFiles, merge, type Obj } from "../conformance/corpus.ts";
import { call } from "./helpers.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

/** Writes cap history the way decisions do: a committed entry carrying the rows (made by the engine itself). */
async function writeHistory(store: Store, engine: Engine, subject: string, history: readonly Obj[]): Promise<void> {
  const journeys = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
  const event = engine.catalog.events.keys().next().value!;
  const record = await engine.decideRecord({ event: { type: event, id: "history" }, subject, now: "2000-01-01T00:00:00Z", region: "eu" });
  const state = await store.state(subject);
  const [result] = await store.commit([
    {
      key: { subject, eventId: "seed-history", timer: "" },
      expectedVersion: state.version,
      decision: record.decision,
      entry: record.entry,
      history: history.map((h) => {
        const meta = journeys.get(String(h["journey"]));
        return {
          journey: String(h["journey"]),
          at: String(h["at"]),
          channel: String(h["channel"] ?? meta?.action.channel ?? ""),
          purpose: String(h["purpose"] ?? meta?.purpose ?? ""),
          decision_id: record.decision.decision_id,
        };
      }),
    },
  ]);
  expect(result?.status).toBe("committed");
}

const corpusList = corpusFiles();
const files = corpusList.map((f) => f.file);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("the corpus is not empty", () => {
  expect(files.length).toBeGreaterThanOrEqual(5);
});

for (const file of files) {
  const corpus = corpusList.find((f) => f.file === file)!.data;
  describe(file, () => {
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    let engine: Engine;
    const used = new Map<string, number>();
    const open = async () => {
      if (server) return server;
      engine = (await compiledEngine(join(CORPUS, corpus.policy), corpus.journeys)).engine;
      const dataDir = mkdtempSync(join(tmpdir(), "kairos-http-conformance-"));
      dirs.push(dataDir);
      server = await startServer({ artifact: engine, dataDir, port: 0, clock: "request", accessLog: false, errorLog: () => {} });
      return server;
    };
    afterAll(async () => {
      await server?.close();
    });

    for (const c of corpus.cases) {
      test(c.name, async () => {
        const s = await open();
        const token = s.adminToken!;
        const merged = merge(corpus.defaults, c.request);
        // A fresh subject per case (the store keeps what earlier cases wrote); the library decides the same subject.
        const base = String(merged["subject"] ?? "");
        const n = used.get(base) ?? 0;
        used.set(base, n + 1);
        const subject = n === 0 ? base : `${base}~${n}`;
        const { consents = [], objections = [], history = [], ...rest } = merged as Obj & { consents?: Obj[]; objections?: Obj[]; history?: Obj[] };
        const body = { ...rest, subject };
        const path = (kind: string) => `/v1/subjects/${encodeURIComponent(subject)}/${kind}`;

        if (c.expect_request_error !== undefined) {
          const where = c.expect_request_error;
          const kind = /^(consents|objections)\[/.exec(where)?.[1];
          const a = kind
            ? await call(s.url, "POST", path(kind), { records: kind === "consents" ? consents : objections }, token)
            : await call(s.url, "POST", "/v1/decisions", body, token);
          expect(a.status, a.text).toBe(400);
          expect(a.json.error.code).toBe("invalid_request");
          const expected = kind ? where.replace(kind, "records") : where;
          expect(a.json.error.problems.map((p: { path: string }) => p.path)).toContain(expected);
          return;
        }

        if (consents.length > 0) expect((await call(s.url, "POST", path("consents"), { records: consents }, token)).status).toBe(201);
        if (objections.length > 0) expect((await call(s.url, "POST", path("objections"), { records: objections }, token)).status).toBe(201);
        // History rows go to their own subject (a row of another subject must not count); the store
        // keeps each row's channel and purpose, which the library is given too (the same values
        // the engine would take from the journey's metadata).
        const meta = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
        const own = (h: Obj) => h["subject"] === undefined || h["subject"] === base;
        const bySubject = new Map<string, Obj[]>();
        for (const h of history) {
          const who = own(h) ? subject : String(h["subject"]);
          bySubject.set(who, [...(bySubject.get(who) ?? []), h]);
        }
        for (const [who, rows] of bySubject) await writeHistory(s.store, engine, who, rows);

        const a = await call(s.url, "POST", "/v1/decisions", body, token);
        expect(a.status, a.text).toBe(200);
        // The store keeps history in time order (oldest first): the library gets it in that order.
        const enriched = history
          .map((h) => {
            if (!own(h)) return h;
            const m = meta.get(String(h["journey"]));
            const { subject: _s, ...row } = h;
            return { ...(m ? { channel: m.action.channel, purpose: m.purpose } : {}), ...row };
          })
          .sort((x, y) => Date.parse(String(x["at"])) - Date.parse(String(y["at"])));
        const library = await engine.decide({ ...merged, subject, ...(history.length > 0 ? { history: enriched } : {}) });
        expect(a.json).toEqual(JSON.parse(JSON.stringify(library)));
        if (n === 0 && c.expect?.["outcome"] !== undefined) expect(a.json.outcome).toBe(c.expect["outcome"]);
      });
    }
  });
}
