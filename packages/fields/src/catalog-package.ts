/**
 * Reads field definitions as Elastic's integration packages ship them and turns them into a compact catalogue
 * (`dac fields import`):
 * - a package folder in Fleet's layout (`manifest.yml`, `data_stream/<name>/fields/*.yml`), source or built;
 * - the same as a zip (`<name>-<version>/data_stream/…`), as the package registry serves it;
 * - a folder of data stream folders (`<name>/*.yml`, `_package/` for shared files), as vendored by dac;
 * - one fields.yml, or a flat JSON object `{field: type}` (nested objects are joined with dots).
 * `*.yml.link` files (elastic-package's links to shared files: a relative path and a SHA-256) are followed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, posix, relative, sep } from "node:path";
import { unzipSync } from "fflate";
import { parse as parseYaml } from "yaml";
import { COMPACT_FORMAT, compactFields, type CompactCatalog } from "./catalog-compact.js";
import { ecsField } from "./catalog-ecs.js";
import { FieldCatalogError, fieldsFromDocs } from "./catalog-fields-file.js";
import type { FieldInfo } from "./catalog-types.js";

/** Fleet's template generator gives keyword fields `ignore_above: 1024` unless the file sets one. */
const FLEET_DEFAULT_IGNORE_ABOVE = 1024;

export interface ImportedCatalog {
  catalog: CompactCatalog;
  /** Files read, relative to the input. */
  files: string[];
  /** What was left out or guessed, one line each (an unresolved link, a field this ECS lacks). */
  notes: string[];
}

/** A package's files as relative POSIX paths, from a folder or a zip. */
interface Tree {
  paths: string[];
  read(path: string): string;
}

function folderTree(root: string): Tree {
  const paths: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) paths.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  paths.sort();
  return { paths, read: (p) => readFileSync(join(root, ...p.split("/")), "utf8") };
}

function zipTree(file: string): Tree {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (error) {
    throw new FieldCatalogError(`${file}: not a readable zip: ${(error as Error).message}`);
  }
  const decoder = new TextDecoder();
  const paths = Object.keys(entries)
    .filter((p) => !p.endsWith("/"))
    .sort();
  return { paths, read: (p) => decoder.decode(entries[p]) };
}

function parseYamlAt(text: string, where: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new FieldCatalogError(`${where}: ${(error as Error).message}`);
  }
}

/** The manifest's package name, if the tree has one. */
function manifestName(tree: Tree, manifest: string | undefined): string | undefined {
  if (!manifest) return undefined;
  const doc = parseYamlAt(tree.read(manifest), manifest) as { name?: unknown } | null;
  return typeof doc?.name === "string" ? doc.name : undefined;
}

/**
 * The field files of each data stream: `data_stream/<ds>/fields/*.yml` under the package root, or
 * `<ds>/*.yml` (dac's vendored layout). A plain file wins over a `.link` of the same name.
 */
function dataStreamFiles(tree: Tree, root: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const fleet = new RegExp(`^${escape(root)}data_stream/([^/]+)/fields/([^/]+\\.ya?ml(?:\\.link)?)$`);
  const flat = new RegExp(`^${escape(root)}([^/_][^/]*)/([^/]+\\.ya?ml(?:\\.link)?)$`);
  const hasFleet = tree.paths.some((p) => fleet.test(p));
  for (const path of tree.paths) {
    const m = (hasFleet ? fleet : flat).exec(path);
    if (!m) continue;
    if (!hasFleet && /^(_dev|docs|img|kibana|elasticsearch|agent|changelog|manifest)/.test(m[1]!)) continue;
    const list = out.get(m[1]!) ?? [];
    list.push(path);
    out.set(m[1]!, list);
  }
  for (const [ds, files] of out) {
    const plain = new Set(files.filter((f) => !f.endsWith(".link")));
    out.set(
      ds,
      files.filter((f) => !f.endsWith(".link") || !plain.has(f.slice(0, -".link".length))),
    );
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Follows a `.link` file: its relative target, else the same file name in `_package/` (dac's layout). */
function linkTarget(tree: Tree, root: string, link: string): string | undefined {
  const target = tree.read(link).trim().split(/\s+/)[0] ?? "";
  const candidates = [
    posix.normalize(posix.join(posix.dirname(link), target)),
    `${root}_package/${posix.basename(target)}`,
  ];
  return candidates.find((c) => tree.paths.includes(c));
}

function convertFiles(
  tree: Tree,
  root: string,
  files: string[],
  notes: string[],
  read: string[],
): FieldInfo[] {
  const out: FieldInfo[] = [];
  for (const file of files) {
    let path = file;
    if (file.endsWith(".link")) {
      const target = linkTarget(tree, root, file);
      if (!target) {
        notes.push(`${file}: link target ${tree.read(file).trim().split(/\s+/)[0]} not found; left out`);
        continue;
      }
      path = target;
    }
    read.push(path);
    out.push(...fieldsFromDocs([parseYamlAt(tree.read(path), path)], path, notes));
  }
  return out;
}

function packageCatalog(tree: Tree, name: string | undefined, source: string): ImportedCatalog {
  // The package root: where manifest.yml is (a zip nests it in `<name>-<version>/`).
  const manifest = tree.paths
    .filter((p) => /(^|\/)manifest\.yml$/.test(p) && !p.includes("data_stream/"))
    .sort((a, b) => a.length - b.length)[0];
  const root = manifest ? manifest.slice(0, -"manifest.yml".length) : "";
  const pkg = name ?? manifestName(tree, manifest);
  const streams = dataStreamFiles(tree, root);
  if (streams.size === 0) {
    throw new FieldCatalogError(
      `${source}: no data_stream/*/fields/*.yml files (nor <data stream>/*.yml) found`,
    );
  }
  const notes: string[] = [];
  const files: string[] = [];
  const dataStreams: NonNullable<CompactCatalog["dataStreams"]> = {};
  for (const [ds, list] of [...streams].sort(([a], [b]) => a.localeCompare(b))) {
    dataStreams[ds] = compactFields(convertFiles(tree, root, list, notes, files), FLEET_DEFAULT_IGNORE_ABOVE);
  }
  const catalog: CompactCatalog = { format: COMPACT_FORMAT };
  if (pkg) catalog.package = pkg;
  catalog.source = source;
  catalog.keywordIgnoreAbove = FLEET_DEFAULT_IGNORE_ABOVE;
  catalog.dataStreams = dataStreams;
  return { catalog, files, notes };
}

/**
 * `{a: {b: "keyword"}, "c.d": "long"}` → fields `a.b` and `c.d`. Such a list names types only: an ECS field
 * keeps its ECS definition, and an alias (its target unknown) is left out.
 */
function flatJsonFields(
  value: unknown,
  prefix: string,
  out: FieldInfo[],
  where: string,
  notes: string[],
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FieldCatalogError(`${where}: a JSON field list must be an object of field → type`);
  }
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof raw !== "string") flatJsonFields(raw, name, out, where, notes);
    else if (raw === "alias") notes.push(`${where}: \`${name}\` is an alias with no target; left out`);
    else if (!ecsField(name)) out.push({ name, type: raw, source: "fields-file" });
  }
}

export interface ImportOptions {
  /** The package name, when the input does not say (a single file). */
  packageName?: string;
  /** How to describe the input in the catalogue's `source`. */
  source?: string;
}

/** Reads a package folder, a package zip, one fields.yml or one flat JSON field list. */
export function importFieldDefinitions(path: string, options: ImportOptions = {}): ImportedCatalog {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new FieldCatalogError(`not found: ${path}`);
  }
  const source = options.source ?? basename(path);
  if (stat.isDirectory()) return packageCatalog(folderTree(path), options.packageName, source);
  const ext = extname(path).toLowerCase();
  if (ext === ".zip") return packageCatalog(zipTree(path), options.packageName, source);
  const text = readFileSync(path, "utf8");
  const notes: string[] = [];
  let fields: FieldInfo[];
  let keywordIgnoreAbove: number | undefined;
  if (ext === ".json") {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new FieldCatalogError(`${path}: ${(error as Error).message}`);
    }
    fields = [];
    flatJsonFields(value, "", fields, path, notes);
  } else if (ext === ".yml" || ext === ".yaml") {
    fields = fieldsFromDocs([parseYamlAt(text, path)], path, notes);
    keywordIgnoreAbove = FLEET_DEFAULT_IGNORE_ABOVE;
  } else {
    throw new FieldCatalogError(
      `${path}: expected a package folder, a .zip, a fields .yml or a .json field list`,
    );
  }
  const catalog: CompactCatalog = { format: COMPACT_FORMAT };
  if (options.packageName) catalog.package = options.packageName;
  catalog.source = source;
  if (keywordIgnoreAbove !== undefined) catalog.keywordIgnoreAbove = keywordIgnoreAbove;
  catalog.fields = compactFields(fields, keywordIgnoreAbove);
  return { catalog, files: [basename(path)], notes };
}
