/**
 * Every definition of one field across the field files dac reads (for `dac fields show`): ECS, the integration
 * catalogues (vendored or imported), the index-pattern and cluster catalogues, and fields.yml files.
 */
import { basename } from "node:path";
import { ecsVersion, fieldCatalog, fieldsFromCompact, resolveField } from "@dac/fields";
import type { CompactFields, FieldCatalog, FieldInfo } from "@dac/fields";
import type { DacConfig } from "./config.js";
import { discoverFieldFiles, readCatalogue, shownDefinitionFile } from "./rule-catalog.js";

export interface FieldDefinition {
  /** `ecs`; `package`: an integration catalogue; `catalogue`: one applying by index pattern or to every rule
   * (`dac fields pull`, a user's); `fields-file`: a fields.yml. */
  kind: "ecs" | "package" | "catalogue" | "fields-file";
  /** `ECS 9.4.0`, `okta.system`, `cluster-logs.json`, `fields/custom.yml`. */
  label: string;
  /** The file, relative to the repository or marked as dac's vendored catalogue. */
  file?: string;
  package?: string;
  dataStream?: string;
  /** The catalogue's `source`: where its definitions were read (a package, a cluster and index pattern). */
  source?: string;
  /** For a `catalogue`: the index patterns it applies to (absent: every rule). */
  indexPatterns?: string[];
  /** What the definition makes of the field: a field, a multi-field, a key of a flattened field, … */
  info: FieldInfo;
}

function prefixes(name: string): string[] {
  const out: string[] = [];
  for (let i = name.lastIndexOf("."); i > 0; i = name.lastIndexOf(".", i - 1)) out.push(name.slice(0, i));
  return out;
}

/** A field a definition list makes: the field itself, or one its parents imply (flattened key, object_type). */
function definedBy(catalog: FieldCatalog, name: string): FieldInfo | undefined {
  const r = resolveField(catalog, name);
  return r.kind === "mapped" ? r.info : undefined;
}

function mentions(fields: CompactFields | undefined, name: string): boolean {
  if (!fields) return false;
  return Object.hasOwn(fields, name) || prefixes(name).some((p) => Object.hasOwn(fields, p));
}

let ecsCatalog: FieldCatalog | undefined;
const ymlCatalogs = new Map<string, FieldCatalog>();

function ymlCatalog(file: string): FieldCatalog {
  let catalog = ymlCatalogs.get(file);
  if (!catalog)
    ymlCatalogs.set(file, (catalog = fieldCatalog({ fieldFiles: [file], unknownFields: "unmapped" })));
  return catalog;
}

export function fieldDefinitions(name: string, config: DacConfig): FieldDefinition[] {
  const out: FieldDefinition[] = [];
  // Unknown names fall through: ECS alone has no dynamic objects, so only real definitions resolve.
  ecsCatalog ??= fieldCatalog({ ecs: true, unknownFields: "unmapped" });
  const ecs = definedBy(ecsCatalog, name);
  if (ecs) out.push({ kind: "ecs", label: `ECS ${ecsVersion}`, info: ecs });
  const files = discoverFieldFiles(config);
  const compactFile = (file: string, kind: "package" | "catalogue") => {
    const catalog = readCatalogue(file);
    const parts: [string | undefined, CompactFields | undefined][] = [
      [undefined, catalog.fields],
      ...Object.entries(catalog.dataStreams ?? {}),
    ];
    for (const [ds, fields] of parts) {
      if (!mentions(fields, name)) continue;
      const defs = fieldsFromCompact(fields!, catalog.keywordIgnoreAbove);
      const info = definedBy(fieldCatalog({ definitions: [defs], unknownFields: "unmapped" }), name);
      if (!info) continue;
      const label = [catalog.package, ds].filter(Boolean).join(".") || basename(file);
      const def: FieldDefinition = { kind, label, file: shownDefinitionFile(file, config.root), info };
      if (catalog.package) def.package = catalog.package;
      if (ds !== undefined) def.dataStream = ds;
      if (catalog.source) def.source = catalog.source;
      if (catalog.indexPatterns) def.indexPatterns = [...catalog.indexPatterns];
      out.push(def);
    }
  };
  for (const file of new Set(files.packages.values())) compactFile(file, "package");
  for (const file of files.catalogues) compactFile(file, "catalogue");
  const ymls: [string, string | undefined][] = [
    ...files.shared.map((f): [string, undefined] => [f, undefined]),
    ...[...files.integrations].flatMap(([integration, list]) =>
      list.map((f): [string, string] => [f, integration]),
    ),
  ];
  for (const [file, integration] of ymls) {
    const info = definedBy(ymlCatalog(file), name);
    if (!info) continue;
    const shown = shownDefinitionFile(file, config.root);
    const def: FieldDefinition = { kind: "fields-file", label: shown, file: shown, info };
    if (integration) {
      const [pkg, ds] = integration.split(".", 2) as [string, string | undefined];
      def.package = pkg;
      if (ds) def.dataStream = ds;
    }
    out.push(def);
  }
  return out;
}

/** Every field name the definitions know (ECS and every file), for did-you-mean suggestions. */
export function knownFieldNames(config: DacConfig): Map<string, FieldInfo> {
  ecsCatalog ??= fieldCatalog({ ecs: true, unknownFields: "unmapped" });
  const out = new Map<string, FieldInfo>(ecsCatalog.fields);
  const files = discoverFieldFiles(config);
  for (const file of new Set([...files.packages.values(), ...files.catalogues])) {
    const catalog = readCatalogue(file);
    for (const fields of [catalog.fields, ...Object.values(catalog.dataStreams ?? {})])
      for (const [field, raw] of Object.entries(fields ?? {}))
        if (!out.has(field))
          out.set(field, {
            name: field,
            type: typeof raw === "string" ? raw : raw.type,
            source: "catalogue",
          });
  }
  for (const file of [...files.shared, ...[...files.integrations.values()].flat()]) {
    const catalog = ymlCatalog(file);
    for (const [field, info] of catalog.fields) if (!out.has(field)) out.set(field, info);
  }
  return out;
}
