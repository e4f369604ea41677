// JSON text → value, with the 1-based line and column of a syntax error. V8's messages carry
// a position only for some errors, so on failure a small scanner finds where the text stops
// being JSON (it runs only on invalid input; the fast path is JSON.parse).

export type JsonTextResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly line: number; readonly column: number; readonly message: string };

class Stop extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

/** Offset and description of the first syntax error of a text that JSON.parse rejected. */
function locate(text: string): Stop {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const what = () => (i >= text.length ? "end of input" : `\`${text[i]}\``);
  const expect = (ch: string) => {
    if (text[i] !== ch) throw new Stop(i, `expected \`${ch}\`, found ${what()}`);
    i++;
  };
  const string = () => {
    expect('"');
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) throw new Stop(i, "control character in a string");
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) throw new Stop(i, "bad \\u escape");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) throw new Stop(i, "bad escape in a string");
      }
      i++;
    }
    if (i >= text.length) throw new Stop(i, "unterminated string");
    i++;
  };
  // Iterative, with the open containers on a stack: text nested a million levels deep (which
  // JSON.parse rejects or accepts without recursion) must not overflow the call stack here.
  const open: ("{" | "[")[] = [];
  const key = (): void => {
    ws();
    if (text[i] !== '"') throw new Stop(i, `expected a property name in double quotes, found ${what()}`);
    string();
    ws();
    expect(":");
  };
  const value = (): void => {
    for (;;) {
      ws();
      const c = text[i];
      if (c === "{" || c === "[") {
        i++;
        ws();
        if (text[i] === (c === "{" ? "}" : "]")) i++;
        else {
          open.push(c);
          if (c === "{") key();
          continue;
        }
      } else if (c === '"') string();
      else {
        const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
        if (!m) throw new Stop(i, `expected a value, found ${what()}`);
        i += m[0].length;
      }
      // A value ended: close containers until one continues with `,` (or none is open).
      for (;;) {
        const top = open[open.length - 1];
        if (top === undefined) return;
        ws();
        const close = top === "{" ? "}" : "]";
        if (text[i] === close) {
          i++;
          open.pop();
          continue;
        }
        if (text[i] !== ",") throw new Stop(i, `expected \`,\` or \`${close}\`, found ${what()}`);
        i++;
        if (top === "{") key();
        break;
      }
    }
  };
  try {
    value();
    ws();
    if (i < text.length) return new Stop(i, `unexpected ${what()} after the JSON value`);
    return new Stop(0, "invalid JSON");
  } catch (e) {
    if (e instanceof Stop) return e;
    throw e;
  }
}

/** Parses JSON text; on a syntax error returns where it is and what is wrong. */
export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const stop = locate(text);
    const before = text.slice(0, stop.offset);
    const line = before.split("\n").length;
    const column = stop.offset - (before.lastIndexOf("\n") + 1) + 1;
    return { ok: false, line, column, message: stop.message };
  }
}
