/**
 * Canonical KQL for a syntax tree: lower-case keywords, parentheses only where the grammar needs them, value lists
 * folded back (`f:(a or b)`), and every character escaped that would otherwise change how the text parses.
 * `parse(print(ast))` gives back the same tree, spans aside, for every tree the parser can produce.
 */
import type { FieldNode, KqlNode, LiteralNode, RangeOperator, ValueNode } from "./ast.js";

const OPERATORS: Record<RangeOperator, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

export function print(ast: KqlNode): string {
  return printQuery(ast);
}

function printQuery(input: KqlNode): string {
  const node = unwrap(input);
  switch (node.type) {
    case "or":
    case "and": {
      const field = commonField(node);
      if (field !== null) return `${printField(field)}:(${printValues(node)})`;
      return joinChildren(node, printQuery);
    }
    case "not":
      return `not ${wrapNotChild(node.child, printQuery)}`;
    case "nested":
      return `${printField(node.path)}:{ ${printQuery(node.child)} }`;
    case "is":
      return node.field === null
        ? printValue(node.value)
        : `${printField(node.field)}:${printValue(node.value)}`;
    case "range":
      return `${printField(node.field)} ${OPERATORS[node.operator]} ${printLiteral(node.value)}`;
    case "matchAll":
      return "*:*";
  }
}

/** The value-list form of an and/or/not tree whose leaves all compare the same field. */
function printValues(input: KqlNode): string {
  const node = unwrap(input);
  switch (node.type) {
    case "or":
    case "and":
      return joinChildren(node, printValues);
    case "not":
      return `not ${wrapNotChild(node.child, printValues)}`;
    case "is":
      return printValue(node.value);
    default:
      throw new Error(`cannot print a ${node.type} node inside a value list`);
  }
}

function joinChildren(node: KqlNode & { type: "or" | "and" }, printChild: (n: KqlNode) => string): string {
  if (node.children.length === 0) throw new Error(`cannot print an empty ${node.type} node`);
  // Same-type children keep their own parentheses so the tree stays as it is; `or` inside `and` needs them too.
  // A child printed as a value list (`f:(a or b)`) carries its own parentheses.
  const wrap = (child: KqlNode): boolean =>
    (child.type === node.type || (node.type === "and" && child.type === "or")) &&
    (printChild !== printQuery || commonField(child) === null);
  return node.children
    .map(unwrap)
    .map((child) => (wrap(child) ? `(${printChild(child)})` : printChild(child)))
    .join(` ${node.type} `);
}

/** `not` takes a single sub-query: anything with an operator of its own goes in parentheses (`not not a` is an error). */
function wrapNotChild(input: KqlNode, printChild: (n: KqlNode) => string): string {
  const child = unwrap(input);
  const compound = child.type === "or" || child.type === "and" || child.type === "not";
  // A value list (`not f:(a or b)`) is a single sub-query already.
  const list = printChild === printQuery && child.type !== "not" && commonField(child) !== null;
  return compound && !list ? `(${printChild(child)})` : printChild(child);
}

/** An and/or with a single child prints as that child (the parser never builds one; hand-built trees may). */
function unwrap(node: KqlNode): KqlNode {
  let n = node;
  while ((n.type === "or" || n.type === "and") && n.children.length === 1) n = n.children[0]!;
  return n;
}

/** The field every leaf of an and/or tree compares, when they all compare the same one (a foldable value list). */
function commonField(node: KqlNode): FieldNode | null {
  let found: FieldNode | null = null;
  const walk = (n: KqlNode): boolean => {
    switch (n.type) {
      case "or":
      case "and":
        return n.children.length > 0 && n.children.every(walk);
      case "not":
        return walk(n.child);
      case "is":
        if (n.field === null) return false;
        if (found === null) {
          found = n.field;
          return true;
        }
        return sameField(found, n.field);
      default:
        return false;
    }
  };
  return walk(node) ? found : null;
}

function sameField(a: FieldNode, b: FieldNode): boolean {
  if (a === b) return true;
  if (a.name !== b.name || a.quoted !== b.quoted) return false;
  if (a.wildcard === null || b.wildcard === null) return a.wildcard === b.wildcard;
  return a.wildcard.length === b.wildcard.length && a.wildcard.every((part, i) => part === b.wildcard![i]);
}

// ---------------------------------------------------------------------------------------------------------------
// Literals

function printField(field: FieldNode): string {
  if (field.quoted) return quote(field.name);
  if (field.wildcard !== null) return printParts(field.wildcard);
  // An unquoted true/false/null field name is the JSON value in Kibana, which names the same field.
  return field.name === "" ? "\\t" : escapeUnquoted(field.name, true);
}

/** A value as it would be written after `field:`. */
export function printValue(value: ValueNode): string {
  return value.type === "wildcard" ? printParts(value.parts) : printLiteral(value);
}

function printLiteral(literal: LiteralNode): string {
  const { value } = literal;
  if (typeof value !== "string") return String(value);
  return literal.quoted ? quote(value) : printUnquoted(value);
}

function printParts(parts: string[]): string {
  return parts.map((part, i) => escapeUnquoted(part, i === parts.length - 1)).join("*");
}

function printUnquoted(text: string): string {
  // Kibana turns these three words into JSON values and trims every unquoted value, so a string that reads as
  // one of them, or an empty one, needs another spelling. An unquoted "" comes from `\t` (trimmed away).
  if (text === "true" || text === "false" || text === "null") return quote(text);
  if (text === "") return "\\t";
  return escapeUnquoted(text, true);
}

function quote(text: string): string {
  return `"${text.replace(/[\\"\t\r\n]/g, (c) => QUOTED_ESCAPES[c]!)}"`;
}

const QUOTED_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  "\t": "\\t",
  "\r": "\\r",
  "\n": "\\n",
};

const SPECIAL = new Set(["\\", "(", ")", ":", "<", ">", '"', "*", "{", "}"]);

/**
 * Escape an unquoted literal piece. Besides the special characters, the grammar ends a value at a keyword: a
 * space, `or`/`and` and a space, or `not` and a space, anywhere. `atEnd` says whether the piece ends the value,
 * where a space (before `and`, `)` or `}`) may follow in the printed query.
 */
function escapeUnquoted(text: string, atEnd: boolean): string {
  let out = "";
  const n = text.length;
  const spaceAt = (j: number): boolean => (j === n ? atEnd : text.charCodeAt(j) === 32);
  for (let i = 0; i < n; i++) {
    const ch = text[i]!;
    if (SPECIAL.has(ch)) out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\n") out += "\\n";
    // NBSP is whitespace to the grammar; escaped, it is an ordinary character.
    else if (ch === "\u00a0") out += "\\u00a0";
    else if (ch === " ") {
      out += " ";
      const word = /^(or|and)/i.exec(text.slice(i + 1, i + 4))?.[0];
      if (word !== undefined && spaceAt(i + 1 + word.length)) {
        out += `\\${word}`;
        i += word.length;
      }
    } else if ((ch === "n" || ch === "N") && /^not$/i.test(text.slice(i, i + 3)) && spaceAt(i + 3)) {
      // `\not` would read as `\n` + "ot", so a lower-case n is spelled as a unicode escape.
      out += ch === "n" ? `\\u006e${text.slice(i + 1, i + 3)}` : `\\${text.slice(i, i + 3)}`;
      i += 2;
    } else out += ch;
  }
  return out;
}
