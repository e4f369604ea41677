// Request validation: every problem names its JSON path and what is expected, in plain words.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseJsonText } from "../../runtime/json-text.ts";
import { formatProblems, parseRequest } from "../../runtime/request.ts";
import { catalog, request } from "./fixtures.ts";

const problems = (raw: unknown) => {
  const r = parseRequest(raw, catalog);
  return r.ok ? [] : r.problems;
};

describe("request schema", () => {
  test("accepts the spec's request file and converts its times", () => {
    const r = parseRequest(
      request({ event: { type: "claim.filed", id: "e", at: "2026-05-27T10:00:00+02:00", timer: "3d", payload: { claim_id: "K" } } }),
      catalog,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.nowMs).toBe(Date.parse("2026-05-30T12:00:00Z"));
    expect(r.value.eventAtMs).toBe(Date.parse("2026-05-27T08:00:00Z"));
    expect(r.value.timerMs).toBe(3 * 86_400_000);
  });

  test("a missing required key names the path and the expected type", () => {
    expect(problems({ ...request(), subject: undefined })).toEqual([{ path: "subject", message: "is required (a string)" }]);
    expect(problems({ ...request(), event: { type: "daily" } })).toEqual([{ path: "event.id", message: "is required (a string)" }]);
  });

  test("a value of the wrong type says what was expected and what was found", () => {
    expect(problems(request({ now: 1780131600000 }))).toEqual([{ path: "now", message: "expected a string, got the number 1780131600000" }]);
    expect(problems(request({ consents: [{ purpose: "service_updates", status: "ok", at: "2026-01-01T00:00:00Z" }] }))).toEqual([
      { path: "consents[0].status", message: 'expected one of `granted`, `withdrawn`, `denied`, got the string "ok"' },
    ]);
  });

  test("times must be ISO 8601 with an offset", () => {
    expect(problems(request({ now: "2026-05-30 12:00" }))[0]).toMatchObject({
      path: "now",
      message: expect.stringContaining("ISO 8601 datetime with an offset"),
    });
    expect(problems(request({ history: [{ journey: "j", at: "2026-02-30T00:00:00Z" }] }))[0]).toMatchObject({ path: "history[0].at" });
  });

  test("an unknown top-level key is an error with a did-you-mean hint", () => {
    const [p] = problems({ ...request(), consent: [] });
    expect(p).toMatchObject({ path: "consent", message: expect.stringContaining("unknown key `consent` in the request"), hint: "did you mean `consents`?" });
  });

  test("a timer must be a duration label", () => {
    expect(problems(request({ event: { type: "claim.filed", id: "e", timer: "three days" } }))[0]).toMatchObject({
      path: "event.timer",
      message: expect.stringContaining("`3d`"),
    });
  });

  test("purposes and event types must exist in the catalog", () => {
    expect(problems(request({ event: { type: "claim.filled", id: "e" } }))).toEqual([
      { path: "event.type", message: "unknown event type `claim.filled`: the catalog does not declare it", hint: "did you mean `claim.filed`?" },
    ]);
    expect(problems(request({ consents: [{ purpose: "renewal_marketng", status: "granted", at: "2026-01-01T00:00:00Z" }] }))[0]).toMatchObject({
      path: "consents[0].purpose",
      hint: "did you mean `renewal_marketing`?",
    });
    expect(problems(request({ objections: [{ scope: "marketing", at: "2026-01-01T00:00:00Z" }] }))[0]).toMatchObject({
      path: "objections[0].scope",
      message: expect.stringContaining("`direct_marketing` or `purpose:<id>`"),
    });
    expect(problems(request({ objections: [{ scope: "purpose:nope", at: "2026-01-01T00:00:00Z" }] }))[0]).toMatchObject({ path: "objections[0].scope" });
  });

  test("a request that is not an object is one problem at the root", () => {
    expect(problems([1, 2])).toEqual([{ path: "(the request)", message: "expected an object, got a list" }]);
  });

  test("problems render as file: path: message lines with help", () => {
    expect(formatProblems([{ path: "event.type", message: "unknown", hint: "did you mean `daily`?" }], "req.json")).toBe(
      "req.json: event.type: unknown\n  help: did you mean `daily`?",
    );
  });
});

describe("JSON text", () => {
  test("a syntax error reports its line and column", () => {
    expect(parseJsonText('{\n  "subject": "c-1",\n  "now": ,\n}')).toMatchObject({ ok: false, line: 3, column: 10, message: "expected a value, found `,`" });
    expect(parseJsonText('{"a": 1,\n "b": 2,\n}')).toMatchObject({ ok: false, line: 3, column: 1, message: expect.stringContaining("property name") });
    expect(parseJsonText('{"a": 1')).toMatchObject({ ok: false, line: 1, column: 8, message: "expected `,` or `}`, found end of input" });
    expect(parseJsonText("")).toMatchObject({ ok: false, line: 1, column: 1 });
    expect(parseJsonText("{} x")).toMatchObject({ ok: false, line: 1, column: 4, message: expect.stringContaining("after the JSON value") });
  });
  test("any text JSON.parse rejects gets a position inside the text", () => {
    fc.assert(
      fc.property(
        fc.json().chain((j) => fc.tuple(fc.constant(j), fc.nat(j.length), fc.constantFrom(",", "}", "]", ":", "x", "\\"))),
        ([j, at, junk]) => {
          const text = j.slice(0, at) + junk + j.slice(at);
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          const r = parseJsonText(text);
          expect(r.ok).toBe(valid);
          if (!r.ok) expect(r.line).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });
  test("valid JSON parses", () => {
    expect(parseJsonText('{"a": [1]}')).toEqual({ ok: true, value: { a: [1] } });
  });
});
