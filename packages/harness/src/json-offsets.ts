/**
 * Where values start in a JSON text, by path, down to a given depth: enough to give every event in a pasted
 * array or search response its line, without re-parsing the file with a position-keeping parser (which is
 * several times slower than `JSON.parse` on large pastes). Run only on text that `JSON.parse` accepted.
 */

export type JsonPath = readonly (string | number)[];

interface Frame {
  array: boolean;
  index: number;
  key: string | undefined;
  awaitingKey: boolean;
}

export function pathKey(path: JsonPath): string {
  return path.join("\u0000");
}

export function jsonValueOffsets(text: string, maxDepth: number): Map<string, number> {
  const out = new Map<string, number>();
  const stack: Frame[] = [];
  const record = (offset: number) => {
    if (stack.length <= maxDepth) out.set(stack.map((f) => (f.array ? f.index : f.key)).join("\u0000"), offset);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t" || ch === ":" || ch === "\ufeff") {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (top && !top.array && top.awaitingKey) {
        top.key = JSON.parse(text.slice(i, end)) as string;
        top.awaitingKey = false;
      } else {
        record(i);
      }
      i = end;
      continue;
    }
    if (ch === ",") {
      if (top?.array) top.index++;
      else if (top) top.awaitingKey = true;
      i++;
      continue;
    }
    if (ch === "}" || ch === "]") {
      stack.pop();
      i++;
      continue;
    }
    record(i);
    if (ch === "{" || ch === "[") {
      stack.push({ array: ch === "[", index: 0, key: undefined, awaitingKey: ch === "{" });
      i++;
      continue;
    }
    // A number, true, false or null: skip to the next delimiter.
    while (i < text.length && !",]} \n\r\t".includes(text[i]!)) i++;
  }
  return out;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  return text.length;
}

/** 1-based line and column of offsets in one text, with the line starts computed once. */
export function lineLocator(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/**
 * The offset of the first syntax error in a JSON text (or -1). V8's `JSON.parse` messages only sometimes carry
 * a position, and a user pasting a broken event needs the spot.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = () => {
    i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < " ") fail();
      if (ch === '"') return void i++;
      if (ch === "\\") {
        i++;
        if (text[i] === "u") {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) (i += k, fail());
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? "x")) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return number();
    fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (offset) {
    return Math.min(offset as number, text.length);
  }
}
