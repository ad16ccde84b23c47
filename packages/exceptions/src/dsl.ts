/**
 * The query Kibana's detection engine adds to a rule's search for its exceptions. It follows
 * `buildExceptionFilter` (Kibana: x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/
 * rule_types/utils/build_exception_filter.ts, earlier packages/kbn-securitysolution-list-utils/src/
 * build_exception_filter/index.ts): a filter with `negate: true`, which buildEsQuery puts in the search's
 * `must_not`, whose query is a `bool.should` of one clause per item (in chunks of 1,024 items, each its own
 * `bool.should`). An item is one clause, or `bool.filter` of its entries; with `os_types`, one `bool.filter` per OS
 * and OS field (`host.os.type`, `host.os.name.caseless`) with the entries. An entry is `match_phrase` (match),
 * a `bool.should` of `match_phrase` (match_any), `wildcard`, `exists`, a `nested` query, or for a value list
 * `terms` (ip_range: `range` per first-last range and `terms` of the CIDR blocks; text: `match` with
 * `operator: and` per value); `excluded` wraps the clause in `bool.must_not`.
 */
import type { ExceptionEntry, ExceptionItem, RuleExceptionItem, ValueList } from "./types.js";
import { isExpired } from "./evaluate.js";

export type QueryDsl = Record<string, unknown>;

/** Kibana's chunk size for the detection engine (`getQueryFilter`, chunkSize 1024). */
export const EXCEPTION_CHUNK_SIZE = 1024;

/**
 * The clause that matches the events the exceptions remove, or undefined when there are none (expired items are
 * left out, as Kibana does). The rule's search puts it in `bool.must_not`.
 */
export function exceptionsQuery(
  items: readonly (RuleExceptionItem | ExceptionItem)[],
  valueLists: Readonly<Record<string, ValueList>>,
  options: { now?: Date; chunkSize?: number } = {},
): QueryDsl | undefined {
  const now = options.now ?? new Date();
  const chunkSize = options.chunkSize ?? EXCEPTION_CHUNK_SIZE;
  const live = items.map((e) => ("item" in e ? e.item : e)).filter((item) => !isExpired(item, now));
  if (live.length === 0) return undefined;
  const orClauses = (chunk: ExceptionItem[]) => chunk.flatMap((item) => itemClauses(item, valueLists));
  if (live.length <= chunkSize) return { bool: { should: orClauses(live) } };
  const chunks: ExceptionItem[][] = [];
  for (let i = 0; i < live.length; i += chunkSize) chunks.push(live.slice(i, i + chunkSize));
  return { bool: { should: chunks.map((chunk) => ({ bool: { should: orClauses(chunk) } })) } };
}

/** `query` with the exceptions applied: `bool.filter` of the query and `bool.must_not` of the exceptions. */
export function withExceptions(
  query: QueryDsl,
  items: readonly (RuleExceptionItem | ExceptionItem)[],
  valueLists: Readonly<Record<string, ValueList>>,
  options: { now?: Date } = {},
): QueryDsl {
  const exceptions = exceptionsQuery(items, valueLists, options);
  return exceptions ? { bool: { filter: [query], must_not: [exceptions] } } : query;
}

function itemClauses(item: ExceptionItem, valueLists: Readonly<Record<string, ValueList>>): QueryDsl[] {
  const clauses = (entries: readonly ExceptionEntry[]) => entries.map((e) => entryClause(e, valueLists));
  if (item.os_types?.length) {
    return ["host.os.type", "host.os.name.caseless"].flatMap((field) =>
      item.os_types!.map((os) => ({
        bool: {
          filter: clauses([{ type: "match", field, operator: "included", value: os }, ...item.entries]),
        },
      })),
    );
  }
  if (item.entries.length === 1) return clauses(item.entries);
  return [{ bool: { filter: clauses(item.entries) } }];
}

const excludedIf = (operator: "included" | "excluded", clause: QueryDsl): QueryDsl =>
  operator === "excluded" ? { bool: { must_not: clause } } : clause;

const phrase = (field: string, value: string): QueryDsl => ({
  bool: { minimum_should_match: 1, should: [{ match_phrase: { [field]: value } }] },
});

function entryClause(
  entry: ExceptionEntry,
  valueLists: Readonly<Record<string, ValueList>>,
  parent?: string,
): QueryDsl {
  if (entry.type === "nested") {
    const inner = entry.entries.map((e) => entryClause(e, valueLists, entry.field));
    return {
      nested: {
        path: entry.field,
        query: inner.length === 1 ? inner[0]! : { bool: { filter: inner } },
        score_mode: "none",
      },
    };
  }
  const field = parent === undefined ? entry.field : `${parent}.${entry.field}`;
  switch (entry.type) {
    case "match":
      return excludedIf(entry.operator, phrase(field, entry.value));
    case "match_any":
      return excludedIf(
        entry.operator,
        entry.value.length === 1
          ? phrase(field, entry.value[0]!)
          : { bool: { minimum_should_match: 1, should: entry.value.map((v) => phrase(field, v)) } },
      );
    case "wildcard":
      return excludedIf(entry.operator, { bool: { filter: { wildcard: { [field]: entry.value } } } });
    case "exists":
      return excludedIf(entry.operator, {
        bool: { minimum_should_match: 1, should: [{ exists: { field } }] },
      });
    case "list":
      return listClause(field, entry.operator, valueLists[entry.list.id]);
  }
}

function listClause(field: string, operator: "included" | "excluded", list: ValueList | undefined): QueryDsl {
  const values = list?.values ?? [];
  const key = operator === "excluded" ? "must_not" : "should";
  if (list?.type === "ip_range") {
    const ranges = values.filter((v) => v.includes("-"));
    const blocks = values.filter((v) => !v.includes("-"));
    const clauses: QueryDsl[] = ranges.map((r) => {
      const [gte, lte] = r.split("-").map((s) => s.trim());
      return { range: { [field]: { gte, lte } } };
    });
    if (blocks.length > 0) clauses.push({ terms: { [field]: blocks } });
    return { bool: { [key]: clauses, minimum_should_match: 1 } };
  }
  if (list?.type === "text") {
    return {
      bool: {
        [key]: values.map((v) => ({ match: { [field]: { query: v, operator: "and" } } })),
        minimum_should_match: 1,
      },
    };
  }
  return { bool: { [operator === "excluded" ? "must_not" : "filter"]: { terms: { [field]: values } } } };
}
