/**
 * EQL validation and lint against a field catalogue: what Elasticsearch's EQL analyzer and verifier refuse
 * (unknown functions, arity, argument types; Verifier / TypeResolutions in x-pack/plugin/eql and
 * x-pack/plugin/ql), and what parses but probably does not do what the author meant.
 *
 * Errors: DAC403 (type misuse). Warnings: DAC414 (leading wildcard on an unbounded field), DAC430 (event category
 * value ECS does not define), DAC431 (`==` on a text field), DAC432 (sequence without maxspan), DAC433 (`like`
 * pattern written with SQL's `%`). Unknown fields are reported by the caller (`fieldsOf`), with the same policy as
 * KQL; `?field` optional fields are exempt, as in Elasticsearch.
 */
import { EcsFlat } from "@elastic/ecs";
import { distance } from "fastest-levenshtein";
import { lookupField, type FieldCatalog, type FieldInfo } from "@dac/fields";
import type { EqlQuery, EventFilter, Expression, FieldRef, Span } from "./ast.js";
import { printExpression } from "./print.js";

export interface EqlFinding {
  code: string;
  severity: "error" | "warning";
  message: string;
  hint?: string;
  span: Span;
}

export interface ValidateOptions {
  catalog?: FieldCatalog;
  /** The field `<category> where` compares with (`event.category`, or the rule's `event_category_override`). */
  categoryField?: string;
}

/** Value types of EQL expressions, as Elasticsearch's QL DataTypes group them. */
export type EqlType =
  "string" | "text" | "number" | "boolean" | "ip" | "date" | "null" | "object" | "unknown";

export function typeOfField(info: FieldInfo | undefined): EqlType {
  if (!info) return "unknown";
  switch (info.type) {
    case "keyword":
    case "constant_keyword":
    case "wildcard":
    case "flattened":
      return "string";
    case "text":
    case "match_only_text":
      return "text";
    case "long":
    case "integer":
    case "short":
    case "byte":
    case "double":
    case "float":
    case "half_float":
    case "scaled_float":
    case "unsigned_long":
      return "number";
    case "boolean":
      return "boolean";
    case "ip":
      return "ip";
    case "date":
    case "date_nanos":
      return "date";
    case "object":
    case "nested":
      return "object";
    default:
      return "unknown";
  }
}

interface Signature {
  min: number;
  max: number;
  /** Argument types by position (the last repeats); `any` accepts everything. */
  args: (EqlType | "any" | "string-like")[];
  returns: EqlType;
  /** Has a `~` case-insensitive form. */
  insensitive: boolean;
}

/** The EQL function library (Elasticsearch reference, "EQL function reference"). Names are case-insensitive, as
 * Elasticsearch's FunctionRegistry normalises them (`cidrmatch` is `cidrMatch`): look them up with `functionNamed`. */
export const FUNCTIONS: Record<string, Signature> = {
  add: { min: 2, max: 2, args: ["number", "number"], returns: "number", insensitive: false },
  between: {
    min: 3,
    max: 4,
    args: ["string-like", "string-like", "string-like", "boolean"],
    returns: "string",
    insensitive: true,
  },
  cidrMatch: { min: 2, max: Infinity, args: ["ip", "string-like"], returns: "boolean", insensitive: false },
  concat: { min: 1, max: Infinity, args: ["any"], returns: "string", insensitive: false },
  divide: { min: 2, max: 2, args: ["number", "number"], returns: "number", insensitive: false },
  endsWith: { min: 2, max: 2, args: ["string-like", "string-like"], returns: "boolean", insensitive: true },
  indexOf: {
    min: 2,
    max: 3,
    args: ["string-like", "string-like", "number"],
    returns: "number",
    insensitive: true,
  },
  length: { min: 1, max: 1, args: ["string-like"], returns: "number", insensitive: false },
  modulo: { min: 2, max: 2, args: ["number", "number"], returns: "number", insensitive: false },
  multiply: { min: 2, max: 2, args: ["number", "number"], returns: "number", insensitive: false },
  number: { min: 1, max: 2, args: ["string-like", "number"], returns: "number", insensitive: false },
  startsWith: { min: 2, max: 2, args: ["string-like", "string-like"], returns: "boolean", insensitive: true },
  string: { min: 1, max: 1, args: ["any"], returns: "string", insensitive: false },
  stringContains: {
    min: 2,
    max: 2,
    args: ["string-like", "string-like"],
    returns: "boolean",
    insensitive: true,
  },
  substring: {
    min: 2,
    max: 3,
    args: ["string-like", "number", "number"],
    returns: "string",
    insensitive: false,
  },
  subtract: { min: 2, max: 2, args: ["number", "number"], returns: "number", insensitive: false },
};

const FUNCTION_BY_LOWER = new Map(Object.keys(FUNCTIONS).map((name) => [name.toLowerCase(), name]));

/** The canonical name of an EQL function (`cidrmatch` → `cidrMatch`), or undefined when there is none. */
export function functionNamed(name: string): string | undefined {
  return FUNCTION_BY_LOWER.get(name.toLowerCase());
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth"];

/** ECS's allowed values of `event.category`. */
export const EVENT_CATEGORIES: readonly string[] = (
  (EcsFlat as Record<string, { allowed_values?: { name: string }[] }>)["event.category"]?.allowed_values ?? []
).map((v) => v.name);

function expressions(query: EqlQuery): { filters: EventFilter[]; keys: Expression[] } {
  const { body } = query;
  if (body.type === "event") return { filters: [body], keys: [] };
  const steps = body.type === "sequence" && body.until ? [...body.steps, body.until] : body.steps;
  return { filters: steps.map((s) => s.filter), keys: [...body.by, ...steps.flatMap((s) => s.by)] };
}

function visitExpression(e: Expression, fn: (e: Expression) => void): void {
  fn(e);
  switch (e.type) {
    case "not":
    case "negate":
      visitExpression(e.operand, fn);
      break;
    case "and":
    case "or":
    case "compare":
    case "arithmetic":
      visitExpression(e.left, fn);
      visitExpression(e.right, fn);
      break;
    case "in":
      visitExpression(e.value, fn);
      e.list.forEach((x) => visitExpression(x, fn));
      break;
    case "match":
      visitExpression(e.value, fn);
      break;
    case "call":
      e.args.forEach((x) => visitExpression(x, fn));
      break;
    default:
  }
}

/** Every expression node of the query: conditions and join keys, in source order. */
export function visit(query: EqlQuery, fn: (e: Expression) => void): void {
  const { filters, keys } = expressions(query);
  for (const f of filters) visitExpression(f.condition, fn);
  for (const k of keys) visitExpression(k, fn);
}

/** Every field reference of the query, join keys included. */
export function fieldsOf(query: EqlQuery): FieldRef[] {
  const out: FieldRef[] = [];
  visit(query, (e) => {
    if (e.type === "field") out.push(e);
  });
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** Type errors, function misuse and lint findings of a parsed query. */
export function validate(query: EqlQuery, options: ValidateOptions = {}): EqlFinding[] {
  const findings: EqlFinding[] = [];
  const { catalog } = options;
  const categoryField = options.categoryField ?? "event.category";
  const fieldInfo = (name: string) => (catalog ? lookupField(catalog, name) : undefined);
  const typeOf = (e: Expression): EqlType => {
    switch (e.type) {
      case "literal":
        return e.kind === "string"
          ? "string"
          : e.kind === "null"
            ? "null"
            : e.kind === "boolean"
              ? "boolean"
              : "number";
      case "field":
        return typeOfField(fieldInfo(e.name));
      case "arithmetic":
      case "negate":
        return "number";
      case "call":
        return FUNCTIONS[functionNamed(e.name) ?? ""]?.returns ?? "unknown";
      default:
        return "boolean";
    }
  };
  const text = (e: Expression) => printExpression(e);
  const error = (span: Span, message: string, hint?: string) =>
    findings.push({ code: "DAC403", severity: "error", message, span, ...(hint ? { hint } : {}) });
  const warn = (code: string, span: Span, message: string, hint?: string) =>
    findings.push({ code, severity: "warning", message, span, ...(hint ? { hint } : {}) });

  const accepts = (want: Signature["args"][number], got: EqlType): boolean => {
    if (want === "any" || got === "unknown" || got === "null") return true;
    if (want === "string-like") return got === "string" || got === "text" || got === "ip" || got === "date";
    return want === got;
  };
  const typeName = (e: Expression): string => {
    if (e.type === "field") return fieldInfo(e.name)?.type ?? "unknown";
    if (e.type === "literal")
      return e.kind === "integer"
        ? "integer"
        : e.kind === "decimal"
          ? "double"
          : e.kind === "string"
            ? "keyword"
            : e.kind;
    return typeOf(e);
  };
  const wantName = (w: Signature["args"][number]) =>
    w === "string-like" ? "string" : w === "number" ? "numeric" : w;

  const checkCategoryValue = (value: string, span: Span) => {
    if (EVENT_CATEGORIES.length === 0 || EVENT_CATEGORIES.includes(value)) return;
    const close = EVENT_CATEGORIES.filter((c) => distance(c, value.toLowerCase()) <= 2);
    warn(
      "DAC430",
      span,
      `\`${value}\` is not an ECS event.category value${close.length ? `, did you mean ${close.map((c) => `\`${c}\``).join(" or ")}?` : ""}`,
      `ECS allows ${EVENT_CATEGORIES.join(", ")}; an event whose event.category is \`${value}\` does not follow ECS`,
    );
  };

  visit(query, (e) => {
    if (e.type === "call") {
      const canonical = functionNamed(e.name);
      const sig = canonical ? FUNCTIONS[canonical] : undefined;
      if (!sig) {
        const close = Object.keys(FUNCTIONS).filter(
          (f) => distance(f.toLowerCase(), e.name.toLowerCase()) <= 2,
        );
        // FunctionRegistry.resolveFunction: "Unknown function [{}]" with suggestions
        error(
          e.nameSpan,
          `Unknown function [${e.name}]${close.length ? `, did you mean ${close.length === 1 ? `[${close[0]}]` : `any of [${close.join(", ")}]`}?` : ""}`,
        );
        return;
      }
      if (e.insensitive && !sig.insensitive)
        error(e.nameSpan, `Function [${e.name}] has no case-insensitive form [${e.name}~]`);
      if (e.args.length < sig.min || e.args.length > sig.max) {
        const expects =
          sig.min === sig.max
            ? `exactly ${sig.min}`
            : sig.max === Infinity
              ? `at least ${sig.min}`
              : `${sig.min} to ${sig.max}`;
        error(
          e.span,
          `function [${e.name}] expects ${expects} argument${sig.max === 1 ? "" : "s"} but found [${e.args.length}]`,
        );
        return;
      }
      e.args.forEach((arg, i) => {
        const want = sig.args[Math.min(i, sig.args.length - 1)]!;
        const got = typeOf(arg);
        if (!accepts(want, got))
          // TypeResolutions.isType: "{ordinal} argument of [{fn}] must be [{type}], found value [{v}] type [{t}]"
          error(
            arg.span,
            `${ORDINALS[i] ?? `${i + 1}th`} argument of [${text(e)}] must be [${wantName(want)}], found value [${text(arg)}] type [${typeName(arg)}]`,
          );
      });
    } else if (e.type === "compare") {
      const l = typeOf(e.left);
      const r = typeOf(e.right);
      const stringy = (t: EqlType) => t === "string" || t === "text";
      if ((stringy(l) && r === "number") || (l === "number" && stringy(r) && e.right.type === "literal"))
        error(
          e.right.span,
          `second argument of [${text(e)}] must be [${l === "number" ? "numeric" : "string"}], found value [${text(e.right)}] type [${typeName(e.right)}]`,
        );
      if ((e.op === "==" || e.op === "!=") && e.left.type === "field" && l === "text")
        warn(
          "DAC431",
          e.span,
          `\`${e.left.name}\` is a text field: \`${e.op}\` compares the whole value, not its words`,
          "use `:` for a case-insensitive match or compare a keyword multi-field",
        );
      if (
        e.left.type === "field" &&
        e.left.name === "event.category" &&
        e.right.type === "literal" &&
        typeof e.right.value === "string"
      )
        checkCategoryValue(e.right.value, e.right.span);
    } else if (e.type === "arithmetic") {
      for (const [i, side] of [e.left, e.right].entries()) {
        const t = typeOf(side);
        if (!accepts("number", t))
          error(
            side.span,
            `${ORDINALS[i]} argument of [${text(e)}] must be [numeric], found value [${text(side)}] type [${typeName(side)}]`,
          );
      }
    } else if (e.type === "in") {
      if (e.value.type === "field" && e.value.name === "event.category")
        for (const item of e.list)
          if (item.type === "literal" && typeof item.value === "string")
            checkCategoryValue(item.value, item.span);
    } else if (e.type === "match") {
      const t = typeOf(e.value);
      if (t === "number" || t === "boolean")
        error(
          e.value.span,
          `first argument of [${text(e)}] must be [string], found value [${text(e.value)}] type [${typeName(e.value)}]`,
        );
      for (const p of e.patterns) {
        if (typeof p.value !== "string") {
          error(
            p.span,
            `second argument of [${text(e)}] must be [string], found value [${p.raw}] type [${typeName(p)}]`,
          );
          continue;
        }
        if ((e.op === "like" || e.op === "like~") && p.value.includes("%") && !p.value.includes("*"))
          warn(
            "DAC433",
            p.span,
            `\`%\` is not a wildcard in EQL: ${p.raw} matches a literal %`,
            "EQL's `like` and `:` use `*` (any characters) and `?` (one character)",
          );
        if (
          (e.op === ":" || e.op.startsWith("like")) &&
          p.value.startsWith("*") &&
          p.value.length > 1 &&
          e.value.type === "field"
        ) {
          const info = fieldInfo(e.value.name);
          // "Big" fields: text, or keywords without ignore_above (their values are unbounded): a leading wildcard
          // scans every term. Wildcard-typed fields (process.command_line) are built for it.
          if (
            info &&
            (typeOfField(info) === "text" || (info.type === "keyword" && info.ignoreAbove === undefined))
          )
            warn(
              "DAC414",
              p.span,
              `leading wildcard ${p.raw} on \`${e.value.name}\` (${info.type}${info.ignoreAbove === undefined ? ", no ignore_above" : ""}) scans every term`,
              "anchor the pattern, or query a wildcard-typed field",
            );
        }
      }
      if (e.value.type === "field" && e.value.name === "event.category")
        for (const p of e.patterns)
          if (typeof p.value === "string" && !/[*?]/.test(p.value))
            checkCategoryValue(p.value.toLowerCase(), p.span);
    }
  });

  const { filters } = expressions(query);
  if (categoryField === "event.category")
    for (const f of filters) if (f.category !== null) checkCategoryValue(f.category, f.categorySpan);

  if (query.body.type === "sequence" && !query.body.maxspan)
    warn(
      "DAC432",
      { start: query.body.span.start, end: query.body.span.start + "sequence".length },
      "sequence without maxspan: its steps may be any time apart within the rule's lookback",
      "add `with maxspan=...` after the sequence's `by` keys",
    );
  return findings.sort((a, b) => a.span.start - b.span.start);
}
