/**
 * The field catalogue: builds a `FieldCatalog` from ECS, field files and mappings, and answers what a field name
 * means (`lookupField`) and which known names are close to a misspelt one (`suggestFields`).
 */
import { distance } from "fastest-levenshtein";
import { ecsFields } from "./catalog-ecs.js";
import { fieldsFromDocs, fieldsFromFiles } from "./catalog-fields-file.js";
import { fieldsFromMappings } from "./catalog-mapping.js";
import type { EsFieldType, FieldCatalog, FieldInfo, UnknownFieldPolicy } from "./catalog-types.js";

export { FieldCatalogError } from "./catalog-fields-file.js";

export interface FieldCatalogSources {
  /** Include every ECS field (from `@elastic/ecs`). */
  ecs?: boolean;
  /** fields.yml files, or directories searched recursively for .yml/.yaml files. */
  fieldFiles?: string[];
  /** Already-parsed fields.yml documents (each a list of field definitions). */
  fieldDocs?: unknown[];
  /** `GET <index>/_mapping` bodies, `{mappings: …}` or bare `{properties: …}` objects. */
  mappings?: unknown[];
  /** Already-converted definitions (from compact catalogue files, `fieldsFromCompact`), after the field files. */
  definitions?: readonly (readonly FieldInfo[])[];
  /** Shared, finalized layers (`fieldLayer`) stacked on ECS, below everything else: nothing is copied. */
  layers?: readonly FieldLayer[];
  /** Last word on single fields: a type name, or the FieldInfo properties to set. */
  overrides?: Record<string, string | Partial<FieldInfo>>;
  /**
   * How to treat fields the catalogue does not know. Defaults to `unmapped` when a mapping sets
   * `dynamic: false` at its root, and to `keyword` otherwise.
   */
  unknownFields?: UnknownFieldPolicy;
}

/** Types that hold other fields rather than values. */
export function isContainerType(type: EsFieldType): boolean {
  return type === "object" || type === "nested";
}

function prefixes(name: string): string[] {
  const out: string[] = [];
  for (let i = name.lastIndexOf("."); i > 0; i = name.lastIndexOf(".", i - 1)) out.push(name.slice(0, i));
  return out;
}

/**
 * Adds implicit parent objects, resolves aliases and sets `nestedPath`, without mutating shared entries. Only the
 * `changed` names are revisited (all when omitted), unless a nested container changed.
 */
function finalize(fields: Map<string, FieldInfo>, changed?: ReadonlySet<string>, nestedChanged = true): void {
  const names = changed ? [...changed] : [...fields.keys()];
  for (const name of names) {
    const info = fields.get(name)!;
    for (let i = name.lastIndexOf("."); i > 0; i = name.lastIndexOf(".", i - 1)) {
      const parent = name.slice(0, i);
      if (fields.has(parent)) break;
      const implied: FieldInfo = { name: parent, type: "object", source: info.source };
      if (info.partial) implied.partial = true;
      fields.set(parent, implied);
    }
  }
  for (const name of names) {
    const info = fields.get(name)!;
    if (info.type !== "alias" || info.sourcePath === undefined) continue;
    const target = fields.get(info.sourcePath);
    if (!target || target.type === "alias") continue;
    const { multiFields: _drop, ...rest } = target;
    void _drop;
    fields.set(name, { ...rest, name, sourcePath: target.sourcePath ?? target.name, source: info.source });
  }
  // Without any nested object, and no field that says it is in one, there is no nesting to set.
  let nesting = false;
  for (const info of fields.values())
    if (info.type === "nested" || info.nestedPath !== undefined) {
      nesting = true;
      break;
    }
  if (!nesting) return;
  for (const name of nestedChanged || !changed ? fields.keys() : names) {
    const info = fields.get(name)!;
    const nested = prefixes(name).find((p) => fields.get(p)?.type === "nested");
    if (info.nestedPath !== nested) {
      const copy = { ...info };
      if (nested === undefined) delete copy.nestedPath;
      else copy.nestedPath = nested;
      fields.set(name, copy);
    }
  }
}

let ecsMap: ReadonlyMap<string, FieldInfo> | undefined;

function ecsCatalogFields(): ReadonlyMap<string, FieldInfo> {
  if (!ecsMap) {
    const map = new Map(ecsFields().map((f) => [f.name, f]));
    finalize(map);
    ecsMap = map;
  }
  return ecsMap;
}

function override(
  name: string,
  value: string | Partial<FieldInfo>,
  existing: FieldInfo | undefined,
): FieldInfo {
  const patch: Partial<FieldInfo> = typeof value === "string" ? { type: value } : value;
  return { ...(existing ?? { type: "keyword" }), ...patch, name, source: "override" };
}

/**
 * A finalized set of definitions that many catalogues share without copying (`fieldLayer`, then the `layers`
 * source of `fieldCatalog`): implied parent objects added, aliases and nesting resolved within the layer.
 */
export interface FieldLayer {
  readonly fields: ReadonlyMap<string, FieldInfo>;
  /** Parent objects the layer only implies: an explicit definition in another layer wins over them. */
  readonly implied: ReadonlySet<string>;
  /** Names of its `nested` fields. */
  readonly nested: ReadonlySet<string>;
}

function layerOf(fields: Map<string, FieldInfo>, explicit: ReadonlySet<string>): FieldLayer {
  const implied = new Set<string>();
  const nested = new Set<string>();
  for (const [name, info] of fields) {
    if (!explicit.has(name)) implied.add(name);
    if (info.type === "nested") nested.add(name);
  }
  return { fields, implied, nested };
}

/** A layer from definitions (later ones win within it). */
export function fieldLayer(infos: readonly FieldInfo[]): FieldLayer {
  const fields = new Map<string, FieldInfo>();
  for (const info of infos) fields.set(info.name, info);
  const explicit = new Set(fields.keys());
  finalize(fields);
  return layerOf(fields, explicit);
}

let ecsLayerCache: FieldLayer | undefined;

function ecsLayer(): FieldLayer {
  ecsLayerCache ??= layerOf(
    ecsCatalogFields() as Map<string, FieldInfo>,
    new Set(ecsFields().map((f) => f.name)),
  );
  return ecsLayerCache;
}

/**
 * The fields of layers stacked bottom to top, as one read-only map, resolved per name on first use: the top
 * explicit definition wins (an implied parent object never hides a real one), an alias reads its target in any
 * layer, a field inside a `nested` object of any layer gets its `nestedPath`, and a lower layer's
 * `searchable: false` stays (as in `fieldCatalog`). Iterating materialises the whole map once.
 */
function layeredFields(layers: readonly FieldLayer[]): ReadonlyMap<string, FieldInfo> {
  if (layers.length === 1) return layers[0]!.fields;
  const memo = new Map<string, FieldInfo | null>();
  const resolving = new Set<string>();
  const nested = new Set<string>();
  for (const layer of layers) for (const name of layer.nested) nested.add(name);
  const get = (name: string): FieldInfo | undefined => {
    const known = memo.get(name);
    if (known !== undefined) return known ?? undefined;
    if (resolving.has(name)) return undefined;
    resolving.add(name);
    let explicit: FieldInfo | undefined;
    let implied: FieldInfo | undefined;
    let unsearchableBelow = false;
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      const info = layer.fields.get(name);
      if (!info) continue;
      if (layer.implied.has(name)) {
        // An object implied by a complete list says more than one implied by a partial list.
        if (!implied || (implied.partial && !info.partial)) implied = info;
      } else if (!explicit) explicit = info;
      else if (info.searchable === false && info.type === explicit.type) unsearchableBelow = true;
    }
    let info = explicit ?? implied;
    if (info) {
      if (unsearchableBelow && info.searchable === undefined) info = { ...info, searchable: false };
      if (info.type === "alias" && info.sourcePath !== undefined) {
        const target = get(info.sourcePath);
        if (target && target.type !== "alias") {
          const { multiFields: _drop, ...rest } = target;
          void _drop;
          info = { ...rest, name, sourcePath: target.sourcePath ?? target.name, source: info.source };
        }
      }
      if (nested.size > 0 || info.nestedPath !== undefined) {
        let path: string | undefined;
        for (let i = name.lastIndexOf("."); i > 0; i = name.lastIndexOf(".", i - 1)) {
          const prefix = name.slice(0, i);
          if (nested.has(prefix) && get(prefix)?.type === "nested") {
            path = prefix;
            break;
          }
        }
        if (info.nestedPath !== path) {
          info = { ...info };
          if (path === undefined) delete info.nestedPath;
          else info.nestedPath = path;
        }
      }
    }
    resolving.delete(name);
    memo.set(name, info ?? null);
    return info;
  };
  let all: Map<string, FieldInfo> | undefined;
  const materialize = (): Map<string, FieldInfo> => {
    if (!all) {
      all = new Map();
      for (const layer of layers)
        for (const name of layer.fields.keys()) if (!all.has(name)) all.set(name, get(name)!);
    }
    return all;
  };
  const view: ReadonlyMap<string, FieldInfo> = {
    get,
    has: (name) => get(name) !== undefined,
    get size() {
      return materialize().size;
    },
    forEach(callback, thisArg) {
      materialize().forEach((value, key) => callback.call(thisArg, value, key, view));
    },
    entries: () => materialize().entries(),
    keys: () => materialize().keys(),
    values: () => materialize().values(),
    [Symbol.iterator]: () => materialize()[Symbol.iterator](),
  };
  layersOfView.set(view, layers);
  return view;
}

/** The layers a stacked view reads, so that work per layer (suggestions) is shared between the views on it. */
const layersOfView = new WeakMap<ReadonlyMap<string, FieldInfo>, readonly FieldLayer[]>();

/** Builds a catalogue. Later sources win: ECS, then field files and documents, then mappings, then overrides. */
export function fieldCatalog(sources: FieldCatalogSources = {}): FieldCatalog {
  if (sources.layers?.length) return layeredCatalog(sources);
  const extra: FieldInfo[] = [];
  if (sources.fieldFiles?.length) extra.push(...fieldsFromFiles(sources.fieldFiles));
  if (sources.fieldDocs?.length) extra.push(...fieldsFromDocs(sources.fieldDocs));
  for (const list of sources.definitions ?? []) extra.push(...list);
  let dynamicFalse = false;
  if (sources.mappings?.length) {
    const mapped = fieldsFromMappings(sources.mappings);
    extra.push(...mapped.fields);
    dynamicFalse = mapped.dynamicFalse;
  }
  const overrides = Object.entries(sources.overrides ?? {});
  const unknownFields = sources.unknownFields ?? (dynamicFalse ? "unmapped" : "keyword");

  if (extra.length === 0 && overrides.length === 0) {
    return { fields: sources.ecs ? ecsCatalogFields() : new Map(), unknownFields };
  }
  const fields = new Map<string, FieldInfo>(sources.ecs ? ecsCatalogFields() : []);
  const changed = new Set<string>();
  let nestedChanged = false;
  const put = (info: FieldInfo) => {
    if (info.type === "nested" || fields.get(info.name)?.type === "nested") nestedChanged = true;
    fields.set(info.name, info);
    changed.add(info.name);
  };
  for (const info of extra) {
    // One index that cannot search a field is enough for Elasticsearch to refuse the query there (field_caps
    // reports `searchable: false` unless every index can): an earlier source's `searchable: false` stays.
    const before = fields.get(info.name);
    put(
      before?.searchable === false && info.searchable === undefined && before.type === info.type
        ? { ...info, searchable: false }
        : info,
    );
  }
  for (const [name, value] of overrides) put(override(name, value, fields.get(name)));
  finalize(fields, changed, nestedChanged);
  return { fields, unknownFields };
}

/**
 * `fieldCatalog` with `layers`: ECS and the shared layers are stacked without copying; field files, documents,
 * definitions, mappings and overrides form one more layer on top.
 */
function layeredCatalog(sources: FieldCatalogSources): FieldCatalog {
  const layers: FieldLayer[] = [...(sources.ecs ? [ecsLayer()] : []), ...sources.layers!];
  const extra: FieldInfo[] = [];
  if (sources.fieldFiles?.length) extra.push(...fieldsFromFiles(sources.fieldFiles));
  if (sources.fieldDocs?.length) extra.push(...fieldsFromDocs(sources.fieldDocs));
  for (const list of sources.definitions ?? []) for (const info of list) extra.push(info);
  let dynamicFalse = false;
  if (sources.mappings?.length) {
    const mapped = fieldsFromMappings(sources.mappings);
    extra.push(...mapped.fields);
    dynamicFalse = mapped.dynamicFalse;
  }
  const overrides = Object.entries(sources.overrides ?? {});
  const unknownFields = sources.unknownFields ?? (dynamicFalse ? "unmapped" : "keyword");
  if (extra.length > 0 || overrides.length > 0) {
    const below = layeredFields(layers);
    const top = new Map<string, FieldInfo>();
    for (const info of extra) top.set(info.name, info);
    for (const [name, value] of overrides)
      top.set(name, override(name, value, top.get(name) ?? below.get(name)));
    layers.push(fieldLayer([...top.values()]));
  }
  return { fields: layeredFields(layers), unknownFields };
}

/**
 * How a field name resolves for searching:
 * - `mapped`: the catalogue defines it (directly, as a multi-field, a flattened key, or a dynamic-template child);
 * - `policy`: unknown, and the `keyword` policy maps it as keyword;
 * - `unmapped`: not searchable (unknown under the `unmapped` policy, or below a `dynamic: false` or
 *   `enabled: false` object).
 */
export type FieldResolution =
  | { kind: "mapped"; info: FieldInfo }
  | { kind: "policy"; info: FieldInfo }
  | { kind: "unmapped"; reason: string };

/** `ecs@mappings` maps unknown strings as keyword with ignore_above 1024. */
const DYNAMIC_KEYWORD_IGNORE_ABOVE = 1024;

function dynamicKeyword(name: string, nestedPath: string | undefined): FieldInfo {
  const info: FieldInfo = {
    name,
    type: "keyword",
    ignoreAbove: DYNAMIC_KEYWORD_IGNORE_ABOVE,
    source: "dynamic",
  };
  if (nestedPath !== undefined) info.nestedPath = nestedPath;
  return info;
}

export function resolveField(catalog: FieldCatalog, name: string): FieldResolution {
  const direct = catalog.fields.get(name);
  if (direct) return { kind: "mapped", info: direct };
  let nestedPath: string | undefined;
  let dynamic: boolean | undefined;
  for (const prefix of prefixes(name)) {
    const parent = catalog.fields.get(prefix);
    if (!parent) continue;
    if (parent.type === "nested" && nestedPath === undefined) nestedPath = prefix;
    if (parent.type === "flattened") {
      const info: FieldInfo = { name, type: "keyword", flattenedKeyOf: prefix, source: "dynamic" };
      if (parent.ignoreAbove !== undefined) info.ignoreAbove = parent.ignoreAbove;
      if (parent.nestedPath !== undefined) info.nestedPath = parent.nestedPath;
      return { kind: "mapped", info };
    }
    if (!isContainerType(parent.type)) {
      return {
        kind: "unmapped",
        reason: `\`${prefix}\` is a ${parent.type} field, so \`${name}\` cannot be mapped below it`,
      };
    }
    if (parent.enabled === false) {
      return {
        kind: "unmapped",
        reason: `object \`${prefix}\` has enabled: false, so nothing below it is indexed`,
      };
    }
    if (parent.objectType !== undefined && dynamic === undefined) {
      const info: FieldInfo = { name, type: parent.objectType, source: "dynamic" };
      const np = nestedPath ?? parent.nestedPath;
      if (np !== undefined) info.nestedPath = np;
      return { kind: "mapped", info };
    }
    if (dynamic === undefined && parent.dynamic !== undefined) dynamic = parent.dynamic;
    if (parent.nestedPath !== undefined && nestedPath === undefined) nestedPath = parent.nestedPath;
  }
  if (dynamic === false) {
    return {
      kind: "unmapped",
      reason: `\`${name}\` is not declared and its object has dynamic: false, so it is not searchable`,
    };
  }
  if (dynamic === true) return { kind: "mapped", info: dynamicKeyword(name, nestedPath) };
  if (catalog.unknownFields === "keyword") return { kind: "policy", info: dynamicKeyword(name, nestedPath) };
  return {
    kind: "unmapped",
    reason: `field \`${name}\` is not in the field catalogue, and the unknown_fields policy (unmapped) leaves it unsearchable, as dynamic: false does`,
  };
}

/**
 * What the catalogue says about a field: the field itself, a multi-field (`process.name.text`), a key of a
 * flattened field (typed keyword, `flattenedKeyOf` set), a child of an object with a dynamic template
 * (`kubernetes.audit.user.extra.scopes`), or a field inside a nested object (`nestedPath` set). Undefined when the
 * catalogue does not know the name (the unknown-field policy is not applied).
 */
export function lookupField(catalog: FieldCatalog, name: string): FieldInfo | undefined {
  const resolution = resolveField(catalog, name);
  return resolution.kind === "mapped" ? resolution.info : undefined;
}

/** The catalogue's searchable leaf fields (containers and unresolved aliases left out). */
export function leafFields(catalog: FieldCatalog): readonly FieldInfo[] {
  return leafNames(catalog).infos;
}

/**
 * The leaf fields whose names pass `test`, in `leafFields` order. On a stacked catalogue only the names that pass
 * are resolved (a wildcard like `process.*` would otherwise resolve every field of every layer).
 */
export function leafFieldsNamed(catalog: FieldCatalog, test: (name: string) => boolean): FieldInfo[] {
  const layers = layersOfView.get(catalog.fields);
  if (!layers || leafCache.has(catalog.fields)) return leafFields(catalog).filter((f) => test(f.name));
  const seen = new Set<string>();
  const out: FieldInfo[] = [];
  for (const layer of layers) {
    for (const name of layer.fields.keys()) {
      if (seen.has(name) || !test(name)) continue;
      seen.add(name);
      const info = catalog.fields.get(name);
      if (info && !isContainerType(info.type) && info.type !== "alias") out.push(info);
    }
  }
  return out;
}

/** Per field map (catalogues are read-only once built): its leaves, and their names in lower case. */
const leafCache = new WeakMap<
  ReadonlyMap<string, FieldInfo>,
  { infos: readonly FieldInfo[]; lower: readonly string[]; suggested: Map<string, string[]> }
>();

function leafNames(catalog: FieldCatalog): {
  infos: readonly FieldInfo[];
  lower: readonly string[];
  suggested: Map<string, string[]>;
} {
  let leaves = leafCache.get(catalog.fields);
  if (!leaves) {
    const infos = [...catalog.fields.values()].filter((f) => !isContainerType(f.type) && f.type !== "alias");
    leaves = { infos, lower: infos.map((f) => f.name.toLowerCase()), suggested: new Map() };
    leafCache.set(catalog.fields, leaves);
  }
  return leaves;
}

/** Up to `max` known field names closest to `name`, best first; empty when nothing is close. */
export function suggestFields(catalog: FieldCatalog, name: string, max = 3): string[] {
  const layers = layersOfView.get(catalog.fields);
  if (layers) return suggestFromLayers(catalog.fields, layers, name, max);
  const leaves = leafNames(catalog);
  // Rules of one integration name the same unknown fields: each is scored against thousands of names only once.
  const key = `${max}\0${name}`;
  const known = leaves.suggested.get(key);
  if (known) return [...known];
  const found = bestSuggestions(scoreCandidates(leaves, name), max);
  leaves.suggested.set(key, found);
  return [...found];
}

/** Per layer's field map: the names that can be leaves (aliases included, resolved later), lower-cased. */
const layerCandidates = new WeakMap<
  ReadonlyMap<string, FieldInfo>,
  { infos: readonly FieldInfo[]; lower: readonly string[]; scored: Map<string, Scored[]> }
>();

/**
 * Suggestions over stacked layers without building the whole stack: each layer's names are scored once per
 * unknown name and shared by every catalogue on that layer (most rules share ECS and a few integrations), and
 * only the close names are then resolved in this stack. The same answer as scoring the stack's leaves.
 */
function suggestFromLayers(
  view: ReadonlyMap<string, FieldInfo>,
  layers: readonly FieldLayer[],
  name: string,
  max: number,
): string[] {
  const close = new Map<string, Scored>();
  for (const layer of layers) {
    let candidates = layerCandidates.get(layer.fields);
    if (!candidates) {
      const infos = [...layer.fields.values()].filter((f) => !isContainerType(f.type));
      candidates = { infos, lower: infos.map((f) => f.name.toLowerCase()), scored: new Map() };
      layerCandidates.set(layer.fields, candidates);
    }
    let scored = candidates.scored.get(name);
    if (!scored) candidates.scored.set(name, (scored = scoreCandidates(candidates, name)));
    for (const s of scored) if (!close.has(s.name)) close.set(s.name, s);
  }
  const leaves = [...close.values()].filter((s) => {
    const info = view.get(s.name);
    return info !== undefined && !isContainerType(info.type) && info.type !== "alias";
  });
  return bestSuggestions(leaves, max);
}

interface Scored {
  name: string;
  score: number;
}

/** Every candidate within the edit distance a name of this length allows, unsorted. */
function scoreCandidates(
  leaves: { infos: readonly FieldInfo[]; lower: readonly string[] },
  name: string,
): Scored[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.ceil(name.length * 0.34));
  const histograms = histogramsOf(leaves.lower);
  const own = histogram(lower);
  const scored: Scored[] = [];
  for (let i = 0; i < leaves.infos.length; i++) {
    const candidate = leaves.infos[i]!.name;
    // `user.username` for `kubernetes.audit.user.username`: a known field that ends with the name.
    const endsWith = candidate.endsWith(`.${name}`);
    if (!endsWith) {
      // The distance is at least the difference in length, and at least half the difference in letter counts
      // (one edit changes at most two counts): too far apart by either needs no computing.
      if (Math.abs(leaves.lower[i]!.length - lower.length) > limit) continue;
      if (histogramDistance(own, histograms, i * buckets, 2 * limit) > 2 * limit) continue;
    }
    let score = distance(lower, leaves.lower[i]!);
    if (endsWith) score = Math.min(score, 1);
    if (score <= limit) scored.push({ name: candidate, score });
  }
  return scored;
}

/** Letters, digits (four buckets), `.` and the rest: collisions only make the bound smaller, never wrong. */
const buckets = 32;

function bucketOf(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return 26 + (code % 4);
  return code === 46 ? 30 : 31;
}

function histogram(text: string, into: Uint8Array = new Uint8Array(buckets), at = 0): Uint8Array {
  for (let i = 0; i < text.length; i++) {
    const b = at + bucketOf(text.charCodeAt(i));
    if (into[b]! < 255) into[b]!++;
  }
  return into;
}

const histogramCache = new WeakMap<readonly string[], Uint8Array>();

function histogramsOf(names: readonly string[]): Uint8Array {
  let all = histogramCache.get(names);
  if (!all) {
    all = new Uint8Array(names.length * buckets);
    for (let i = 0; i < names.length; i++) histogram(names[i]!, all, i * buckets);
    histogramCache.set(names, all);
  }
  return all;
}

/** The sum of count differences, or more than `stopAbove` as soon as it passes it. */
function histogramDistance(own: Uint8Array, all: Uint8Array, at: number, stopAbove: number): number {
  let sum = 0;
  for (let b = 0; b < buckets; b++) {
    sum += Math.abs(own[b]! - all[at + b]!);
    if (sum > stopAbove) return sum;
  }
  return sum;
}

/** The closest `max`, best first, keeping only names about as close as the best one. */
function bestSuggestions(scored: readonly Scored[], max: number): string[] {
  const sorted = [...scored].sort(
    (a, b) => a.score - b.score || a.name.length - b.name.length || a.name.localeCompare(b.name),
  );
  const best = sorted[0]?.score ?? 0;
  return sorted
    .filter((s) => s.score <= best + 2)
    .slice(0, max)
    .map((s) => s.name);
}
