// Bearer tokens of the decision service (docs/service.md#security): a tokens file holds each
// token's name, the sha256 of its secret (never the secret), its scopes and an optional rate;
// `kairos token create` adds one and prints its secret once. Every route but health needs a
// token with the route's scope: 401 `unauthenticated` when the token is missing or unknown,
// 403 `forbidden` naming the scope needed, 429 `rate_limited` past the token's rate (a token
// bucket per token, with `Retry-After`). The file is re-read when it changes, so tokens created
// while the service runs work without a restart.
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { HttpError } from "./errors.ts";

/** Every scope a token can carry. */
export const SCOPES = ["decide", "consent:write", "consent:read", "audit:read", "review", "metrics", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** One token as the tokens file keeps it. */
export interface TokenRecord {
  readonly name: string;
  /** sha256 hex of the secret. */
  readonly sha256: string;
  readonly scopes: readonly Scope[];
  /** Requests per second allowed (a token bucket holding two seconds' worth); none: unlimited. */
  readonly rate_per_second?: number;
}

/** The token a request authenticated with. */
export interface Principal {
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** A tokens file that cannot be used: what is wrong and where. */
export class TokensFileError extends Error {
  override readonly name = "TokensFileError";
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** sha256 hex of a token's secret. */
export function tokenHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new secret: `kairos_` + 32 random bytes, base64url. */
export function newSecret(): string {
  return `kairos_${randomBytes(32).toString("base64url")}`;
}

function fail(file: string, where: string, what: string): never {
  throw new TokensFileError(`${file}: ${where}: ${what}`, 'a tokens file is {"tokens":[{"name","sha256","scopes":[…],"rate_per_second"?}]}');
}

/** Parses and checks a tokens file's text. */
export function parseTokens(text: string, file: string): TokenRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TokensFileError(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const list = json !== null && typeof json === "object" && !Array.isArray(json) ? (json as { tokens?: unknown }).tokens : undefined;
  if (!Array.isArray(list)) fail(file, "tokens", "expected a list of tokens");
  const names = new Set<string>();
  return list.map((t: unknown, i): TokenRecord => {
    const at = `tokens[${i}]`;
    if (t === null || typeof t !== "object") fail(file, at, "expected an object");
    const r = t as Record<string, unknown>;
    if (typeof r["name"] !== "string" || r["name"] === "") fail(file, `${at}.name`, "expected a non-empty string");
    if (names.has(r["name"])) fail(file, `${at}.name`, `the name \`${r["name"]}\` is used twice`);
    names.add(r["name"]);
    if (typeof r["sha256"] !== "string" || !/^[0-9a-f]{64}$/.test(r["sha256"])) fail(file, `${at}.sha256`, "expected 64 lowercase hex digits");
    const scopes = r["scopes"];
    if (!Array.isArray(scopes) || scopes.length === 0) fail(file, `${at}.scopes`, "expected a non-empty list of scopes");
    for (const s of scopes) {
      if (!SCOPES.includes(s as Scope)) fail(file, `${at}.scopes`, `unknown scope ${JSON.stringify(s)}; the scopes are ${SCOPES.join(", ")}`);
    }
    const rate = r["rate_per_second"];
    if (rate !== undefined && !(typeof rate === "number" && rate > 0 && Number.isFinite(rate)))
      fail(file, `${at}.rate_per_second`, "expected a positive number");
    return { name: r["name"], sha256: r["sha256"], scopes: scopes as Scope[], ...(rate === undefined ? {} : { rate_per_second: rate as number }) };
  });
}

/** Reads a tokens file; throws TokensFileError when it is missing or malformed. */
export function readTokens(file: string): TokenRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new TokensFileError(
      `cannot read the tokens file ${file}${code === "ENOENT" ? ": it does not exist" : ` (${code ?? String(e)})`}`,
      "create one with `kairos token create --name NAME --scopes SCOPES --tokens FILE`",
    );
  }
  return parseTokens(text, file);
}

function writeTokens(file: string, tokens: readonly TokenRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ tokens }, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * Adds a token to a tokens file (created when missing) and returns its secret, which exists
 * nowhere else: print it once. Throws TokensFileError when the name is taken.
 */
export function createToken(file: string, name: string, scopes: readonly Scope[], ratePerSecond?: number): string {
  const tokens = existsSync(file) ? readTokens(file) : [];
  if (tokens.some((t) => t.name === name)) {
    throw new TokensFileError(`${file} already has a token named \`${name}\``, "choose another name, or delete that entry from the file first");
  }
  const secret = newSecret();
  writeTokens(file, [...tokens, { name, sha256: tokenHash(secret), scopes, ...(ratePerSecond === undefined ? {} : { rate_per_second: ratePerSecond }) }]);
  return secret;
}

/** Creates the tokens file with one `admin` token holding every scope when it does not exist; returns that secret, or undefined. */
export function ensureTokensFile(file: string): string | undefined {
  if (existsSync(file)) return undefined;
  return createToken(file, "admin", SCOPES);
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Checks bearer tokens against the tokens file, scopes and rates. */
export class Authenticator {
  private readonly file: string;
  private readonly now: () => number;
  private byHash = new Map<string, TokenRecord>();
  private readonly buckets = new Map<string, Bucket>();
  private signature = "";
  private checkedAt = Number.NEGATIVE_INFINITY;

  /** Reads `file` now (throws TokensFileError when it cannot); `now` is a monotonic ms clock. */
  constructor(file: string, now: () => number = () => performance.now()) {
    this.file = file;
    this.now = now;
    this.reload(true);
  }

  /** The names of the tokens loaded. */
  names(): string[] {
    return [...this.byHash.values()].map((t) => t.name);
  }

  /**
   * Re-reads the file when it changed — looked at once a second, and at once when an unknown
   * token arrives (a token just created works right away); a broken edit keeps the old tokens.
   * The file is replaced by rename on every write, so its inode tells a change apart.
   */
  private reload(force = false, every = 1000): void {
    const t = this.now();
    if (!force && t - this.checkedAt < every) return;
    this.checkedAt = t;
    let signature: string;
    try {
      const st = statSync(this.file);
      signature = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      if (force) readTokens(this.file); // throws the explained error
      return;
    }
    if (!force && signature === this.signature) return;
    try {
      const tokens = readTokens(this.file);
      this.byHash = new Map(tokens.map((r) => [r.sha256, r]));
      this.signature = signature;
    } catch (e) {
      if (force) throw e;
    }
  }

  /**
   * The principal of an `Authorization` header that has one of `scopes`; throws HttpError 401,
   * 403 or 429 otherwise.
   */
  check(header: string | undefined, scopes: readonly Scope[]): Principal {
    this.reload();
    const token = header === undefined ? undefined : tokenOf(header);
    if (token === undefined) {
      throw new HttpError(401, "unauthenticated", header === undefined ? "this route needs a bearer token" : "the Authorization header is not `Bearer TOKEN`", {
        hint: "send `Authorization: Bearer TOKEN` (a browser: any user name, the token as the password); create a token with `kairos token create --name NAME --scopes SCOPES`",
        // Basic too, so that a browser opening /dashboard asks for the token itself.
        headers: { "www-authenticate": 'Bearer realm="kairos", Basic realm="kairos", charset="UTF-8"' },
      });
    }
    const hash = tokenHash(token);
    if (!this.byHash.has(hash)) this.reload(false, 0);
    const record = this.byHash.get(hash);
    if (!record) {
      throw new HttpError(401, "unauthenticated", "the bearer token is not known to this server", {
        hint: "check the token; tokens are in the server's tokens file (`--tokens`), created with `kairos token create`",
        headers: { "www-authenticate": 'Bearer realm="kairos", error="invalid_token"' },
      });
    }
    if (!scopes.some((s) => record.scopes.includes(s))) {
      const needed = scopes.map((s) => `\`${s}\``).join(" or ");
      throw new HttpError(403, "forbidden", `token \`${record.name}\` lacks the scope this route needs: ${needed}`, {
        hint: `use a token with ${needed}; it has ${record.scopes.map((s) => `\`${s}\``).join(", ")}`,
      });
    }
    if (record.rate_per_second !== undefined) this.take(record);
    return { name: record.name, scopes: new Set(record.scopes) };
  }

  private take(record: TokenRecord): void {
    const rate = record.rate_per_second!;
    const capacity = Math.max(1, rate * 2);
    const t = this.now();
    const b = this.buckets.get(record.sha256) ?? { tokens: capacity, at: t };
    b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
    this.buckets.set(record.sha256, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const wait = Math.max(1, Math.ceil((1 - b.tokens) / rate));
    throw new HttpError(429, "rate_limited", `token \`${record.name}\` is limited to ${rate} requests per second`, {
      hint: `retry after ${wait} s (\`Retry-After\`), or raise its \`rate_per_second\` in the tokens file`,
      headers: { "retry-after": String(wait) },
    });
  }
}

/**
 * The token of an `Authorization` header: `Bearer TOKEN`, or `Basic` with the token as the
 * password (what a browser sends after its own login prompt; the user name is ignored).
 * Undefined when the header is neither.
 */
function tokenOf(header: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  return password === "" ? undefined : password;
}
