/**
 * A rule's `filters` (Kibana filter objects, as exported rules carry them) in memory. Kibana adds each enabled
 * filter's query to the rule's search, under `filter`, or under `must_not` when `meta.negate`
 * (`buildQueryFromFilters` in `@kbn/es-query`, called by `getQueryFilter`, `rule_types/utils/get_query_filter.ts`);
 * a filter's query is its `query` property, else the filter itself without `meta` and `$state` (older `exists`
 * and `range` filters).
 *
 * Each leaf query becomes the KQL clause that sends the same Elasticsearch query, and is compiled on the same
 * field catalogue as the rule's query, so values mean the same: `match_phrase` → `f: "v"`, `match` → `f: v`,
 * `term`/`terms` on non-text fields → `f: "v"` (Kibana's KQL sends `term` for keyword fields and `match_phrase`
 * on other exact-value fields, which agree), `exists` → `f: *`, `range` → `f >= a and f < b`, `prefix` and
 * `wildcard` on keyword fields → `f: v*`, `bool` → and/or/not, `match_all` → everything. Anything else (a script,
 * `query_string`, `nested`, `term` on a text field, …) is refused with the reason: never silently skipped.
 */
import type { FieldCatalog } from "@dac/fields";
import { lookupField } from "@dac/fields";
import { compile, KqlEvaluationError, KqlSyntaxError, parse } from "@dac/kql";
import { isObject } from "./document.js";

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterError";
  }
}

export interface RuleFilter {
  /** Position in the rule's `filters`, from 0. */
  index: number;
  negate: boolean;
  /** The filter's query as KQL (shown in explanations). */
  kql: string;
}

/** The enabled filters of a rule, each as KQL. Throws `FilterError` naming the filter and what is unsupported. */
export function ruleFilters(filters: unknown, catalog: FieldCatalog): RuleFilter[] {
  if (filters === undefined || filters === null) return [];
  if (!Array.isArray(filters)) throw new FilterError("`filters` is not a list");
  const out: RuleFilter[] = [];
  filters.forEach((filter, index) => {
    if (!isObject(filter)) throw new FilterError(`filter ${index + 1} is not an object`);
    const meta = isObject(filter.meta) ? filter.meta : {};
    if (meta.disabled === true) return;
    const query = isObject(filter.query) ? filter.query : withoutMeta(filter);
    try {
      out.push({ index, negate: meta.negate === true, kql: toKql(query, catalog) });
    } catch (error) {
      if (error instanceof FilterError)
        throw new FilterError(`filter ${index + 1} cannot be evaluated in memory: ${error.message}`);
      throw error;
    }
  });
  return out;
}

export interface CompiledFilters {
  filters: RuleFilter[];
  /** Undefined when every filter lets the event through; else the first one that does not. */
  rejects(event: object): RuleFilter | undefined;
}

export function compileFilters(filters: unknown, catalog: FieldCatalog, now?: Date): CompiledFilters {
  const list = ruleFilters(filters, catalog);
  const tests = list.map((f) => {
    try {
      return compile(parse(f.kql, { allowLeadingWildcards: true }), {
        catalog,
        ...(now ? { now: () => now } : {}),
      });
    } catch (error) {
      if (error instanceof KqlSyntaxError || error instanceof KqlEvaluationError)
        throw new FilterError(`filter ${f.index + 1} (${f.kql}): ${error.message}`);
      throw error;
    }
  });
  return {
    filters: list,
    rejects(event) {
      for (let i = 0; i < list.length; i++) {
        let matched: boolean;
        try {
          matched = tests[i]!(event);
        } catch (error) {
          if (!(error instanceof KqlEvaluationError)) throw error;
          matched = false;
        }
        if (matched === list[i]!.negate) return list[i];
      }
      return undefined;
    },
  };
}

function withoutMeta(filter: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, $state: _state, ...rest } = filter;
  return rest;
}

/** One DSL query as a KQL clause (parenthesised). */
export function toKql(query: unknown, catalog: FieldCatalog): string {
  if (!isObject(query)) throw new FilterError("a query is not an object");
  const keys = Object.keys(query);
  if (keys.length !== 1)
    throw new FilterError(`a query has ${keys.length} keys (${keys.join(", ")}), not one`);
  const kind = keys[0]!;
  const body = query[kind];
  switch (kind) {
    case "match_all":
      return "(*)";
    case "bool":
      return boolKql(body, catalog);
    case "exists": {
      if (!isObject(body) || typeof body.field !== "string")
        throw new FilterError("`exists` without a field");
      return `(${field(body.field)}: *)`;
    }
    case "match_phrase":
    case "match":
    case "term": {
      const [name, raw] = single(kind, body);
      const value = isObject(raw) ? (raw.query ?? raw.value) : raw;
      if (isObject(raw) && Object.keys(raw).some((k) => k !== "query" && k !== "value"))
        throw new FilterError(`\`${kind}\` options (${Object.keys(raw).join(", ")}) are not supported`);
      if (!isScalar(value)) throw new FilterError(`\`${kind}\` on ${name} has no value`);
      if (kind === "term") refuseText(name, kind, catalog);
      if (kind === "match") return `(${field(name)}: ${unquoted(String(value))})`;
      return `(${field(name)}: ${quoted(String(value))})`;
    }
    case "terms": {
      if (!isObject(body)) throw new FilterError("`terms` is not an object");
      const entries = Object.entries(body).filter(([k]) => k !== "boost");
      if (entries.length !== 1 || !Array.isArray(entries[0]![1]))
        throw new FilterError("`terms` needs one field with a list of values");
      const [name, values] = entries[0] as [string, unknown[]];
      refuseText(name, kind, catalog);
      if (values.length === 0) return "(not *)";
      if (!values.every(isScalar))
        throw new FilterError(`\`terms\` on ${name} has a value that is not a scalar`);
      return `(${field(name)}: (${values.map((v) => quoted(String(v))).join(" or ")}))`;
    }
    case "range": {
      const [name, raw] = single(kind, body);
      if (!isObject(raw)) throw new FilterError(`\`range\` on ${name} has no bounds`);
      const parts: string[] = [];
      for (const [op, v] of Object.entries(raw)) {
        const sign = { gte: ">=", gt: ">", lte: "<=", lt: "<" }[op];
        if (op === "format" && v === "strict_date_optional_time") continue;
        if (!sign) throw new FilterError(`\`range\` option \`${op}\` is not supported`);
        if (v === null || v === undefined) continue;
        if (!isScalar(v)) throw new FilterError(`\`range\` bound ${op} on ${name} is not a scalar`);
        parts.push(`${field(name)} ${sign} ${quoted(String(v))}`);
      }
      return parts.length === 0 ? `(${field(name)}: *)` : `(${parts.join(" and ")})`;
    }
    case "prefix":
    case "wildcard": {
      const [name, raw] = single(kind, body);
      const value = isObject(raw) ? (raw.value ?? raw.wildcard) : raw;
      if (isObject(raw) && Object.keys(raw).some((k) => k !== "value" && k !== "wildcard"))
        throw new FilterError(`\`${kind}\` options (${Object.keys(raw).join(", ")}) are not supported`);
      if (typeof value !== "string") throw new FilterError(`\`${kind}\` on ${name} has no string value`);
      const info = lookupField(catalog, name);
      if (info && info.type !== "keyword" && info.type !== "constant_keyword" && info.type !== "wildcard")
        throw new FilterError(`\`${kind}\` on ${name} (${info.type}) is only evaluated on keyword fields`);
      if (kind === "prefix") return `(${field(name)}: ${unquoted(value)}*)`;
      if (value.includes("?")) throw new FilterError("`wildcard` with `?` has no KQL equivalent");
      return `(${field(name)}: ${value.split("*").map(unquoted).join("*")})`;
    }
    default:
      throw new FilterError(
        `\`${kind}\` queries are not supported (supported: bool, term, terms, match, match_phrase, range, exists, prefix, wildcard, match_all)`,
      );
  }
}

function boolKql(body: unknown, catalog: FieldCatalog): string {
  if (!isObject(body)) throw new FilterError("`bool` is not an object");
  const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const allowed = new Set(["must", "filter", "should", "must_not", "minimum_should_match", "boost"]);
  for (const k of Object.keys(body))
    if (!allowed.has(k)) throw new FilterError(`\`bool\` option \`${k}\` is not supported`);
  const must = [...list(body.must), ...list(body.filter)].map((q) => toKql(q, catalog));
  const should = list(body.should).map((q) => toKql(q, catalog));
  const mustNot = list(body.must_not).map((q) => `not ${toKql(q, catalog)}`);
  // Elasticsearch: with no must/filter, at least one should clause must match; otherwise should is optional.
  const msm = body.minimum_should_match ?? (must.length === 0 && mustNot.length === 0 ? 1 : 0);
  if (msm !== 0 && msm !== 1 && msm !== "1" && msm !== "0")
    throw new FilterError(`\`minimum_should_match: ${String(msm)}\` is not supported (only 0 or 1)`);
  const parts = [...must, ...mustNot];
  if (should.length > 0 && (msm === 1 || msm === "1")) parts.push(`(${should.join(" or ")})`);
  return parts.length === 0 ? "(*)" : `(${parts.join(" and ")})`;
}

function single(kind: string, body: unknown): [string, unknown] {
  if (!isObject(body)) throw new FilterError(`\`${kind}\` is not an object`);
  const entries = Object.entries(body);
  if (entries.length !== 1) throw new FilterError(`\`${kind}\` must name exactly one field`);
  return entries[0]!;
}

function refuseText(name: string, kind: string, catalog: FieldCatalog): void {
  const info = lookupField(catalog, name);
  if (info && (info.type === "text" || info.type === "match_only_text"))
    throw new FilterError(
      `\`${kind}\` on the ${info.type} field ${name} compares unanalysed terms: not evaluated in memory`,
    );
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function field(name: string): string {
  return name.replace(/([\\():<>"*{}\s])/g, "\\$1");
}

function quoted(value: string): string {
  return `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

/** An unquoted KQL value: special characters and the keywords escaped. */
function unquoted(value: string): string {
  if (value === "") return '""';
  const escaped = value.replace(/([\\():<>"*{}])/g, "\\$1");
  return escaped
    .split(/(\s+)/)
    .map((w) => (/^(and|or|not)$/i.test(w) ? `\\${w}` : w))
    .join("");
}
