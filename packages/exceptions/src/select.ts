/**
 * Which items are worth testing against an event. A rule with a thousand items would otherwise test each item on
 * each event; most items pin one field to a few values (`user.name` is `svc-backup`), so an index from those values
 * to the items, probed with the event's own values of the field, leaves only the items that can hold.
 *
 * The index is a necessary condition only: every item it selects is still tested in full, so it never changes
 * what is removed. An item is indexed by one `included` entry whose values can be compared as keys: `match`,
 * `match_any` or a `list` on a plain keyword or ip field (top-level or inside `nested`: a value of an object at
 * the nested path is a value of the full path too). Items without such an entry are tested on every event.
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
  kind: KeyKind;
  keys: string[];
}

/** Returns, per event, a test of "item i may hold" over the items in the order given. */
export function itemSelector(
  items: readonly ExceptionItem[],
  catalog: FieldCatalog,
  valueLists: Readonly<Record<string, ValueList>>,
): (event: unknown) => (i: number) => boolean {
  const always = new Uint8Array(items.length);
  const mark = new Uint32Array(items.length);
  let generation = 0;
  const byField = new Map<string, { path: string; kind: KeyKind; buckets: Map<string, number[]> }>();
  // Each item's candidate entries; then, per item, the one whose values the fewest other items share: items that
  // all say `matched.field: destination.ip` are not told apart by it.
  const listKeys = new Map<string, string[] | undefined>();
  const options = items.map((item) => anchorsOf(item, catalog, valueLists, listKeys));
  const shared = new Map<string, number>();
  for (const anchors of options)
    for (const a of anchors)
      for (const k of a.keys) shared.set(slot(a, k), (shared.get(slot(a, k)) ?? 0) + 1);
  options.forEach((anchors, i) => {
    let anchor: Anchor | undefined;
    let cost = Infinity;
    for (const a of anchors) {
      let c = 0;
      for (const k of a.keys) c += shared.get(slot(a, k))!;
      if (c < cost) [anchor, cost] = [a, c];
    }
    if (!anchor) {
      always[i] = 1;
      return;
    }
    const key = `${anchor.kind}:${anchor.path}`;
    let field = byField.get(key);
    if (!field) byField.set(key, (field = { path: anchor.path, kind: anchor.kind, buckets: new Map() }));
    for (const k of anchor.keys) {
      const bucket = field.buckets.get(k);
      if (bucket) bucket.push(i);
      else field.buckets.set(k, [i]);
    }
  });
  const walkers = [...byField.values()].map(({ path, kind, buckets }) => {
    const toKey = kind === "ip" ? ipFromDocument : keywordFromDocument;
    return compileWalker(path, (value) => {
      const k = toKey(value);
      const bucket = k === undefined ? undefined : buckets.get(k);
      if (bucket) for (const i of bucket) mark[i] = generation;
      return false; // every value of the field
    });
  });
  const candidate = (i: number) => always[i] === 1 || mark[i] === generation;
  return (event) => {
    generation = (generation + 1) >>> 0 || 1;
    for (const walk of walkers) walk(event);
    return candidate;
  };
}

const slot = (a: Anchor, key: string) => `${a.kind}:${a.path}\u0000${key}`;

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
