/**
 * Test support only: a stand-in for an Elasticsearch node that answers the calls the engine makes for a query
 * rule (create, bulk, refresh, field_caps, search, delete) from memory, and records every search body. Its query
 * evaluator knows the few DSL clauses that KQL on keyword fields and the exception clause of dsl.ts produce
 * (bool, ids, term, terms, match, match_phrase, wildcard, exists, range on ISO dates) with keyword semantics; any
 * other clause throws, so a test never passes on a clause it does not understand. It checks the engine's wiring
 * (which search carries which filter, how its answers are read), not Elasticsearch: the node-gated tests do that.
 */
import type { Client } from "@elastic/elasticsearch";

type Doc = Record<string, unknown>;
type Query = Record<string, unknown>;

function values(doc: Doc, field: string): unknown[] {
  const walk = (value: unknown, path: string[]): unknown[] => {
    if (path.length === 0)
      return Array.isArray(value) ? value.flat(Infinity) : value === undefined ? [] : [value];
    if (Array.isArray(value)) return value.flatMap((v) => walk(v, path));
    if (value === null || typeof value !== "object") return [];
    const obj = value as Doc;
    // Dotted keys and nested objects both hold a path.
    const out: unknown[] = [];
    for (let k = 1; k <= path.length; k++) {
      const key = path.slice(0, k).join(".");
      if (key in obj) out.push(...walk(obj[key], path.slice(k)));
    }
    return out;
  };
  return walk(doc, field.split(".")).filter((v) => v !== null);
}

/** A wildcard query's pattern: `*`, `?`, and `\\` escaping the next character. */
function glob(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}

function single(clause: unknown): [string, unknown] {
  const [field, value] = Object.entries(clause as Record<string, unknown>)[0]!;
  return [field, value !== null && typeof value === "object" && !Array.isArray(value) ? value : { value }];
}

/** `ignoreMustNot`: a broken node that drops every `must_not` (to show that the harness notices). */
export function matches(query: Query, doc: Doc, id: string, ignoreMustNot = false): boolean {
  const [kind, body] = Object.entries(query)[0] ?? ["match_all", {}];
  const list = (v: unknown): Query[] =>
    v === undefined ? [] : Array.isArray(v) ? (v as Query[]) : [v as Query];
  switch (kind) {
    case "match_all":
      return true;
    case "bool": {
      const b = body as Record<string, unknown>;
      const all = [...list(b.filter), ...list(b.must)].every((q) => matches(q, doc, id, ignoreMustNot));
      const none = ignoreMustNot || list(b.must_not).every((q) => !matches(q, doc, id, ignoreMustNot));
      const should = list(b.should);
      const min =
        typeof b.minimum_should_match === "number"
          ? b.minimum_should_match
          : should.length > 0 && list(b.filter).length + list(b.must).length === 0
            ? 1
            : 0;
      return all && none && should.filter((q) => matches(q, doc, id, ignoreMustNot)).length >= min;
    }
    case "ids":
      return ((body as { values: string[] }).values ?? []).includes(id);
    case "term":
    case "match":
    case "match_phrase": {
      const [field, spec] = single(body);
      const s = spec as { value?: unknown; query?: unknown };
      const want = String(s.value ?? s.query);
      return values(doc, field).some((v) => String(v) === want);
    }
    case "terms": {
      const [field, want] = Object.entries(body as Record<string, unknown[]>)[0]!;
      return values(doc, field).some((v) => want.map(String).includes(String(v)));
    }
    case "wildcard": {
      const [field, spec] = single(body);
      const re = glob(String((spec as { value: unknown }).value));
      return values(doc, field).some((v) => re.test(String(v)));
    }
    case "exists":
      return values(doc, (body as { field: string }).field).length > 0;
    case "range": {
      const [field, spec] = single(body);
      const r = spec as { gte?: string; lte?: string; gt?: string; lt?: string };
      return values(doc, field).some((v) => {
        const t = Date.parse(String(v));
        if (Number.isNaN(t)) return false;
        return (
          (r.gte === undefined || t >= Date.parse(r.gte)) &&
          (r.lte === undefined || t <= Date.parse(r.lte)) &&
          (r.gt === undefined || t > Date.parse(r.gt)) &&
          (r.lt === undefined || t < Date.parse(r.lt))
        );
      });
    }
    default:
      throw new Error(`the fake node does not know the ${kind} query`);
  }
}

function fieldCaps(properties: Record<string, unknown>, prefix = ""): Record<string, Record<string, object>> {
  const out: Record<string, Record<string, object>> = {};
  for (const [name, spec] of Object.entries(properties)) {
    const s = spec as { type?: string; properties?: Record<string, unknown> };
    const full = `${prefix}${name}`;
    if (s.properties) Object.assign(out, fieldCaps(s.properties, `${full}.`));
    else out[full] = { [s.type ?? "object"]: { type: s.type, searchable: true, aggregatable: true } };
  }
  return out;
}

export interface FakeNode {
  client: Client;
  /** Every search body, in order. */
  searches: { query: Query }[];
}

export function fakeNode(options: { ignoreMustNot?: boolean } = {}): FakeNode {
  const indices = new Map<string, { docs: Map<string, Doc>; properties: Record<string, unknown> }>();
  const searches: { query: Query }[] = [];
  const client = {
    indices: {
      create: (r: { index: string; mappings?: { properties?: Record<string, unknown> } }) => {
        indices.set(r.index, { docs: new Map(), properties: r.mappings?.properties ?? {} });
        return Promise.resolve({ acknowledged: true });
      },
      delete: (r: { index: string }) => {
        for (const name of r.index.split(",")) indices.delete(name);
        return Promise.resolve({ acknowledged: true });
      },
      refresh: () => Promise.resolve({}),
    },
    bulk: (r: { operations: unknown[] }) => {
      for (let i = 0; i < r.operations.length; i += 2) {
        const op = (r.operations[i] as { index: { _index: string; _id: string } }).index;
        indices.get(op._index)!.docs.set(op._id, r.operations[i + 1] as Doc);
      }
      return Promise.resolve({ errors: false, items: [] });
    },
    fieldCaps: (r: { index: string }) =>
      Promise.resolve({ indices: [r.index], fields: fieldCaps(indices.get(r.index)?.properties ?? {}) }),
    search: (r: { index: string | string[]; query: Query; size?: number; from?: number }) => {
      searches.push({ query: r.query });
      const names = Array.isArray(r.index) ? r.index : [r.index];
      const hits = names.flatMap((name) =>
        [...(indices.get(name)?.docs ?? new Map<string, Doc>())]
          .filter(([id, doc]) => matches(r.query, doc, id, options.ignoreMustNot))
          .map(([id, doc]) => ({ _id: id, _index: name, _source: doc, doc })),
      );
      // Kibana's sort: ascending @timestamp.
      hits.sort((a, b) => String(a.doc["@timestamp"]).localeCompare(String(b.doc["@timestamp"])));
      const page = hits.slice(r.from ?? 0, (r.from ?? 0) + (r.size ?? 10));
      return Promise.resolve({
        hits: {
          total: { value: hits.length, relation: "eq" },
          hits: page.map(({ _id, _index, _source }) => ({ _id, _index, _source })),
        },
      });
    },
    cat: { indices: () => Promise.resolve([...indices.keys()].map((index) => ({ index }))) },
  };
  return { client: client as unknown as Client, searches };
}
