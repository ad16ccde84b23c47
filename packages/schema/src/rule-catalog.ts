import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, sep } from "node:path";
import {
  FieldCatalogError,
  fieldCatalog,
  fieldLayer,
  fieldsFromCompact,
  isCompactCatalog,
} from "@dac/fields";
import type { CompactCatalog, FieldCatalog, FieldLayer } from "@dac/fields";
import type { DacConfig } from "./config.js";
import { schemasDir } from "./repo-paths.js";
import type { RuleData } from "./rule.js";

/**
 * Field definitions come from three kinds of file:
 * - fields.yml files in the configured `fields` folders: `<package>.<integration>.yml` and `<package>.yml`
 *   describe an integration and apply to the rules that use it; any other file holds user-declared fields and
 *   applies to every rule;
 * - compact catalogues (`*.json`, dac-fields/1, as `dac fields import` and `dac fields pull` write them) in the
 *   same folders: with a `package`, for the rules that use it; with `indexPatterns`, for the rules whose index
 *   patterns match; otherwise for every rule;
 * - the vendored catalogue that ships with dac (`schemas/fields/integrations/<package>.json`,
 *   `schemas/fields/indices/*.json`), used for a package unless a configured folder has its own.
 */
export interface FieldFiles {
  integrations: Map<string, string[]>;
  shared: string[];
  /** Package → its catalogue file (a configured folder's, else the vendored one). */
  packages: Map<string, string>;
  /** Catalogue files that apply by index pattern or to every rule. */
  catalogues: string[];
}

/** What a rule uses: a package, and the data stream when known (else all of the package's). */
export interface IntegrationRef {
  package: string;
  dataStream?: string;
  /** How the rule names it. */
  via: "related_integrations" | "index" | "metadata.integration";
}

const vendoredDirs = {
  integrations: join(schemasDir, "fields", "integrations"),
  indices: join(schemasDir, "fields", "indices"),
};

const fieldFileCache = new Map<string, FieldFiles>();

function listDir(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .sort()
    .filter((n) => pattern.test(n))
    .map((n) => join(dir, n));
}

export function discoverFieldFiles(config: DacConfig): FieldFiles {
  const key = config.fields.join("\0");
  const cached = fieldFileCache.get(key);
  if (cached) return cached;
  const result: FieldFiles = { integrations: new Map(), shared: [], packages: new Map(), catalogues: [] };
  const addYaml = (file: string) => {
    const name = basename(file).replace(/\.ya?ml$/, "");
    if (name.startsWith("_") || name === "user" || name === "custom") {
      result.shared.push(file);
      return;
    }
    const list = result.integrations.get(name) ?? [];
    list.push(file);
    result.integrations.set(name, list);
  };
  // Vendored first: a configured folder's catalogue of the same package replaces it.
  for (const file of listDir(vendoredDirs.integrations, /\.json$/))
    result.packages.set(basename(file, ".json"), file);
  const vendoredIndices = listDir(vendoredDirs.indices, /\.json$/);
  const userCatalogues: string[] = [];
  for (const entry of config.fields) {
    if (!existsSync(entry)) continue;
    const files = statSync(entry).isDirectory() ? listDir(entry, /\.(ya?ml|json)$/) : [entry];
    for (const file of files) {
      if (!file.endsWith(".json")) {
        addYaml(file);
        continue;
      }
      const catalog = readCatalogue(file);
      if (catalog.package) result.packages.set(catalog.package, file);
      else userCatalogues.push(file);
    }
  }
  result.catalogues = [...vendoredIndices, ...userCatalogues];
  fieldFileCache.set(key, result);
  return result;
}

/**
 * Parsed catalogue files. One run asks for the same files thousands of times, and a stat each is a cost: a file is
 * looked at again only when a run starts (`newCatalogueRun`), so that a later run (`dac test --watch`) sees it
 * changed.
 */
const catalogueCache = new Map<string, { mtimeMs: number; size: number; catalog: CompactCatalog }>();
/** Bumped when a catalogue file changed: the catalogues built from the old one are not reused. */
let catalogueEpoch = 0;

/**
 * Starts a run of checks (`loadRules` calls it): the catalogue files read so far are looked at again, and when one
 * changed (or is gone), it is read anew and nothing built from it is reused.
 */
export function newCatalogueRun(): void {
  for (const [file, cached] of catalogueCache) {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      stat = undefined;
    }
    if (!stat || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size) {
      catalogueCache.delete(file);
      catalogueEpoch++;
    }
  }
}

export function readCatalogue(file: string): CompactCatalog {
  const cached = catalogueCache.get(file);
  if (cached) return cached.catalog;
  const stat = statSync(file);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new FieldCatalogError(`${file}: ${(error as Error).message}`);
  }
  if (!isCompactCatalog(value)) {
    throw new FieldCatalogError(`${file}: not a field catalogue (expected "format": "dac-fields/1")`);
  }
  catalogueCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, catalog: value });
  return value;
}

/** Layers per parsed catalogue (a changed file is parsed anew, so its layers are rebuilt). */
const layerCache = new WeakMap<CompactCatalog, Map<string, FieldLayer>>();

/** One part (a data stream, or the shared `fields`) of a catalogue file, converted once into a shared layer. */
function catalogueLayer(file: string, part: string | undefined): FieldLayer {
  const catalog = readCatalogue(file);
  let layers = layerCache.get(catalog);
  if (!layers) layerCache.set(catalog, (layers = new Map()));
  let layer = layers.get(part ?? "");
  if (!layer) {
    const fields = part === undefined ? catalog.fields : catalog.dataStreams?.[part];
    const origin = [catalog.package, part].filter(Boolean).join(".") || basename(file);
    const defs = fields
      ? fieldsFromCompact(fields, catalog.keywordIgnoreAbove, `${origin} (${file})`, catalog.partial === true)
      : [];
    layer = fieldLayer(defs);
    layers.set(part ?? "", layer);
  }
  return layer;
}

/** `logs-aws.cloudtrail-*` → aws, cloudtrail; `logs-okta*` → okta; `logs-*` and non-integration patterns → none. */
export function packageOfIndexPattern(pattern: string): { package: string; dataset?: string } | undefined {
  const local = pattern.slice(pattern.lastIndexOf(":") + 1);
  const m = /^(?:logs|metrics|traces)-([a-z0-9_]+)(?:\.([a-z0-9_.]*?))?(?:[-*].*)?$/.exec(local);
  if (!m || !m[1]) return undefined;
  return m[2] ? { package: m[1], dataset: m[2].replace(/\.$/, "") } : { package: m[1] };
}

/**
 * The integrations a rule uses, as Kibana and the integrations see it: its `related_integrations` (an entry
 * naming only the package means all of its data streams); without them, its index patterns
 * (`logs-<package>.<dataset>-*`); without those, `metadata.integration`.
 */
export function ruleIntegrations(
  rule: Pick<RuleData, "related_integrations" | "metadata"> & { index?: readonly string[] | undefined },
): IntegrationRef[] {
  const related = rule.related_integrations ?? [];
  if (related.length > 0) {
    return related.map((r) =>
      r.integration
        ? { package: r.package, dataStream: r.integration, via: "related_integrations" }
        : { package: r.package, via: "related_integrations" },
    );
  }
  const fromIndex: IntegrationRef[] = [];
  for (const pattern of rule.index ?? []) {
    if (typeof pattern !== "string") continue;
    const ref = packageOfIndexPattern(pattern);
    if (!ref) continue;
    fromIndex.push(
      ref.dataset
        ? { package: ref.package, dataStream: ref.dataset, via: "index" }
        : { package: ref.package, via: "index" },
    );
  }
  if (fromIndex.length > 0) return fromIndex;
  const integration = rule.metadata?.integration;
  const names = Array.isArray(integration)
    ? integration
    : typeof integration === "string"
      ? [integration]
      : [];
  return names
    .filter((n) => typeof n === "string" && n !== "")
    .map((n) => ({ package: n, via: "metadata.integration" }));
}

/** The integration field files (fields.yml) a rule's integrations name: all of a package's when no data stream. */
export function integrationFieldFiles(
  rule: Pick<RuleData, "related_integrations" | "metadata"> & { index?: readonly string[] | undefined },
  files: FieldFiles,
): string[] {
  const out: string[] = [];
  for (const ref of ruleIntegrations(rule)) {
    if (ref.dataStream) {
      const exact = files.integrations.get(`${ref.package}.${ref.dataStream}`);
      out.push(...(exact ?? []), ...(files.integrations.get(ref.package) ?? []));
      if (exact) continue;
    }
    for (const [name, list] of files.integrations)
      if (name === ref.package || name.startsWith(`${ref.package}.`)) out.push(...list);
  }
  const pkgFiles = ruleIntegrations(rule)
    .map((r) => files.packages.get(r.package))
    .filter((f): f is string => f !== undefined && !f.startsWith(vendoredDirs.integrations));
  return [...new Set([...out, ...pkgFiles])];
}

/** The data streams of a package catalogue that a reference selects: the one named, else all. */
function selectedDataStreams(catalog: CompactCatalog, ref: IntegrationRef): string[] {
  const all = Object.keys(catalog.dataStreams ?? {});
  if (!ref.dataStream) return all;
  const ds = ref.dataStream;
  const candidates = [ds, ds.replace(/\./g, "_"), ds.slice(ds.lastIndexOf(".") + 1)];
  const hit = candidates.find((c) => all.includes(c));
  return hit ? [hit] : all;
}

const regexCache = new Map<string, RegExp>();

function patternRegex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    regexCache.set(pattern, re);
  }
  return re;
}

/** Whether two index patterns can name the same index: either matches the other read literally. */
export function indexPatternsOverlap(a: string, b: string): boolean {
  // Rules repeat a few index patterns thousands of times against the same catalogues' patterns.
  const key = `${a}\0${b}`;
  let overlap = overlapCache.get(key);
  if (overlap === undefined) {
    const local = (p: string) => p.slice(p.lastIndexOf(":") + 1);
    const x = local(a);
    const y = local(b);
    overlap = patternRegex(x).test(y) || patternRegex(y).test(x);
    if (overlapCache.size < 100_000) overlapCache.set(key, overlap);
  }
  return overlap;
}

const overlapCache = new Map<string, boolean>();

/** The catalogue parts (file, data stream) a rule's query runs against, besides ECS and fields.yml files. */
export function ruleCatalogueParts(
  rule: Pick<RuleData, "related_integrations" | "metadata"> & { index?: readonly string[] | undefined },
  files: FieldFiles,
): { file: string; part?: string }[] {
  const index = (rule.index ?? []).filter((p): p is string => typeof p === "string");
  const refs = ruleIntegrations(rule);
  const key = JSON.stringify([refs.map((r) => [r.package, r.dataStream ?? ""]), index, catalogueEpoch]);
  let cache = partsCache.get(files);
  if (!cache) partsCache.set(files, (cache = new Map()));
  const cached = cache.get(key);
  if (cached) return cached;
  const out: { file: string; part?: string }[] = [];
  const seen = new Set<string>();
  const add = (file: string, part?: string) => {
    const key = `${file}\0${part ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(part === undefined ? { file } : { file, part });
  };
  for (const ref of refs) {
    const file = files.packages.get(ref.package);
    if (!file) continue;
    const catalog = readCatalogue(file);
    if (catalog.fields) add(file);
    for (const ds of selectedDataStreams(catalog, ref)) add(file, ds);
  }
  for (const file of files.catalogues) {
    const catalog = readCatalogue(file);
    const patterns = catalog.indexPatterns;
    if (patterns && !patterns.some((p) => index.some((i) => indexPatternsOverlap(p, i)))) continue;
    if (catalog.fields) add(file);
    for (const ds of Object.keys(catalog.dataStreams ?? {})) add(file, ds);
  }
  cache.set(key, out);
  return out;
}

const partsCache = new WeakMap<FieldFiles, Map<string, { file: string; part?: string }[]>>();

const catalogCache = new Map<string, FieldCatalog>();

/**
 * The field catalogue a rule's query runs against: ECS, the definitions of the integrations it uses (see
 * `ruleIntegrations`), the catalogues that apply to its index patterns, user-declared fields, and the rule's own
 * `metadata.fields`. Catalogues are shared between rules with the same inputs.
 */
export function ruleFieldCatalog(
  rule: Pick<RuleData, "related_integrations" | "metadata"> & { index?: readonly string[] | undefined },
  config: DacConfig,
  overrides: Record<string, string> = {},
): FieldCatalog {
  const files = discoverFieldFiles(config);
  // The same inputs give the same catalogue: most rules of a repository share a few, so the search for their
  // files and parts is done once per distinct set of inputs.
  let byInputs = inputCache.get(files);
  if (!byInputs) inputCache.set(files, (byInputs = new Map()));
  const inputs = JSON.stringify([
    rule.related_integrations ?? null,
    rule.index ?? null,
    rule.metadata?.integration ?? null,
    rule.metadata?.fields ?? null,
    overrides,
    config.unknownFields,
    catalogueEpoch,
  ]);
  const known = byInputs.get(inputs);
  if (known) return known;
  const catalog = catalogFor(rule, config, files, overrides);
  byInputs.set(inputs, catalog);
  return catalog;
}

const inputCache = new WeakMap<FieldFiles, Map<string, FieldCatalog>>();

function catalogFor(
  rule: Pick<RuleData, "related_integrations" | "metadata"> & { index?: readonly string[] | undefined },
  config: DacConfig,
  files: FieldFiles,
  overrides: Record<string, string>,
): FieldCatalog {
  const fieldFiles = [
    ...files.shared,
    ...integrationFieldFiles(rule, files).filter((f) => !f.endsWith(".json")),
  ];
  const parts = ruleCatalogueParts(rule, files);
  const merged = { ...(rule.metadata?.fields ?? {}), ...overrides };
  const key = JSON.stringify([fieldFiles, parts, merged, config.unknownFields, catalogueEpoch]);
  let catalog = catalogCache.get(key);
  if (!catalog) {
    catalog = fieldCatalog({
      ecs: true,
      layers: parts.map((p) => catalogueLayer(p.file, p.part)),
      fieldFiles,
      overrides: merged,
      unknownFields: config.unknownFields,
    });
    catalogCache.set(key, catalog);
  }
  return catalog;
}

const ymlCatalogs = new Map<string, FieldCatalog>();

/**
 * Where else a field is defined: the integration catalogues and fields.yml files a rule does not use. For the
 * "unknown field" hint (declare the integration rather than the field).
 */
export function otherDefinitions(
  name: string,
  config: DacConfig,
): { package: string; dataStream?: string; file: string }[] {
  const files = discoverFieldFiles(config);
  // Many rules name the same unknown fields; the answer depends only on the (cached) files and the root.
  let cache = otherDefinitionsCache.get(files);
  if (!cache) otherDefinitionsCache.set(files, (cache = new Map()));
  const key = `${config.root}\0${name}`;
  let found = cache.get(key);
  if (!found) cache.set(key, (found = findOtherDefinitions(name, config, files)));
  return found.map((d) => ({ ...d }));
}

const otherDefinitionsCache = new WeakMap<
  FieldFiles,
  Map<string, { package: string; dataStream?: string; file: string }[]>
>();

function findOtherDefinitions(
  name: string,
  config: DacConfig,
  files: FieldFiles,
): { package: string; dataStream?: string; file: string }[] {
  const out: { package: string; dataStream?: string; file: string }[] = [];
  for (const [pkg, file] of files.packages) {
    const catalog = readCatalogue(file);
    for (const [ds, fields] of Object.entries(catalog.dataStreams ?? {}))
      if (Object.hasOwn(fields, name)) out.push({ package: pkg, dataStream: ds, file });
    if (catalog.fields && Object.hasOwn(catalog.fields, name)) out.push({ package: pkg, file });
  }
  for (const [integration, list] of files.integrations) {
    const [pkg, ds] = integration.split(".", 2) as [string, string | undefined];
    for (const file of list) {
      let catalog = ymlCatalogs.get(file);
      if (!catalog) ymlCatalogs.set(file, (catalog = fieldCatalog({ fieldFiles: [file] })));
      if (catalog.fields.has(name))
        out.push(ds ? { package: pkg, dataStream: ds, file } : { package: pkg, file });
    }
  }
  return out.map((d) => ({ ...d, file: shownDefinitionFile(d.file, config.root) }));
}

/** A definition file as a hint shows it: relative to the repository, or marked as dac's own vendored catalogue. */
export function shownDefinitionFile(file: string, root: string): string {
  const inRepo = relative(root, file);
  if (!inRepo.startsWith("..") && !isAbsolute(inRepo)) return inRepo.split(sep).join("/");
  const vendored = relative(schemasDir, file);
  if (!vendored.startsWith("..") && !isAbsolute(vendored))
    return `dac's vendored schemas/${vendored.split(sep).join("/")}`;
  return file;
}

/**
 * The field catalogue of an indicator match rule's `threat_index`: ECS and the definitions that apply to those
 * index patterns (`logs-ti_*`), with the rule's `metadata.fields`; not the rule's own integrations, which
 * describe its source events.
 */
export function threatIndexCatalog(
  rule: Pick<RuleData, "metadata"> & { threat_index?: unknown },
  config: DacConfig,
  overrides: Record<string, string> = {},
): FieldCatalog {
  const index = Array.isArray(rule.threat_index)
    ? rule.threat_index.filter((p): p is string => typeof p === "string")
    : [];
  const fields = rule.metadata?.fields;
  const metadata = (fields ? { fields } : {}) as RuleData["metadata"];
  return ruleFieldCatalog({ index, related_integrations: [], metadata }, config, overrides);
}
