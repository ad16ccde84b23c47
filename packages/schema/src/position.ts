import { isMap, isPair, isScalar, isSeq, Scalar } from "yaml";
import type { Node, Pair } from "yaml";
import { codeInfo } from "./codes.js";
import type { Diagnostic } from "./diagnostic.js";
import type { YamlSource } from "./yaml-source.js";

export type YamlPath = readonly (string | number)[];

export interface Located {
  /** The node at the path, when it exists. */
  node?: Node;
  /** The pair whose value is the node (for mapping entries). */
  pair?: Pair;
  /** The deepest existing node along the path and the pair that holds it. */
  closest: { node: Node | null; pair?: Pair };
}

/** Walks a path of keys and indexes through the YAML tree. */
export function locate(source: YamlSource, path: YamlPath): Located {
  let current = source.doc.contents as Node | null;
  let pair: Pair | undefined;
  for (const segment of path) {
    if (isMap(current)) {
      const found = current.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
      if (!found) return { closest: { node: current, ...(pair ? { pair } : {}) } };
      pair = found as Pair;
      current = (found.value as Node | null) ?? null;
      if (current === null) return { pair, closest: { node: null, pair } };
    } else if (isSeq(current) && typeof segment === "number" && segment < current.items.length) {
      pair = undefined;
      current = current.items[segment] as Node;
    } else {
      return { closest: { node: current, ...(pair ? { pair } : {}) } };
    }
  }
  return {
    node: current ?? undefined,
    ...(pair ? { pair } : {}),
    closest: { node: current, ...(pair ? { pair } : {}) },
  };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

export interface SourceSpan {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function spanOf(source: YamlSource, start: number, end: number): SourceSpan {
  const a = source.lineCounter.linePos(start);
  const b = source.lineCounter.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/**
 * Where to point for a path: `value` (default) is the value node, `key` is the key of the pair holding it,
 * `container` is the mapping itself (for a missing key, the key that names the mapping, or the mapping's
 * first line at the top level).
 */
export function rangeOf(
  source: YamlSource,
  path: YamlPath,
  on: "key" | "value" | "container" = "value",
): SourceSpan {
  const found = locate(source, path);
  if (on === "container") {
    const target = found.node ?? found.closest.node;
    const holder = found.node ? found.pair : found.closest.pair;
    if (holder && isScalar(holder.key) && holder.key.range)
      return spanOf(source, holder.key.range[0], holder.key.range[1]);
    if (isMap(target) && target.items[0] && isScalar(target.items[0].key) && target.items[0].key.range) {
      const first = target.items[0].key.range;
      return spanOf(source, first[0], first[1]);
    }
    const range = target?.range;
    return range ? spanOf(source, range[0], range[1]) : spanOf(source, 0, 0);
  }
  if (on === "key" && found.pair && isScalar(found.pair.key) && found.pair.key.range) {
    return spanOf(source, found.pair.key.range[0], found.pair.key.range[1]);
  }
  const node = found.node;
  if (node?.range) return spanOf(source, node.range[0], node.range[1]);
  if (found.pair && isScalar(found.pair.key) && found.pair.key.range) {
    // `key:` with no value: point at the key.
    return spanOf(source, found.pair.key.range[0], found.pair.key.range[1]);
  }
  return rangeOf(source, path.slice(0, -1), "container");
}

export interface DiagnosticInit {
  code: string;
  message: string;
  hint?: string | undefined;
  on?: "key" | "value" | "container";
  /** Overrides the code's default severity. */
  severity?: Diagnostic["severity"];
}

export function diagnosticAt(source: YamlSource, path: YamlPath, init: DiagnosticInit): Diagnostic {
  const info = codeInfo(init.code);
  const span = rangeOf(source, path, init.on ?? "value");
  const diagnostic: Diagnostic = {
    file: source.file,
    ...span,
    severity: init.severity ?? info.severity,
    code: init.code,
    name: info.name,
    message: init.message,
  };
  if (init.hint) diagnostic.hint = init.hint;
  return diagnostic;
}

/**
 * Maps an offset inside a scalar's *value* (for example a KQL error offset inside `query: |`) to the line and
 * column of that character in the file, for every scalar style and for LF and CRLF line endings alike. A line
 * break that YAML folded, kept or dropped maps to the end of the line before it, and so does any offset at or
 * past the end of the value: an "end of input" error points at the end of the text, not at the next key.
 */
export function scalarOffsetToPosition(
  source: YamlSource,
  path: YamlPath,
  offset: number,
): { line: number; column: number } {
  const { node } = locate(source, path);
  if (!node || !isScalar(node) || !node.range) {
    const span = rangeOf(source, path);
    return { line: span.line, column: span.column };
  }
  // A query with many findings asks for many offsets of one scalar: its map is built once.
  let cached = valueOffsetsCache.get(node);
  if (!cached || cached.text !== source.text || cached.range !== node.range || cached.value !== node.value) {
    const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
    const map = block
      ? blockOffsets(source, node.range, String(node.value))
      : flowOffsets(source, node.range, node.type);
    cached = { map, text: source.text, range: node.range, value: node.value };
    valueOffsetsCache.set(node, cached);
  }
  const { offsets, end } = cached.map;
  const target = Math.max(0, Math.floor(offset));
  const at = target < offsets.length ? offsets[target]! : end;
  const p = source.lineCounter.linePos(at);
  return { line: p.line, column: p.col };
}

/** Per character of the value, its offset in the file; `end` is just past the value's last character. */
interface ValueOffsets {
  offsets: number[];
  end: number;
}

/** Keyed by scalar node; what the map was built from is kept, so that an edited tree is never misread. */
const valueOffsetsCache = new WeakMap<
  object,
  { map: ValueOffsets; text: string; range: readonly number[]; value: unknown }
>();

/**
 * Block scalars: every content line appears verbatim in the value, in order; only the line breaks between them
 * change (literal keeps them, folded turns them into spaces or drops one of several). So each line's content is
 * found in the value after the previous one, skipping only line breaks and spaces.
 */
function blockOffsets(source: YamlSource, range: readonly number[], value: string): ValueOffsets {
  const text = source.text;
  const [start, valueEnd] = range as [number, number];
  const headerEnd = text.indexOf("\n", start);
  if (headerEnd < 0 || headerEnd >= valueEnd) return { offsets: [], end: start };
  const lines: { from: number; text: string }[] = [];
  for (let from = headerEnd + 1; from < valueEnd;) {
    let to = text.indexOf("\n", from);
    if (to < 0 || to > valueEnd) to = valueEnd;
    const line = text.slice(from, to);
    lines.push({ from, text: line.endsWith("\r") ? line.slice(0, -1) : line });
    from = to + 1;
  }
  const header = text.slice(start, headerEnd);
  const explicit = /^[|>][+-]?([1-9])/.exec(header)?.[1] ?? /^[|>]([1-9])/.exec(header)?.[1];
  const firstContent = lines.find((l) => l.text.trim() !== "")?.text ?? "";
  const indent = explicit
    ? Number(explicit) + indentOfLine(source, start)
    : firstContent.length - firstContent.trimStart().length;
  const offsets: number[] = [];
  let end = headerEnd;
  let cursor = 0;
  for (const line of lines) {
    const content = line.text.slice(indent);
    if (content === "") continue;
    let p = cursor;
    while (p < value.length && !value.startsWith(content, p) && (value[p] === "\n" || value[p] === " ")) p++;
    if (!value.startsWith(content, p)) break;
    while (offsets.length < p) offsets.push(end);
    for (let k = 0; k < content.length; k++) offsets.push(line.from + indent + k);
    cursor = p + content.length;
    end = line.from + indent + content.length;
  }
  return { offsets, end };
}

/**
 * Flow scalars (plain, single- and double-quoted): a line break with the spaces around it folds into one space,
 * or, with blank lines, into one line break per blank line; escapes and `''` stand for one character.
 */
function flowOffsets(source: YamlSource, range: readonly number[], type: Scalar["type"]): ValueOffsets {
  const text = source.text;
  const double = type === Scalar.QUOTE_DOUBLE;
  const single = type === Scalar.QUOTE_SINGLE;
  const quote = double || single ? 1 : 0;
  const stop = range[1]! - quote;
  const offsets: number[] = [];
  let end = range[0]! + quote;
  const space = (c: string | undefined) => c === " " || c === "\t";
  const breakAt = (i: number) => (text[i] === "\r" && text[i + 1] === "\n" ? 2 : text[i] === "\n" ? 1 : 0);
  let i = end;
  while (i < stop) {
    if (space(text[i]) || breakAt(i) > 0) {
      let j = i;
      let breaks = 0;
      while (j < stop && (space(text[j]) || breakAt(j) > 0)) {
        if (breakAt(j) > 0) {
          breaks++;
          j += breakAt(j);
        } else j++;
      }
      if (breaks === 0) {
        for (let k = i; k < j; k++) offsets.push(k);
        end = j;
      } else {
        for (let k = 0; k < (breaks === 1 ? 1 : breaks - 1); k++) offsets.push(end);
      }
      i = j;
      continue;
    }
    if (double && text[i] === "\\") {
      const next = breakAt(i + 1);
      if (next > 0) {
        // An escaped line break joins the lines: it and the next line's indentation stand for nothing.
        i += 1 + next;
        while (i < stop && space(text[i])) i++;
        continue;
      }
      const length = { x: 4, u: 6, U: 10 }[text[i + 1] as "x" | "u" | "U"] ?? 2;
      offsets.push(i);
      if (text[i + 1] === "U" && Number.parseInt(text.slice(i + 2, i + 10), 16) > 0xffff) offsets.push(i);
      i += length;
      end = i;
      continue;
    }
    offsets.push(i);
    i += single && text[i] === "'" && text[i + 1] === "'" ? 2 : 1;
    end = i;
  }
  return { offsets, end };
}
function indentOfLine(source: YamlSource, offset: number): number {
  const lineStart = source.text.lastIndexOf("\n", offset - 1) + 1;
  const line = source.text.slice(lineStart, offset);
  return line.length - line.trimStart().length;
}
