// A minimal ustar reader and a deterministic writer, enough for OPA bundles (regular files
// only). No Node imports: the reader runs in the browser too.

/** A tar archive that cannot be read: corrupt, truncated. */
export class TarError extends Error {
  readonly detail: Readonly<Record<string, unknown>>;

  constructor(message: string, detail: Record<string, unknown> = {}) {
    super(message);
    this.name = "TarError";
    this.detail = detail;
  }
}

const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive without a leading `/` or `./`. */
  readonly name: string;
  readonly data: Uint8Array;
}

function readString(block: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && block[end] !== 0) end++;
  return new TextDecoder().decode(block.subarray(offset, end));
}

function readOctal(block: Uint8Array, offset: number, length: number): number {
  const text = readString(block, offset, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`bundle tar header has a bad number \`${text}\``);
  return parseInt(text, 8);
}

function checksumOf(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return sum;
}

export function normalizeTarPath(name: string): string {
  return name.replace(/^(\.\/|\/)+/, "");
}

/** Reads the regular files of a tar archive; throws `opa/bundle-corrupt` on a malformed one. */
export function readTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries;
    if (readOctal(header, 148, 8) !== checksumOf(header)) {
      throw new TarError("bundle tar header checksum mismatch (corrupt archive)", { offset });
    }
    const size = readOctal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = readString(header, 345, 155);
    const base = readString(header, 0, 100);
    const start = offset + BLOCK;
    if (start + size > tar.length) {
      throw new TarError("bundle tar archive is truncated", { offset });
    }
    const data = tar.slice(start, start + size);
    if (type === "L") {
      longName = readString(data, 0, data.length);
    } else if (type === "0" || type === "\0") {
      const name = longName ?? (prefix ? `${prefix}/${base}` : base);
      entries.push({ name: normalizeTarPath(name), data });
      longName = undefined;
    } else {
      longName = undefined; // directories, pax headers and links carry nothing a bundle needs
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (offset !== tar.length || entries.length === 0) {
    throw new TarError("bundle tar archive is truncated or empty");
  }
  return entries;
}

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > length) throw new Error(`tar field too long: ${text}`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

/**
 * Writes a ustar archive whose bytes depend only on the entries' names and contents: entries in
 * the given order, mode 0644, uid/gid 0, mtime 0, no user names.
 */
export function writeTar(entries: readonly TarEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const entry of entries) {
    const header = new Uint8Array(BLOCK);
    writeString(header, 0, 100, entry.name);
    writeOctal(header, 100, 8, 0o644);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, entry.data.length);
    writeOctal(header, 136, 12, 0);
    header[156] = "0".charCodeAt(0);
    writeString(header, 257, 6, "ustar\0");
    writeString(header, 263, 2, "00");
    writeString(header, 148, 8, checksumOf(header).toString(8).padStart(6, "0") + "\0 ");
    chunks.push(header, entry.data, new Uint8Array((BLOCK - (entry.data.length % BLOCK)) % BLOCK));
  }
  chunks.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
