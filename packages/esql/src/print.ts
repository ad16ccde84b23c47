/**
 * The canonical ES|QL text of a query (`dac esql fmt`): keywords and function names upper-cased, one command per
 * line after the source (`| WHERE ...`), parentheses only where precedence needs them, comments dropped.
 * `printEsql(parseEsql(printEsql(q)))` is `printEsql(q)`.
 */
import type { Column, Command, EsqlQuery, Expression, Field, Literal, NamePattern } from "./ast.js";

export function printEsql(q: EsqlQuery): string {
  return [printCommand(q.source), ...q.commands.map((c) => `| ${printCommand(c)}`)].join("\n");
}

const UNQUOTED_NAME = /^[A-Za-z@_][A-Za-z0-9_@]*(\.[A-Za-z0-9_@]+)*$/;
const UNQUOTED_SOURCE = /^[^\s,|"()`/]+$/;

export function printColumnName(name: string): string {
  return UNQUOTED_NAME.test(name) && !/^[_@]+$/.test(name) && !KEYWORDS.has(name.toLowerCase())
    ? name
    : "`" + name.replaceAll("`", "``") + "`";
}

const KEYWORDS = new Set([
  "and",
  "or",
  "not",
  "in",
  "like",
  "rlike",
  "is",
  "null",
  "true",
  "false",
  "by",
  "as",
  "asc",
  "desc",
  "nulls",
  "with",
  "on",
  "where",
]);

function printPattern(p: NamePattern): string {
  return /^[A-Za-z0-9_@.*]+$/.test(p.pattern) ? p.pattern : "`" + p.pattern.replaceAll("`", "``") + "`";
}

function printField(f: Field): string {
  return f.name ? `${printColumnName(f.name.name)} = ${printExpression(f.value)}` : printExpression(f.value);
}

export function printCommand(c: Command): string {
  switch (c.type) {
    case "from": {
      const indices = c.indices
        .map((i) => (UNQUOTED_SOURCE.test(i.pattern) ? i.pattern : printString(i.pattern)))
        .join(", ");
      const meta = c.metadata.length
        ? ` METADATA ${c.metadata.map((m) => printColumnName(m.name)).join(", ")}`
        : "";
      return `FROM ${indices}${meta}`;
    }
    case "row":
      return `ROW ${c.fields.map(printField).join(", ")}`;
    case "where":
      return `WHERE ${printExpression(c.condition)}`;
    case "eval":
      return `EVAL ${c.fields.map(printField).join(", ")}`;
    case "stats": {
      const aggs = c.aggregates
        .map((a) => printField(a) + (a.filter ? ` WHERE ${printExpression(a.filter)}` : ""))
        .join(", ");
      const by = c.groups.length ? `BY ${c.groups.map(printField).join(", ")}` : "";
      return [c.inline ? "INLINE STATS" : "STATS", aggs, by].filter(Boolean).join(" ");
    }
    case "keep":
    case "drop":
      return `${c.type.toUpperCase()} ${c.patterns.map(printPattern).join(", ")}`;
    case "rename":
      return `RENAME ${c.renames.map((r) => `${printPattern(r.from)} AS ${printColumnName(r.to.name)}`).join(", ")}`;
    case "sort":
      return `SORT ${c.keys
        .map(
          (k) =>
            `${printExpression(k.value)}${k.order === "DESC" ? " DESC" : ""}${k.nulls ? ` NULLS ${k.nulls}` : ""}`,
        )
        .join(", ")}`;
    case "limit":
      return `LIMIT ${c.count}`;
    case "mv_expand":
      return `MV_EXPAND ${printColumnName(c.column.name)}`;
    case "dissect":
      return `DISSECT ${printOperand(c.input, PRIMARY)} ${printLiteral(c.pattern)}${
        c.appendSeparator !== undefined ? ` APPEND_SEPARATOR = ${printString(c.appendSeparator)}` : ""
      }`;
    case "grok":
      return `GROK ${printOperand(c.input, PRIMARY)} ${c.patterns.map(printLiteral).join(", ")}`;
    case "enrich": {
      const on = c.on ? ` ON ${printColumnName(c.on.name)}` : "";
      const withs = c.with.length
        ? ` WITH ${c.with.map((w) => (w.name ? `${printColumnName(w.name.name)} = ` : "") + printColumnName(w.field.name)).join(", ")}`
        : "";
      return `ENRICH ${c.mode !== undefined ? `${c.mode}:` : ""}${c.policy}${on}${withs}`;
    }
    case "lookup_join":
      return `LOOKUP JOIN ${c.index} ON ${c.on.map((o) => printColumnName(o.name)).join(", ")}`;
    case "completion": {
      const target = c.target ? `${printColumnName(c.target.name)} = ` : "";
      const opts = c.options ? printExpression(c.options) : printString(c.inferenceId ?? "");
      return `COMPLETION ${target}${printOperand(c.prompt, PRIMARY)} WITH ${opts}`;
    }
    case "sample":
      return `SAMPLE ${c.probability}`;
  }
}

export function printString(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (ch) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" })[ch]!)}"`;
}

function printLiteral(l: Literal): string {
  switch (l.type) {
    case "null":
      return "NULL";
    case "boolean":
      return l.value ? "TRUE" : "FALSE";
    case "integer":
    case "decimal":
      return l.text;
    case "string":
      return l.triple ? `"""${l.value}"""` : printString(l.value);
    case "quantity":
      return `${l.value} ${CANONICAL_UNITS.has(l.unit) && l.value !== 1 ? `${l.unit}s` : l.unit}`;
    case "list":
      return `[${l.items.map(printLiteral).join(", ")}]`;
  }
}

const CANONICAL_UNITS = new Set([
  "millisecond",
  "second",
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "quarter",
  "year",
]);

const PRIMARY = 9;

/** Binding strength: OR 1, AND 2, NOT 3, predicates 4, comparison 5, `+ -` 6, `* / %` 7, unary 8, primary 9. */
function precedence(e: Expression): number {
  switch (e.type) {
    case "binary":
      if (e.op === "OR") return 1;
      if (e.op === "AND") return 2;
      if (e.op === "+" || e.op === "-") return 6;
      if (e.op === "*" || e.op === "/" || e.op === "%") return 7;
      return 5;
    case "unary":
      return e.op === "NOT" ? 3 : 8;
    case "in":
    case "like":
    case "isNull":
    case "match":
      return 4;
    default:
      return PRIMARY;
  }
}

function printOperand(e: Expression, min: number): string {
  const s = printExpression(e);
  return precedence(e) < min ? `(${s})` : s;
}

export function printExpression(e: Expression): string {
  switch (e.type) {
    case "null":
    case "boolean":
    case "integer":
    case "decimal":
    case "string":
    case "quantity":
    case "list":
      return printLiteral(e);
    case "param":
      return `?${e.positional && /^[0-9]+$/.test(e.name) ? e.name : e.name}`;
    case "column":
      return printColumnName(e.name);
    case "call":
      return `${e.name}(${e.star ? "*" : e.args.map(printExpression).join(", ")})`;
    case "map":
      return `{${e.entries.map((en) => `${printString(en.key)}: ${printExpression(en.value)}`).join(", ")}}`;
    case "binary": {
      const p = precedence(e);
      // Comparisons do not chain; the arithmetic and boolean operators associate to the left.
      const leftMin = p === 5 ? 6 : p;
      return `${printOperand(e.left, leftMin)} ${e.op} ${printOperand(e.right, p + 1)}`;
    }
    case "unary":
      return e.op === "NOT" ? `NOT ${printOperand(e.operand, 3)}` : `${e.op}${printOperand(e.operand, 8)}`;
    case "in":
      return `${printOperand(e.value, 5)}${e.negated ? " NOT" : ""} IN (${e.list.map((x) => printOperand(x, 5)).join(", ")})`;
    case "like": {
      const pats = e.patterns.map((p) => printExpression(p));
      const rhs = e.list ? `(${pats.join(", ")})` : pats[0]!;
      return `${printOperand(e.value, 5)}${e.negated ? " NOT" : ""} ${e.op} ${rhs}`;
    }
    case "isNull":
      return `${printOperand(e.value, 5)} IS ${e.negated ? "NOT " : ""}NULL`;
    case "match":
      return `${printColumnName(e.field.name)} : ${printOperand(e.query, 5)}`;
    case "cast":
      return `${printOperand(e.value, PRIMARY)}::${e.to}`;
  }
}

export function columnText(c: Column): string {
  return printColumnName(c.name);
}
