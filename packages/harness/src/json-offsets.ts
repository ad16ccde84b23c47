/**
 * Where the values at one depth of a JSON text start, by path: enough to give every event in a pasted array
 * (depth 1) or search response (depth 3, `hits.hits[i]`) its line, without re-parsing the file with a
 * position-keeping parser (several times slower than `JSON.parse`). Values deeper down are skipped whole.
 * Run only on text that `JSON.parse` accepted.
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

export function jsonValueOffsets(text: string, depth: number): Map<string, number> {
  const out = new Map<string, number>();
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    // whitespace, `:` and a byte-order mark carry no structure
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 58 || c === 0xfeff) {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === 44 /* , */) {
      if (top?.array) top.index++;
      else if (top) top.awaitingKey = true;
      i++;
      continue;
    }
    if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      i++;
      continue;
    }
    if (c === 34 /* " */ && top && !top.array && top.awaitingKey) {
      const end = stringEnd(text, i);
      top.key = JSON.parse(text.slice(i, end)) as string;
      top.awaitingKey = false;
      i = end;
      continue;
    }
    // A value starts here.
    if (stack.length === depth) {
      out.set(stack.map((f) => (f.array ? f.index : f.key)).join("\u0000"), i);
      i = valueEnd(text, i);
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      stack.push({ array: c === 91, index: 0, key: undefined, awaitingKey: c === 123 });
      i++;
      continue;
    }
    i = valueEnd(text, i);
  }
  return out;
}

/** Index just past the value (string, number, literal, object or array) starting at `start`. */
function valueEnd(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === 34) return stringEnd(text, start);
  if (c !== 123 && c !== 91) {
    let i = start;
    while (i < text.length && !",]} \n\r\t".includes(text[i]!)) i++;
    return i;
  }
  let nesting = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) i = stringEnd(text, i) - 1;
    else if (ch === 123 || ch === 91) nesting++;
    else if ((ch === 125 || ch === 93) && --nesting === 0) return i + 1;
  }
  return text.length;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
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
  const fail = (at = i): never => {
    throw at;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) fail(i + k);
    i += word.length;
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
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) fail(i + k);
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
