/**
 * Canonical rule and fixture YAML, edited through the `yaml` Document API so comments and blank lines stay:
 * keys in the canonical order (`canonical-order.ts`), block collections, two-space indentation with indented
 * sequences, strings plain where that is unambiguous (YAML 1.2 and 1.1 alike), else quoted with the quote that
 * needs fewer escapes; multi-line strings as literal blocks, and single-line prose too long for its line as
 * folded blocks. The schema header is the first line. The result is checked to hold exactly the same data.
 */
import { isDeepStrictEqual } from "node:util";
import { isMap, isPair, isScalar, isSeq, parse, parseDocument, Scalar, stringify, visit } from "yaml";
import type { Document, ParsedNode, ToStringOptions } from "yaml";
import { casesKeyOrder, ruleKeyOrder } from "./canonical-order.js";
import type { KeyOrder } from "./canonical-order.js";
import { formatKqlQuery } from "./kql-layout.js";
import { parse as parseEql, print as printEql } from "@dac/eql";

/** `rule` and `cases` files get their key order; `other` YAML gets the same layout and quoting only. */
export type YamlKind = "rule" | "cases" | "other";

export interface FormatOptions {
  kind: YamlKind;
  /** Reformat a KQL `query` with the KQL printer (rules only). */
  queries?: boolean;
  /** The header line to add when the file has none, e.g. `# yaml-language-server: $schema=../../schemas/rule.schema.json`. */
  schemaHeader?: string;
  /** Line width for folding long prose; default 110, as the repository's Prettier settings. */
  lineWidth?: number;
  /** Bounds alias expansion, as `limits.max_alias_count`; default 100. */
  maxAliasCount?: number;
}

export interface FormatResult {
  text: string;
  changed: boolean;
  /** Things left as they were, worth telling the author (e.g. a query that does not parse). */
  notes: string[];
}

/** The file cannot be formatted safely (unparsable, several documents, or the result would change its data). */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "FormatError";
  }
}

export const defaultLineWidth = 110;
const headerPattern = /^ ?yaml-language-server: \$schema=\S+\s*$/;
const renderOptions: ToStringOptions = {
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  flowCollectionPadding: false,
};

export function formatYaml(text: string, options: FormatOptions): FormatResult {
  const lineWidth = options.lineWidth ?? defaultLineWidth;
  const doc = parseDocument(text, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) throw new FormatError(error.message.split("\n")[0] ?? error.message, error.linePos?.[0]?.line);
  const notes: string[] = [];
  const maxAliasCount = options.maxAliasCount ?? 100;
  let expected: unknown;
  try {
    expected = doc.toJS({ maxAliasCount });
  } catch (error) {
    throw new FormatError(`the data cannot be read: ${(error as Error).message}`, 1);
  }

  gatherTopComment(doc, options.schemaHeader);
  if (options.kind === "rule" && options.queries) {
    const note = reformatQuery(doc, expected);
    if (note) notes.push(note);
  }
  const order = options.kind === "rule" ? ruleKeyOrder : options.kind === "cases" ? casesKeyOrder : {};
  canonicalize(doc.contents, "", order);
  doc.directives.docStart = null;

  // First without folding, to see which strings overflow their line; those become folded blocks.
  const unfolded = doc.toString(renderOptions);
  const folded = markOverflowingProse(doc, unfolded, lineWidth)
    ? doc.toString({ ...renderOptions, lineWidth })
    : unfolded;
  // Text that reads back as the input text holds the same data; anything else is checked.
  const out = [folded, unfolded].find(
    (candidate) => candidate === text || sameData(candidate, expected, maxAliasCount),
  );
  if (out === undefined) throw new FormatError("formatting would change the data; the file is left as it is");
  return { text: out, changed: out !== text, notes };
}

/**
 * Comments above the first key describe the file: they stay at the top whatever key comes first, the schema
 * header first of all. A blank line under them is kept (the `yaml` library prints the document's own comment
 * with one, the top collection's without).
 */
function gatherTopComment(doc: Document, schemaHeader: string | undefined): void {
  const contents = doc.contents;
  const separated = doc.commentBefore != null;
  const lines: string[] = doc.commentBefore ? doc.commentBefore.split("\n") : [];
  if (isMap(contents) || isSeq(contents)) {
    if (contents.commentBefore) lines.push(...contents.commentBefore.split("\n"));
    const first = contents.items[0];
    const firstKey = isPair(first) && isScalar(first.key) ? first.key : undefined;
    const keyLines = firstKey?.commentBefore?.split("\n") ?? [];
    if (
      firstKey &&
      keyLines.length > 0 &&
      (lines.length === 0 || keyLines.some((l) => headerPattern.test(l)))
    ) {
      lines.push(...keyLines);
      firstKey.commentBefore = null;
    }
  }
  const headerAt = lines.findIndex((l) => headerPattern.test(l));
  if (headerAt > 0) lines.unshift(...lines.splice(headerAt, 1));
  if (headerAt < 0 && schemaHeader) lines.unshift(schemaHeader.replace(/^#/, ""));
  const comment = lines.length > 0 ? lines.join("\n") : null;
  if (separated || !(isMap(contents) || isSeq(contents))) doc.commentBefore = comment;
  else {
    doc.commentBefore = null;
    contents.commentBefore = comment;
  }
}

function reformatQuery(doc: Document, expected: unknown): string | undefined {
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  const language = contents.get("language");
  const query = contents.get("query", true);
  if (!isScalar(query) || typeof query.value !== "string") return undefined;
  if (language === "eql" && contents.get("type") === "eql") return reformatEqlQuery(query, expected);
  if (language !== undefined && language !== "kuery") return undefined;
  if (contents.get("type") === "esql" || contents.get("type") === "eql") return undefined;
  let formatted: string;
  try {
    formatted = formatKqlQuery(query.value);
  } catch (error) {
    return `query left as it is: ${(error as Error).message.split("\n")[0]}`;
  }
  if (query.value.endsWith("\n")) formatted += "\n";
  query.value = formatted;
  (expected as Record<string, unknown>).query = formatted;
  return undefined;
}

/** EQL in canonical form (one step per line); a query with comments is left alone, as `print` drops them. */
function reformatEqlQuery(query: Scalar, expected: unknown): string | undefined {
  const text = String(query.value);
  let formatted: string;
  try {
    const ast = parseEql(text);
    if (ast.comments) return "query left as it is: it has comments, which formatting would drop";
    formatted = printEql(ast);
  } catch (error) {
    return `query left as it is: ${(error as Error).message.split("\n")[0]}`;
  }
  if (text.endsWith("\n")) formatted += "\n";
  query.value = formatted;
  (expected as Record<string, unknown>).query = formatted;
  return undefined;
}

function canonicalize(node: unknown, position: string, order: KeyOrder): void {
  if (isMap(node)) {
    node.flow = node.items.length === 0;
    const keys = order[position];
    if (keys) {
      const rank = (key: unknown) => {
        const at = keys.indexOf(String(isScalar(key) ? key.value : key));
        return at < 0 ? keys.length : at;
      };
      // Array.prototype.sort is stable: keys the list does not name keep their order, after the named ones.
      node.items.sort((a, b) => rank(a.key) - rank(b.key));
    }
    for (const pair of node.items) {
      if (isScalar(pair.key)) styleScalar(pair.key, true);
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      canonicalize(pair.value, position ? `${position}.${key}` : key, order);
    }
  } else if (isSeq(node)) {
    node.flow = node.items.length === 0;
    for (const item of node.items) canonicalize(item, `${position}[]`, order);
  } else if (isScalar(node)) {
    styleScalar(node, false);
  }
}

function styleScalar(scalar: Scalar, isKey: boolean): void {
  const value = scalar.value;
  if (typeof value !== "string") return;
  if (value.includes("\n") && !isKey) scalar.type = Scalar.BLOCK_LITERAL;
  else if (plainIsSafe(value)) scalar.type = Scalar.PLAIN;
  else scalar.type = quoteFor(value);
}

const plainCache = new Map<string, boolean>();

/** Plain only when YAML 1.2 and YAML 1.1 readers both read the text back as this string (`yes`, `2025-03-04`…). */
function plainIsSafe(value: string): boolean {
  let safe = plainCache.get(value);
  if (safe === undefined) {
    safe = computePlainIsSafe(value);
    // Values repeat across files (field names, dataset names); the cache stays bounded all the same.
    if (plainCache.size > 50_000) plainCache.clear();
    plainCache.set(value, safe);
  }
  return safe;
}

function computePlainIsSafe(value: string): boolean {
  if (value === "" || value.includes("\n")) return false;
  if (stringify(value, { lineWidth: 0 }) !== `${value}\n`) return false;
  try {
    return parse(value, { version: "1.1" }) === value;
  } catch {
    return false;
  }
}

/** Prettier's choice: double quotes unless the text holds more double quotes than single ones. */
function quoteFor(value: string): Scalar.Type {
  // Single quotes cannot escape control characters.
  if (/[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(value)) return Scalar.QUOTE_DOUBLE;
  const doubles = value.split('"').length - 1;
  const singles = value.split("'").length - 1;
  return doubles > singles ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE;
}

/**
 * Marks as folded blocks the single-line strings with spaces whose rendering runs past `lineWidth`. Scalars
 * are matched between the document and its rendering by their order of appearance. Returns whether any was.
 */
function markOverflowingProse(doc: Document, rendered: string, lineWidth: number): boolean {
  if (rendered.split("\n").every((line) => line.length <= lineWidth)) return false;
  const reparsed = parseDocument(rendered);
  const lineStarts = [0];
  for (let i = rendered.indexOf("\n"); i >= 0; i = rendered.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const columnOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return offset - lineStarts[lo]!;
  };
  const overflowing = new Set<number>();
  let index = 0;
  visit(reparsed, {
    Scalar(key, node) {
      const at = index++;
      const range = (node as Scalar & ParsedNode).range;
      if (key === "key" || typeof node.value !== "string" || !node.value.includes(" ")) return;
      if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED || !range) return;
      if (columnOf(range[1]) > lineWidth) overflowing.add(at);
    },
  });
  if (overflowing.size === 0) return false;
  const scalars: Scalar[] = [];
  visit(doc, {
    Scalar(_key, node) {
      scalars.push(node);
    },
  });
  if (scalars.length !== index) return false;
  for (const at of overflowing) scalars[at]!.type = Scalar.BLOCK_FOLDED;
  return true;
}

function sameData(text: string, expected: unknown, maxAliasCount: number): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  try {
    return isDeepStrictEqual(doc.toJS({ maxAliasCount }), expected);
  } catch {
    return false;
  }
}
