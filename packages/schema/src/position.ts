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
 * column of that character in the file. Exact for block literals and single-line scalars; for folded and
 * multi-line flow scalars, where YAML turns line breaks into spaces, it follows the same folding.
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
  const at = (o: number) => {
    const p = source.lineCounter.linePos(o);
    return { line: p.line, column: p.col };
  };
  const [start, valueEnd] = node.range;
  const raw = source.text.slice(start, valueEnd);
  const value = String(node.value);
  const target = Math.max(0, Math.min(offset, value.length));

  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    const headerEnd = raw.indexOf("\n");
    if (headerEnd < 0) return at(start);
    const lines = raw.slice(headerEnd + 1).split("\n");
    const explicit = /^[|>][+-]?([1-9])/.exec(raw)?.[1] ?? /^[|>][1-9]/.exec(raw)?.[0]?.slice(1);
    const indent = explicit
      ? Number(explicit) + indentOfLine(source, start)
      : Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
    let lineStart = start + headerEnd + 1;
    let consumed = 0;
    for (const line of lines) {
      const content = line.slice(Math.min(indent, line.length));
      if (target <= consumed + content.length)
        return at(lineStart + Math.min(indent, line.length) + (target - consumed));
      consumed += content.length + 1;
      lineStart += line.length + 1;
    }
    return at(valueEnd);
  }

  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  // Flow scalars: a line break plus the next line's indentation fold into one space.
  let consumed = 0;
  let i = quoted;
  while (i < raw.length) {
    if (consumed >= target) return at(start + i);
    if (raw[i] === "\n") {
      i++;
      while (i < raw.length && (raw[i] === " " || raw[i] === "\t")) i++;
      consumed++;
      continue;
    }
    if (node.type === Scalar.QUOTE_DOUBLE && raw[i] === "\\") i++;
    if (node.type === Scalar.QUOTE_SINGLE && raw[i] === "'" && raw[i + 1] === "'") i++;
    i++;
    consumed++;
  }
  return at(start + Math.min(i, raw.length));
}

function indentOfLine(source: YamlSource, offset: number): number {
  const lineStart = source.text.lastIndexOf("\n", offset - 1) + 1;
  const line = source.text.slice(lineStart, offset);
  return line.length - line.trimStart().length;
}
