/**
 * Canonical EQL text. An event query prints on one line; a sequence or sample prints its header on the first line
 * and one step per line, indented by two spaces, and `until` on its own line. Parentheses only where precedence
 * needs them; strings in double quotes with EqlBase.g4's escapes (raw `"""` strings stay raw).
 */
import type { EqlQuery, EventFilter, Expression, Literal, SequenceStep } from "./ast.js";

// Binding strength, loosest first (EqlBase.g4: or < and < not < comparison < + - < * / % < unary < primary).
function precedence(e: Expression): number {
  switch (e.type) {
    case "or":
      return 1;
    case "and":
      return 2;
    case "not":
      return 3;
    case "compare":
      return 4;
    case "arithmetic":
      return e.op === "+" || e.op === "-" ? 5 : 6;
    case "negate":
      return 7;
    case "in":
    case "match":
      return 8;
    default:
      return 9;
  }
}

const SIMPLE_NAME = /^[A-Za-z_@][A-Za-z0-9_]*$/;
const KEYWORDS = new Set([
  "and",
  "any",
  "by",
  "false",
  "in",
  "join",
  "like",
  "maxspan",
  "not",
  "null",
  "of",
  "or",
  "regex",
  "sample",
  "sequence",
  "true",
  "until",
  "where",
  "with",
]);

function fieldName(name: string, optional: boolean): string {
  // Quote each segment that needs it; a segment holding a dot quotes the whole name (it is one identifier).
  const parts = name.split(".");
  const plain = (p: string, i: number) => SIMPLE_NAME.test(p) && (i > 0 || !KEYWORDS.has(p));
  const text = parts.map((p, i) => (plain(p, i) ? p : `\`${p.replaceAll("`", "``")}\``)).join(".");
  return optional ? `?${text}` : text;
}

export function printString(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      default:
        out += ch;
    }
  }
  return `${out}"`;
}

function literal(l: Literal): string {
  if (l.kind === "string") return l.raw.startsWith('"""') ? l.raw : printString(l.value as string);
  if (l.kind === "null") return "null";
  if (l.kind === "boolean") return String(l.value);
  return l.raw;
}

export function printExpression(e: Expression): string {
  const wrap = (child: Expression, min: number) => {
    const text = printExpression(child);
    return precedence(child) < min ? `(${text})` : text;
  };
  switch (e.type) {
    case "literal":
      return literal(e);
    case "field":
      return fieldName(e.name, e.optional);
    case "or":
      return `${wrap(e.left, 1)} or ${wrap(e.right, 2)}`;
    case "and":
      return `${wrap(e.left, 2)} and ${wrap(e.right, 3)}`;
    case "not":
      return `not ${wrap(e.operand, 3)}`;
    case "compare":
      return `${wrap(e.left, 5)} ${e.op} ${wrap(e.right, 5)}`;
    case "arithmetic": {
      const p = precedence(e);
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
    case "negate":
      return `-${wrap(e.operand, 7)}`;
    case "in":
      return `${wrap(e.value, 9)} ${e.negated ? "not " : ""}in${e.insensitive ? "~" : ""} (${e.list.map(printExpression).join(", ")})`;
    case "match": {
      const patterns = e.patterns.map(literal);
      const rhs = e.list || patterns.length > 1 ? `(${patterns.join(", ")})` : patterns[0]!;
      return `${wrap(e.value, 9)} ${e.op} ${rhs}`;
    }
    case "call":
      return `${e.name}${e.insensitive ? "~" : ""}(${e.args.map(printExpression).join(", ")})`;
  }
}

function eventFilter(f: EventFilter): string {
  const category =
    f.category === null
      ? "any"
      : SIMPLE_NAME.test(f.category) && !KEYWORDS.has(f.category)
        ? f.category
        : printString(f.category);
  return `${category} where ${printExpression(f.condition)}`;
}

function keys(by: Expression[]): string {
  return by.length ? ` by ${by.map(printExpression).join(", ")}` : "";
}

function step(s: SequenceStep): string {
  const open = s.missing ? "![" : "[";
  return `${open}${eventFilter(s.filter)}]${keys(s.by)}${s.runs !== undefined ? ` with runs=${s.runs}` : ""}`;
}

/** Canonical text of an EQL query. `print(parse(print(q)))` equals `print(q)`. */
export function print(query: EqlQuery): string {
  const { body } = query;
  let text: string;
  if (body.type === "event") text = eventFilter(body);
  else {
    const header =
      body.type === "sequence"
        ? `sequence${keys(body.by)}${body.maxspan ? ` with maxspan=${body.maxspan.value}${body.maxspan.unit}` : ""}`
        : `sample${keys(body.by)}`;
    const lines = [header, ...body.steps.map((s) => `  ${step(s)}`)];
    if (body.type === "sequence" && body.until) lines.push(`until ${step(body.until)}`);
    text = lines.join("\n");
  }
  for (const pipe of query.pipes) text += `\n| ${pipe.name} ${pipe.count}`;
  return text;
}
