/**
 * KQL → Elasticsearch query DSL, exactly as Kibana builds it (`@kbn/es-query` kuery functions, `buildEsQuery`),
 * and as the Security detection engine sends it for a rule query (`get_query_filter.ts`: no field list by
 * default, `dateFormatTZ: 'Zulu'`, leading wildcards allowed).
 *
 * Key order follows Kibana's object literals, so `JSON.stringify` output compares byte for byte.
 */
import type { FieldNode, IsNode, KqlNode, RangeNode, ValueNode } from "./ast.js";
import { parse } from "./parser.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type DslQuery = { [key: string]: JsonValue };

/** Kibana's `DataViewFieldBase` subset that the translation reads. */
export interface DslField {
  name: string;
  /** Kibana field type (`string`, `number`, `date`, ...). Only `date` changes the DSL. */
  type: string;
  /** Elasticsearch types; exactly `["keyword"]` selects `term`/`wildcard` queries. */
  esTypes?: string[];
  subType?: { nested?: { path: string }; multi?: { parent: string } };
}

export interface DslOptions {
  /** The data view's fields. Detection rules send none, so by default every comparison is `match`/`query_string`. */
  fields?: DslField[];
  /** Adds `case_insensitive` to `term`/`wildcard` queries on keyword fields. */
  caseInsensitive?: boolean;
  /** Time zone for date fields. Default `Zulu` (the detection engine's); `Browser` means this machine's; "" none. */
  dateFormatTZ?: string;
  /** Adds `ignore_unmapped` to nested queries. */
  nestedIgnoreUnmapped?: boolean;
  /** `and` → `bool.must` instead of `bool.filter`. */
  filtersInMustClause?: boolean;
  /** Parse option when the query is given as a string. Default true, as for detection rules. */
  allowLeadingWildcards?: boolean;
}

export interface RuleQueryDsl {
  bool: { must: DslQuery[]; filter: DslQuery[]; should: DslQuery[]; must_not: DslQuery[] };
}

/** A query Kibana refuses to translate (a nested field outside its nested group, and the like). */
export class KqlDslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KqlDslError";
  }
}

/**
 * The query DSL Kibana's detection engine builds for a rule with this KQL query:
 * `{"bool":{"must":[],"filter":[<query>],"should":[],"must_not":[]}}`, with `match_all` removed.
 */
export function toDsl(query: string | KqlNode, options: DslOptions = {}): RuleQueryDsl {
  const inner = toKibanaQueryDsl(query, options);
  const bool: RuleQueryDsl["bool"] = { must: [], filter: [], should: [], must_not: [] };
  // `buildQueryFromKuery` wraps the query in `and([ast])`; `buildEsQuery` then drops `{match_all:{}}`.
  if (!isMatchAll(inner)) bool[options.filtersInMustClause ? "must" : "filter"].push(inner);
  return { bool };
}

/** Kibana's `toElasticsearchQuery(ast, dataView, config)`: the query itself, without the rule wrapper. */
export function toKibanaQueryDsl(query: string | KqlNode, options: DslOptions = {}): DslQuery {
  const ast =
    typeof query === "string"
      ? parse(query, { allowLeadingWildcards: options.allowLeadingWildcards })
      : query;
  return translate(ast, resolveConfig(options), null);
}

interface Config {
  fields: DslField[] | null;
  caseInsensitive: boolean | undefined;
  timeZone: string | null;
  nestedIgnoreUnmapped: boolean | undefined;
  filtersInMustClause: boolean;
}

function resolveConfig(options: DslOptions): Config {
  const tz = options.dateFormatTZ ?? "Zulu";
  return {
    fields: options.fields ?? null,
    caseInsensitive: options.caseInsensitive,
    timeZone: tz === "" ? null : tz === "Browser" ? Intl.DateTimeFormat().resolvedOptions().timeZone : tz,
    nestedIgnoreUnmapped: options.nestedIgnoreUnmapped,
    filtersInMustClause: options.filtersInMustClause ?? false,
  };
}

function isMatchAll(query: DslQuery): boolean {
  const keys = Object.keys(query);
  if (keys.length !== 1 || keys[0] !== "match_all") return false;
  const body = query.match_all;
  return typeof body === "object" && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
}

function translate(node: KqlNode, config: Config, nestedPath: string | null): DslQuery {
  switch (node.type) {
    case "and":
      return {
        bool: {
          [config.filtersInMustClause ? "must" : "filter"]: node.children.map((c) =>
            translate(c, config, nestedPath),
          ),
        },
      };
    case "or":
      return {
        bool: { should: node.children.map((c) => translate(c, config, nestedPath)), minimum_should_match: 1 },
      };
    case "not":
      return { bool: { must_not: translate(node.child, config, nestedPath) } };
    case "matchAll":
      return { match_all: {} };
    case "nested":
      return translateNested(node.path, node.child, config, nestedPath);
    case "is":
      return translateIs(node, config, nestedPath);
    case "range":
      return translateRange(node, config, nestedPath);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Field names as Kibana sees them: a literal's value (unquoted true/false/null are JSON values) or a wildcard.

interface KibanaName {
  /** The literal value, or the name with `*` for a wildcard. */
  value: string | boolean | null;
  /** Literal pieces around each `*` for a wildcard name. */
  wildcard: string[] | null;
}

function literalName(field: FieldNode | null): KibanaName {
  if (field === null) return { value: null, wildcard: null };
  if (field.wildcard !== null) return { value: field.wildcard.join("*"), wildcard: field.wildcard };
  if (!field.quoted) {
    if (field.name === "null") return { value: null, wildcard: null };
    if (field.name === "true" || field.name === "false")
      return { value: field.name === "true", wildcard: null };
  }
  return { value: field.name, wildcard: null };
}

/** `getFullFieldNameNode`: prefix the nested path (even onto a missing field, giving `path.null`) and check nesting. */
function fullName(field: FieldNode | null, config: Config, nestedPath: string | null): KibanaName {
  const root = literalName(field);
  const name: KibanaName =
    nestedPath === null
      ? root
      : {
          value: `${nestedPath}.${String(root.value)}`,
          wildcard: root.wildcard && [`${nestedPath}.${root.wildcard[0]}`, ...root.wildcard.slice(1)],
        };
  if (config.fields === null || (name.wildcard !== null && nestedPath === null)) return name;
  const errors: string[] = [];
  for (const f of matchingFields(name, config.fields)) {
    const fieldPath = f.subType?.nested?.path || undefined;
    if (nestedPath !== null && !fieldPath) {
      errors.push(
        `${f.name} is not a nested field but is in nested group "${nestedPath}" in the KQL expression.`,
      );
    } else if (fieldPath && nestedPath === null) {
      errors.push(`${f.name} is a nested field, but is not in a nested group in the KQL expression.`);
    } else if (fieldPath !== (nestedPath ?? undefined)) {
      errors.push(
        `Nested field ${f.name} is being queried with the incorrect nested path. The correct path is ${fieldPath}.`,
      );
    }
  }
  if (errors.length > 0) throw new KqlDslError(errors.join("\n"));
  return name;
}

/** `getFields`: the exact field for a literal name, every matching field for a wildcard name. */
function matchingFields(name: KibanaName, fields: DslField[] | null): DslField[] {
  if (fields === null) return [];
  if (name.wildcard === null) {
    const found = fields.find((f) => f.name === name.value);
    return found ? [found] : [];
  }
  const pattern = new RegExp(`^${name.wildcard.map(escapeRegExp).join("[\\s\\S]*")}$`);
  return fields.filter((f) => pattern.test(f.name));
}

/** A field a clause applies to. `raw` keeps an unquoted true/false name as the JSON value Kibana writes. */
type Target = DslField & { raw?: JsonValue };

/** The fields a clause applies to; with none found, the name goes through as written. */
function resolveFields(name: KibanaName, config: Config): Target[] {
  const found = matchingFields(name, config.fields);
  return found.length > 0 ? found : [{ name: String(name.value), type: "", raw: name.value }];
}

function rawName(field: Target): JsonValue {
  return field.raw === undefined ? field.name : field.raw;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Kibana's query_string escaping of a wildcard value: reserved characters escaped, spaces left alone. */
export function toQueryStringQuery(parts: string[]): string {
  return parts.map((part) => part.replace(/[+\-=&|><!(){}[\]^"~*?:\\/]/g, "\\$&")).join("*");
}

function isKeyword(field: DslField): boolean {
  return field.esTypes?.length === 1 && field.esTypes[0] === "keyword";
}

/** Auto-nesting: a wildcard field name that matched a field inside a nested object, outside any nested group. */
function wrapNested(
  query: DslQuery,
  field: DslField,
  name: KibanaName,
  config: Config,
  nestedPath: string | null,
) {
  const path = field.subType?.nested?.path;
  if (name.wildcard === null || !path || nestedPath !== null) return query;
  return nestedQuery(path, query, config);
}

function nestedQuery(path: string | boolean | null, query: DslQuery, config: Config): DslQuery {
  const body: DslQuery = { path, query, score_mode: "none" };
  if (typeof config.nestedIgnoreUnmapped === "boolean") body.ignore_unmapped = config.nestedIgnoreUnmapped;
  return { nested: body };
}

function withCaseInsensitive(body: DslQuery, config: Config): DslQuery {
  if (typeof config.caseInsensitive === "boolean") body.case_insensitive = config.caseInsensitive;
  return body;
}

function timeZoneFor(value: JsonValue, config: Config): DslQuery {
  const epoch = typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value));
  return config.timeZone !== null && !epoch ? { time_zone: config.timeZone } : {};
}

function isLone(value: ValueNode): boolean {
  return (
    value.type === "wildcard" && value.parts.length === 2 && value.parts[0] === "" && value.parts[1] === ""
  );
}

function translateNested(
  path: FieldNode,
  child: KqlNode,
  config: Config,
  nestedPath: string | null,
): DslQuery {
  const own = literalName(path).value;
  const full = nestedPath === null ? own : `${nestedPath}.${String(own)}`;
  return nestedQuery(full, translate(child, config, String(full)), config);
}

function translateIs(node: IsNode, config: Config, nestedPath: string | null): DslQuery {
  const { value } = node;
  const name = fullName(node.field, config, nestedPath);
  const plain: JsonValue = value.type === "wildcard" ? value.parts.join("*") : value.value;
  if (name.value === null) {
    if (value.type === "wildcard") return { query_string: { query: toQueryStringQuery(value.parts) } };
    return { multi_match: { type: value.quoted ? "phrase" : "best_fields", query: plain, lenient: true } };
  }
  const should = resolveFields(name, config).map((field): DslQuery => {
    let query: DslQuery;
    if (isLone(value)) {
      query = { exists: { field: rawName(field) } };
    } else if (value.type === "wildcard") {
      const pattern = toQueryStringQuery(value.parts);
      query = isKeyword(field)
        ? { wildcard: { [field.name]: withCaseInsensitive({ value: pattern }, config) } }
        : { query_string: { fields: [rawName(field)], query: pattern } };
    } else if (field.type === "date") {
      query = { range: { [field.name]: { gte: plain, lte: plain, ...timeZoneFor(plain, config) } } };
    } else if (isKeyword(field)) {
      query = { term: { [field.name]: withCaseInsensitive({ value: plain }, config) } };
    } else {
      query = { [value.quoted ? "match_phrase" : "match"]: { [field.name]: plain } };
    }
    return wrapNested(query, field, name, config, nestedPath);
  });
  return { bool: { should, minimum_should_match: 1 } };
}

function translateRange(node: RangeNode, config: Config, nestedPath: string | null): DslQuery {
  const name = fullName(node.field, config, nestedPath);
  const value = node.value.value;
  const should = resolveFields(name, config).map((field): DslQuery => {
    const params: DslQuery = { [node.operator]: value };
    const body = field.type === "date" ? { ...params, ...timeZoneFor(value, config) } : params;
    return wrapNested({ range: { [field.name]: body } }, field, name, config, nestedPath);
  });
  return { bool: { should, minimum_should_match: 1 } };
}
