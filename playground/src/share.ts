// Share links: the whole playground state, compressed (raw DEFLATE) and base64url-encoded in a
// versioned URL fragment, `#v1:<data>`. A damaged, truncated or other-version link decodes to
// an error that says so, never to a half-loaded state.
import { deflateSync, inflateSync, strFromU8, strToU8 } from "fflate";
import { JOURNEY_FILE_RE, type PlaygroundState } from "./state.ts";

/** The fragment format this playground writes and reads. */
export const SHARE_VERSION = 1;
const PREFIX = `#v${SHARE_VERSION}:`;
/** A link's decompressed state may be at most this large (a decompression bomb is refused). */
const MAX_STATE_CHARS = 8 * 1024 * 1024;

export type DecodeResult = { readonly ok: true; readonly state: PlaygroundState } | { readonly ok: false; readonly error: string };

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The fragment (with its `#`) that restores a state. */
export function encodeState(state: PlaygroundState): string {
  const payload = {
    catalog: state.catalog,
    journeys: state.journeys.map((j) => [j.name, j.text]),
    request: state.request,
    context: state.context,
    consents: state.consents,
  };
  return PREFIX + toBase64Url(deflateSync(strToU8(JSON.stringify(payload)), { level: 9 }));
}

const DAMAGED = "this share link is damaged or truncated (was it cut when copied?)";

function isString(v: unknown): v is string {
  return typeof v === "string";
}

/** Decodes a fragment (`#v1:…`); the error says what is wrong with the link. */
export function decodeState(fragment: string): DecodeResult {
  const version = /^#v(\d+):/.exec(fragment);
  if (!version) return { ok: false, error: "this is not a playground share link (it should start with `#v1:`)" };
  if (Number(version[1]) !== SHARE_VERSION) {
    return { ok: false, error: `this share link is of format v${version[1]}; this playground reads v${SHARE_VERSION} links` };
  }
  const bytes = fromBase64Url(fragment.slice(version[0].length));
  if (!bytes || bytes.length === 0) return { ok: false, error: DAMAGED };
  let json: string;
  try {
    const inflated = inflateSync(bytes);
    if (inflated.length > MAX_STATE_CHARS) return { ok: false, error: "this share link holds more than 8 MiB of policies" };
    json = strFromU8(inflated);
  } catch {
    return { ok: false, error: DAMAGED };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, error: DAMAGED };
  }
  const p = raw as Record<string, unknown>;
  const journeys = p?.["journeys"];
  if (
    !p ||
    typeof p !== "object" ||
    ![p["catalog"], p["request"], p["context"], p["consents"]].every(isString) ||
    !Array.isArray(journeys) ||
    !journeys.every((j: unknown) => Array.isArray(j) && j.length === 2 && isString(j[0]) && JOURNEY_FILE_RE.test(j[0]) && isString(j[1]))
  ) {
    return { ok: false, error: "this share link does not hold a playground state" };
  }
  return {
    ok: true,
    state: {
      catalog: p["catalog"] as string,
      journeys: (journeys as [string, string][]).map(([name, text]) => ({ name, text })),
      request: p["request"] as string,
      context: p["context"] as string,
      consents: p["consents"] as string,
    },
  };
}
