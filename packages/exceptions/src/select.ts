/**
 * Which items are worth testing against an event. A rule with a thousand items would otherwise test each item on
 * each event; most items pin one field to a few values (`user.name` is `svc-backup`), so an index from those values
 * to the items, probed with the event's own values of the field, leaves only the items that can hold.
 *
 * The index is a necessary condition only: every item it selects is still tested in full, so it never changes
 * what is removed. An item is indexed by one `included` entry whose values can be compared as keys: `match`,
 * `match_any` or a `list` on a plain keyword or ip field (top-level or inside `nested`: a value of an object at
 * the nested path is a value of the full path too), or a `wildcard` by the literal text its pattern starts with.
 * Items without such an entry are tested on every event.
 */
import {
  compileWalker,
  ipFromDocument,
  ipTermRange,
  keywordFromDocument,
  resolveField,
  typeClass,
} from "@dac/fields";
import type { FieldCatalog } from "@dac/fields";
import type { ExceptionEntry, ExceptionItem, ValueList } from "./types.js";

type KeyKind = "keyword" | "ip";

interface Anchor {
  path: string;
  /** `prefix`: the keys are the literal starts of wildcard patterns, which a matching value begins with. */
  kind: KeyKind | "prefix";
  keys: string[];
}

/** Returns, per event, the positions of the items that may hold, ascending (the others cannot). */
export function itemSelector(
  items: readonly ExceptionItem[],
  catalog: FieldCatalog,
  valueLists: Readonly<Record<string, ValueList>>,
): (event: unknown) => readonly number[] {
  const always: number[] = [];
  const mark = new Uint32Array(items.length);
  let generation = 0;
  let hits: number[] = [];
  type Field = { path: string; kind: Anchor["kind"]; buckets: Map<string, number[]> };
  const byField = new Map<string, Field>();
  const fieldOf = (a: Anchor) => {
    const key = `${a.kind}:${a.path}`;
    let field = byField.get(key);
    if (!field) byField.set(key, (field = { path: a.path, kind: a.kind, buckets: new Map() }));
    return field;
  };
  // Each item's candidate entries; then, per item, the one whose values the fewest other items share: items that
  // all say `matched.field: destination.ip` are not told apart by it.
  const listKeys = new Map<string, string[] | undefined>();
  const options = items.map((item) => anchorsOf(item, catalog, valueLists, listKeys));
  const shared = new Map<Field, Map<string, number>>();
  const counts = (a: Anchor) => {
    const field = fieldOf(a);
    let m = shared.get(field);
    if (!m) shared.set(field, (m = new Map()));
    return m;
  };
  for (const anchors of options)
    for (const a of anchors) {
      const m = counts(a);
      for (const k of a.keys) m.set(k, (m.get(k) ?? 0) + 1);
    }
  options.forEach((anchors, i) => {
    let anchor: Anchor | undefined;
    let cost = Infinity;
    for (const a of anchors) {
      const m = counts(a);
      let c = 0;
      for (const k of a.keys) c += m.get(k)!;
      if (c < cost) [anchor, cost] = [a, c];
    }
    if (!anchor) {
      always.push(i);
      return;
    }
    const { buckets } = fieldOf(anchor);
    for (const k of anchor.keys) {
      const bucket = buckets.get(k);
      if (bucket) bucket.push(i);
      else buckets.set(k, [i]);
    }
  });
  const hit = (bucket: number[]) => {
    for (const i of bucket)
      if (mark[i] !== generation) {
        mark[i] = generation;
        hits.push(i);
      }
  };
  const walkers = [...byField.values()]
    .filter((f) => f.buckets.size > 0)
    .map(({ path, kind, buckets }) => {
      if (kind === "prefix") {
        // Each value's starts of the lengths the patterns have: a few Map probes instead of a pattern per item.
        const lengths = [...new Set([...buckets.keys()].map((k) => k.length))].sort((a, b) => a - b);
        return compileWalker(path, (value) => {
          const s = keywordFromDocument(value);
          if (s === undefined) return false;
          for (const n of lengths) {
            if (s.length < n) break;
            const bucket = buckets.get(s.slice(0, n));
            if (bucket) hit(bucket);
          }
          return false;
        });
      }
      const toKey = kind === "ip" ? ipFromDocument : keywordFromDocument;
      return compileWalker(path, (value) => {
        const k = toKey(value);
        const bucket = k === undefined ? undefined : buckets.get(k);
        if (bucket) hit(bucket);
        return false; // every value of the field
      });
    });
  return (event) => {
    generation = (generation + 1) >>> 0 || 1;
    hits = [];
    for (const walk of walkers) walk(event);
    if (hits.length === 0) return always;
    if (always.length > 0) hits.push(...always);
    // Kibana's order: the items as listed.
    return hits.length > 1 ? hits.sort((a, b) => a - b) : hits;
  };
}

/** The entries an item could be indexed by, each with its distinct keys. */
function anchorsOf(
  item: ExceptionItem,
  catalog: FieldCatalog,
  valueLists: Readonly<Record<string, ValueList>>,
  listKeys: Map<string, string[] | undefined>,
): Anchor[] {
  const out: Anchor[] = [];
  const consider = (entry: ExceptionEntry, prefix: string | undefined) => {
    if (entry.type === "nested") {
      if (prefix === undefined) for (const e of entry.entries) consider(e, entry.field);
      return;
    }
    if (entry.operator !== "included") return;
    const path = prefix === undefined ? entry.field : `${prefix}.${entry.field}`;
    const kind = keyKind(catalog, path);
    if (!kind) return;
    let keys: string[] | undefined;
    if (entry.type === "list") {
      // A value list serves many items: its keys are worked out once.
      const id = `${kind}\u0000${entry.list.id}`;
      if (!listKeys.has(id)) listKeys.set(id, entryKeys(entry, kind, valueLists));
      keys = listKeys.get(id);
    } else keys = entryKeys(entry, kind, valueLists);
    if (keys) out.push({ path, kind, keys });
    else if (entry.type === "wildcard" && kind === "keyword") {
      const start = literalStart(entry.value);
      if (start !== "") out.push({ path, kind: "prefix", keys: [start] });
    }
  };
  for (const entry of item.entries) consider(entry, undefined);
  return out;
}

/** Fields whose indexed value is the document value's key as is: no normalizer, no multi-field, no flattened. */
function keyKind(catalog: FieldCatalog, path: string): KeyKind | undefined {
  const resolution = resolveField(catalog, path);
  if (resolution.kind === "unmapped") return undefined;
  const info = resolution.info;
  if (info.sourcePath !== undefined || info.flattenedKeyOf !== undefined || info.normalizer !== undefined)
    return undefined;
  if (info.searchable === false || info.type === "constant_keyword" || info.type === "flattened")
    return undefined;
  const cls = typeClass(info.type);
  return cls === "keyword" || cls === "ip" ? cls : undefined;
}

/** The keys an entry matches, or undefined when it matches more than keys say (a CIDR block, a text list). */
function entryKeys(
  entry: Exclude<ExceptionEntry, { type: "nested" }>,
  kind: KeyKind,
  valueLists: Readonly<Record<string, ValueList>>,
): string[] | undefined {
  let values: readonly string[];
  if (entry.type === "match") values = [entry.value];
  else if (entry.type === "match_any") values = entry.value;
  else if (entry.type === "list") {
    const list = valueLists[entry.list.id];
    if (!list || list.type === "text" || (list.type === "ip_range" && kind === "keyword")) return undefined;
    values = list.values;
  } else return undefined;
  if (kind === "keyword") return [...new Set(values)];
  const keys: string[] = [];
  for (const v of values) {
    const k = singleAddress(v);
    if (k === undefined) return undefined;
    keys.push(k);
  }
  return [...new Set(keys)];
}

/** The key of one address; undefined for a block, a range or what is not an address. */
function singleAddress(raw: string): string | undefined {
  if (raw.includes("/") || raw.includes("-")) return undefined;
  try {
    const { lo, hi } = ipTermRange(raw);
    return lo === hi ? lo : undefined;
  } catch {
    return undefined;
  }
}

/** The literal text before a pattern's first `*` or `?` (Elasticsearch's wildcard syntax: `\\` escapes). */
function literalStart(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" || c === "?") return out;
    if (c === "\\" && i + 1 < pattern.length) out += pattern[++i]!;
    else out += c;
  }
  return out;
}
