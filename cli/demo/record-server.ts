// The demo's system of record over HTTP: `GET /records/{subject}?fields=customer.timezone,policy.status`
// answers `{entity: {field: value}}` with exactly the fields asked (records.ts), as the decision
// service's HTTP context provider expects. It listens on 127.0.0.1 only, on a port the OS picks,
// inside the demo's process; the service is configured with `urlTemplate` and asks it for the
// minimal bundle of every decision.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SystemOfRecord } from "./records.ts";

/** A listening system of record. */
export interface RecordServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** The provider's URL template: `{subject}` and `{fields}` are filled in per decision. */
  readonly urlTemplate: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** The `fields` query parameter(s): comma-separated and/or repeated. */
function fieldsOf(url: URL): string[] {
  return url.searchParams
    .getAll("fields")
    .flatMap((v) => v.split(","))
    .map((f) => f.trim())
    .filter((f) => f !== "");
}

function handle(records: SystemOfRecord, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const m = /^\/records\/([^/]+)$/.exec(url.pathname);
  if (req.method !== "GET" || !m) {
    send(res, 404, { error: { code: "not_found", message: `no route ${req.method} ${url.pathname}`, hint: "GET /records/{subject}?fields=entity.field,…" } });
    return;
  }
  const subject = decodeURIComponent(m[1]!);
  const fields = fieldsOf(url);
  if (fields.length === 0) {
    send(res, 400, { error: { code: "no_fields", message: "say which fields to return", hint: "add ?fields=entity.field,…" } });
    return;
  }
  const answer = records.lookup(subject, fields);
  if (!answer) send(res, 404, { error: { code: "unknown_subject", message: "the book has no such customer" } });
  else send(res, 200, answer);
}

/** Starts the system of record on 127.0.0.1 (port chosen by the OS). */
export async function startRecordServer(records: SystemOfRecord): Promise<RecordServer> {
  const server = createServer((req, res) => {
    try {
      handle(records, req, res);
    } catch (e) {
      send(res, 500, { error: { code: "internal", message: e instanceof Error ? e.message : String(e) } });
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    urlTemplate: `${url}/records/{subject}?fields={fields}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
