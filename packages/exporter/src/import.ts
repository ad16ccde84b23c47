import { existsSync, lstatSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { Document, parse, Scalar, visit } from "yaml";
import { writeFileAtomic } from "@dac/schema";
import { canonicalJson, compareStrings } from "./canonical.js";
import { kibanaDefaults, typeDefaults } from "./kibana-defaults.js";
import { validateKibanaBody } from "./kibana-schema.js";
import { lockSubjects, type Lock } from "./lock.js";
import {
  defaultManagementTag,
  derivedRequiredFields,
  normalizeRequiredFields,
  orderKeys,
  remoteToPayload,
  toKibanaPayload,
} from "./payload.js";
import { fieldChanges } from "./plan.js";
import {
  attachExceptionLists,
  listKey,
  stableListIds,
  type ExceptionListSource,
  type ExceptionSetSource,
} from "./exceptions.js";
import {
  exceptionListFileName,
  exceptionListToYaml,
  importedListSource,
  type ExceptionLine,
  type ImportedExceptionList,
} from "./exceptions-import.js";
import type { RequiredField, RequiredFieldsFn, RuleData } from "./types.js";

export interface ImportOptions {
  managementTag?: string;
  requiredFields?: RequiredFieldsFn;
  /** `YYYY-MM-DD` for `metadata.created`/`updated` when the source has no timestamps. */
  today?: string;
}

/** A rule line from ndjson or `_find`, with its position for messages. */
export interface ImportSource {
  /** e.g. `rules.ndjson:3` or `kibana:<id>`. */
  origin: string;
  rule: Record<string, unknown>;
}

export interface SkippedSource {
  origin: string;
  rule_id?: string;
  /** The rule's name, when the line has one. */
  name?: string;
  /**
   * `not-a-rule`, `prebuilt` and `unchanged` (already in the repository with the same payload) are left out by
   * design; `invalid`, `duplicate` and `exists` (a file or a different rule in the way) need attention.
   */
  kind: "not-a-rule" | "prebuilt" | "unchanged" | "invalid" | "exists" | "duplicate" | "link";
  reason: string;
}

/** Whether a skip needs the user's attention (`dac import` then exits 1). */
export function skipNeedsAttention(skip: SkippedSource): boolean {
  return (
    skip.kind === "invalid" || skip.kind === "exists" || skip.kind === "duplicate" || skip.kind === "link"
  );
}

/**
 * Reads an ndjson file as `_import` does: blank lines and the export summary (`exported_count`) are ignored;
 * exception lists, items and connectors are skipped with a reason; a line that is not JSON is skipped too.
 */
export function parseNdjsonRules(
  text: string,
  file: string,
): { sources: ImportSource[]; skipped: SkippedSource[]; exceptions: ExceptionLine[] } {
  const sources: ImportSource[] = [];
  const skipped: SkippedSource[] = [];
  const exceptions: ExceptionLine[] = [];
  text.split("\n").forEach((line, i) => {
    const origin = `${file}:${i + 1}`;
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      skipped.push({ origin, kind: "invalid", reason: `not JSON: ${(e as Error).message}` });
      return;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      skipped.push({ origin, kind: "invalid", reason: "not a JSON object" });
      return;
    }
    const object = value as Record<string, unknown>;
    if ("exported_count" in object) return;
    if ("list_id" in object || "item_id" in object || "entries" in object) {
      exceptions.push({ origin, object });
    } else if ("attributes" in object) {
      skipped.push({ origin, kind: "not-a-rule", reason: "an action connector, not a rule" });
    } else {
      sources.push({ origin, rule: object });
    }
  });
  return { sources, skipped, exceptions };
}

function datePart(value: unknown, fallback: string): string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : fallback;
}

/** The Fleet package(s) a rule is for: its related integrations, else a `logs-<package>.*` index pattern. */
function integrationOf(rule: Record<string, unknown>): string | string[] {
  const related = Array.isArray(rule.related_integrations)
    ? (rule.related_integrations as { package?: unknown }[])
    : [];
  const packages = [
    ...new Set(related.map((r) => r.package).filter((p): p is string => typeof p === "string" && p !== "")),
  ];
  if (packages.length === 1) return packages[0]!;
  if (packages.length > 1) return packages;
  const index = Array.isArray(rule.index) ? (rule.index as unknown[]) : [];
  for (const pattern of index) {
    const match = typeof pattern === "string" ? /^logs-([a-z0-9_]+)[.-]/.exec(pattern) : null;
    if (match) return match[1]!;
  }
  return "custom";
}

/**
 * A Kibana rule (an `_import` line or a `_find` result) as repository YAML data: server-only fields dropped,
 * Kibana's defaults removed, the management tag removed, `required_fields` kept only when they differ from what
 * the query gives, `version` moved to `metadata.version`. `toKibanaPayload` of the result gives the same payload.
 */
export function kibanaRuleToRuleData(rule: Record<string, unknown>, options: ImportOptions = {}): RuleData {
  const managementTag = options.managementTag ?? defaultManagementTag;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const { version, ...fields } = remoteToPayload(rule);
  const data: Record<string, unknown> = { ...fields };
  data.tags = (Array.isArray(data.tags) ? (data.tags as string[]) : []).filter((t) => t !== managementTag);

  const listed = normalizeRequiredFields(
    Array.isArray(data.required_fields) ? (data.required_fields as RequiredField[]) : [],
  );
  delete data.required_fields;
  const derived = derivedRequiredFields(data as RuleData, options.requiredFields) ?? [];
  if (canonicalJson(listed) !== canonicalJson(derived)) data.required_fields = listed;

  const defaults = { ...kibanaDefaults, ...typeDefaults(data.type) };
  for (const [key, value] of Object.entries(defaults)) {
    if (key !== "required_fields" && key in data && canonicalJson(data[key]) === canonicalJson(value))
      delete data[key];
  }
  data.metadata = {
    maturity: "production",
    created: datePart(rule.created_at, today),
    updated: datePart(rule.updated_at, today),
    integration: integrationOf(rule),
    version: typeof version === "number" && version >= 1 ? version : 1,
  };
  const { metadata, ...rest } = data;
  return { ...orderKeys(rest), metadata } as RuleData;
}

const yamlOptions = { lineWidth: 0, blockQuote: "literal", indentSeq: true } as const;

/** Whether a string survives as a literal block (a whitespace-only line, for one, does not). */
function survivesAsBlock(value: string): boolean {
  return (parse(new Document({ v: value }).toString(yamlOptions)) as { v: unknown }).v === value;
}

/**
 * YAML text for a rule: the schema header line, literal block scalars for multi-line strings (double quotes
 * where a block would change the text), no line folding, dates quoted. Checked by parsing it back.
 */
export function ruleToYaml(data: RuleData, schemaRef: string): string {
  const doc = new Document(data);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string") return;
      // YAML 1.1 tools (and some editors) read an unquoted 2026-01-02 as a date.
      if (/^\d{4}-\d{2}-\d{2}$/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
      else if (node.value.includes("\n") && !survivesAsBlock(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const text = `# yaml-language-server: $schema=${schemaRef}\n${doc.toString(yamlOptions)}`;
  if (canonicalJson(parse(text)) !== canonicalJson(data)) {
    throw new Error(`YAML for rule ${String(data.rule_id)} does not read back as the same data`);
  }
  return text;
}

/** File name from the rule name: lowercase words joined by `_`. */
export function ruleFileName(name: string, ruleId: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 80)
    .replace(/_+$/, "");
  return `${slug || ruleId}.yaml`;
}

export interface ImportedRule {
  rule_id: string;
  name: string;
  file: string;
  version: number;
  /** Where the payload dac will publish differs from the source (e.g. defaults filled in, tags reordered). */
  normalized: string[];
}

export interface ImportResultSummary {
  written: ImportedRule[];
  /** Exception list files written. */
  writtenExceptions: ImportedExceptionFile[];
  skipped: SkippedSource[];
  /** The lock with entries for the written rules. */
  lock: Lock;
}

export interface WriteImportOptions extends ImportOptions {
  /** Repository root (for the schema header's relative path). */
  root: string;
  /** Where new files go: `<dir>/<integration>/<name>.yaml` when `byIntegration`, else `<dir>/<name>.yaml`. */
  dir: string;
  byIntegration?: boolean;
  lock: Lock;
  /** Rule files already in the repository, by rule_id. */
  existing?: ReadonlyMap<string, string>;
  /** How a path appears in messages (the CLI's: relative to the working directory). */
  showPath?: (path: string) => string;
  /** Overwrite existing files. */
  force?: boolean;
  /**
   * The folder every written file must lie in without passing through a symbolic link (default: `dir`).
   * A rule whose file, or a folder on the way to it, is a link is skipped: dac never writes through or over a
   * link, and a folder walk does not follow one, so a file written there would be a lock entry without a rule.
   */
  within?: string;
  /** Puts the YAML text in the repository's canonical form (`dac fmt`'s formatter); default: as generated. */
  format?: (text: string, file: string) => string;
  /** Exception lists to write with the rules (see `exceptionListsFromKibana`). */
  exceptionLists?: readonly ImportedExceptionList[];
  /** Where shared lists go (`<dir>/<list_id>.yaml`); rule-default lists go next to their rule. */
  exceptionsDir?: string;
  /** The repository's exception lists already there, so references to them resolve for the lock. */
  existingExceptions?: ExceptionSetSource;
}

export interface ImportedExceptionFile {
  file: string;
  list_id: string;
  items: number;
}

/** The first path from `within` (exclusive) down to `file` (inclusive) that is a symbolic link, if any. */
function linkOnPath(within: string, file: string): string | undefined {
  let path = within;
  for (const part of relative(within, file).split(sep)) {
    path = join(path, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(path).isSymbolicLink();
    } catch {
      return undefined; // does not exist yet: nothing below it does either
    }
    if (isLink) return path;
  }
  return undefined;
}

/**
 * Writes rule files and lock entries for Kibana rules. Never overwrites a file without `force`; a rule whose
 * rule_id is already in the repository is written over its file only with `force`. Prebuilt rules and rules
 * that are not valid import lines are skipped.
 */
export async function writeImportedRules(
  sources: readonly ImportSource[],
  options: WriteImportOptions,
): Promise<ImportResultSummary> {
  const skipped: SkippedSource[] = [];
  const lock: Lock = { ...options.lock };
  const managementTag = options.managementTag ?? defaultManagementTag;
  const seenIds = new Set<string>();
  const imported = options.exceptionLists ?? [];
  const existingLists = options.existingExceptions?.lists ?? [];
  const repositoryKeys = new Set([
    ...imported.map((l) => l.key),
    ...existingLists.map((l) => listKey(l.namespace_type, l.list_id)),
  ]);
  // Rule-default lists that will sit next to their rule: the rule then needs no reference to them.
  const ruleDefaultKeys = new Map<string, string>();
  for (const l of imported) if (l.rule_id) ruleDefaultKeys.set(l.key, l.rule_id);
  for (const l of existingLists)
    if (l.rule_id) ruleDefaultKeys.set(listKey(l.namespace_type, l.list_id), l.rule_id);
  const accepted: {
    origin: string;
    rule: Record<string, unknown>;
    ruleId: string;
    data: RuleData;
    folder: string;
  }[] = [];
  // Decide everything first: which rules, under which file names; then write.
  for (const { origin, rule } of [...sources].sort((a, b) =>
    compareStrings(String(a.rule.rule_id), String(b.rule.rule_id)),
  )) {
    const ruleId = typeof rule.rule_id === "string" ? rule.rule_id : undefined;
    const name = typeof rule.name === "string" ? rule.name : undefined;
    const who = { origin, ...(ruleId !== undefined ? { rule_id: ruleId } : {}), ...(name ? { name } : {}) };
    if (
      rule.immutable === true ||
      (rule.rule_source as { type?: unknown } | undefined)?.type === "external"
    ) {
      skipped.push({
        ...who,
        kind: "prebuilt",
        reason: "a prebuilt Elastic rule; dac does not manage prebuilt rules",
      });
      continue;
    }
    const problems = validateKibanaBody("importLine", rule);
    if (problems.length > 0 || ruleId === undefined) {
      skipped.push({
        ...who,
        kind: "invalid",
        reason: `not a valid Kibana rule: ${problems.join("; ") || "no rule_id"}`,
      });
      continue;
    }
    if (seenIds.has(ruleId)) {
      skipped.push({ ...who, kind: "duplicate", reason: "the same rule_id appears earlier in the input" });
      continue;
    }
    seenIds.add(ruleId);
    const data = simplifyReferences(
      kibanaRuleToRuleData(rule, options),
      ruleId,
      repositoryKeys,
      ruleDefaultKeys,
    );
    const integration = data.metadata!.integration;
    const folder = options.byIntegration
      ? join(options.dir, Array.isArray(integration) ? String(integration[0]) : String(integration))
      : options.dir;
    const existing = options.existing?.get(ruleId);
    if (existing && !options.force) {
      const known: ExceptionSetSource = {
        lists: [...existingLists, ...imported.map((l) => importedListSource(l, ""))],
        valueLists: [],
      };
      const [subject] = lockSubjects(attachExceptionLists([{ file: existing, data }], known).rules, {
        managementTag,
        requiredFields: options.requiredFields,
      });
      const same = lock[ruleId]?.sha256 === subject!.sha256;
      const shown = options.showPath?.(existing) ?? existing;
      skipped.push({
        ...who,
        kind: same ? "unchanged" : "exists",
        reason: same
          ? `already in the repository as ${shown}, with the same content`
          : `already in the repository as ${shown}, with other content (use --force to overwrite it)`,
      });
      continue;
    }
    accepted.push({ origin, rule, ruleId, data, folder });
  }

  // File names: the rule's name; rules of one batch whose names clash get a longer and longer part of their
  // rule_id, then a counter, so every name is unique and depends only on the input.
  const planned = new Map<string, string>();
  const taken = new Set<string>();
  for (const a of accepted) {
    const existing = options.existing?.get(a.ruleId);
    if (existing) taken.add(existing);
  }
  const base = (a: (typeof accepted)[number]) => join(a.folder, ruleFileName(String(a.data.name), a.ruleId));
  const counts = new Map<string, number>();
  for (const a of accepted) counts.set(base(a), (counts.get(base(a)) ?? 0) + 1);
  const wanted: string[] = [];
  for (const a of accepted) {
    const existing = options.existing?.get(a.ruleId);
    if (existing) {
      planned.set(a.ruleId, existing);
      continue;
    }
    let file = base(a);
    if ((counts.get(file) ?? 0) > 1 && wanted.includes(file)) {
      const id = a.ruleId.toLowerCase().replace(/[^a-z0-9]+/g, "");
      for (let n = 8; n <= id.length && (taken.has(file) || wanted.includes(file)); n += 4)
        file = join(a.folder, ruleFileName(`${String(a.data.name)} ${id.slice(0, n)}`, a.ruleId));
      for (let k = 2; taken.has(file) || wanted.includes(file); k++)
        file = join(a.folder, ruleFileName(`${String(a.data.name)} ${id} ${k}`, a.ruleId));
    }
    wanted.push(file);
    planned.set(a.ruleId, file);
  }

  const toWrite: { file: string; text: string; a: (typeof accepted)[number] }[] = [];
  for (const a of accepted) {
    const file = planned.get(a.ruleId)!;
    const isExisting = options.existing?.get(a.ruleId) === file;
    const link = linkOnPath(options.within ?? options.dir, file);
    if (link !== undefined) {
      skipped.push({
        origin: a.origin,
        rule_id: a.ruleId,
        name: String(a.data.name),
        kind: "link",
        reason: `${link} is a symbolic link; dac never writes through or over a link (use --out-dir with a real folder)`,
      });
      continue;
    }
    if (!isExisting && existsSync(file) && !options.force) {
      skipped.push({
        origin: a.origin,
        rule_id: a.ruleId,
        name: String(a.data.name),
        kind: "exists",
        reason: `${file} already exists (use --force to overwrite it)`,
      });
      continue;
    }
    const schemaRef = relative(dirname(file), join(options.root, "schemas", "rule.schema.json"))
      .split(sep)
      .join("/");
    const yaml = ruleToYaml(a.data, schemaRef);
    toWrite.push({ file, text: options.format ? options.format(yaml, file) : yaml, a });
  }

  // Exception lists: shared ones under the exceptions folder, rule-default ones next to their rule's file.
  const ruleFiles = new Map<string, string>([...(options.existing ?? new Map<string, string>()), ...planned]);
  const exceptionWrites: { file: string; text: string; list: ImportedExceptionList }[] = [];
  const exceptionSources: ExceptionListSource[] = [...existingLists];
  for (const list of imported) {
    const listId = String(list.data.list_id);
    const who = { origin: list.origin, name: String(list.data.name) };
    let file: string;
    if (list.data.type === "rule_default") {
      const ruleFile = list.rule_id ? ruleFiles.get(list.rule_id) : undefined;
      if (!ruleFile) {
        skipped.push({
          ...who,
          kind: "invalid",
          reason: `rule-default list ${listId}: no imported or repository rule refers to it`,
        });
        continue;
      }
      file = ruleFile.replace(/\.ya?ml$/i, ".exceptions.yaml");
    } else if (options.exceptionsDir) {
      file = join(options.exceptionsDir, exceptionListFileName(listId));
    } else {
      skipped.push({
        ...who,
        kind: "invalid",
        reason: `exception list ${listId}: no exceptions folder configured`,
      });
      continue;
    }
    const current = existingLists.find((l) => listKey(l.namespace_type, l.list_id) === list.key);
    if ((existsSync(file) || current) && !options.force) {
      skipped.push({
        ...who,
        kind: "exists",
        reason: `exception list ${listId}: ${current ? `already in the repository as ${options.showPath?.(current.file) ?? current.file}` : `${options.showPath?.(file) ?? file} already exists`} (use --force to overwrite it)`,
      });
      continue;
    }
    const link = linkOnPath(options.root, file);
    if (link !== undefined) {
      skipped.push({
        ...who,
        kind: "link",
        reason: `${link} is a symbolic link; dac never writes through or over a link`,
      });
      continue;
    }
    const schemaRef = relative(dirname(file), join(options.root, "schemas", "exception-list.schema.json"))
      .split(sep)
      .join("/");
    exceptionWrites.push({ file, text: exceptionListToYaml(list.data, schemaRef), list });
    exceptionSources.push(importedListSource(list, relative(options.root, file).split(sep).join("/")));
  }
  const exceptionSet: ExceptionSetSource = { lists: exceptionSources, valueLists: [] };
  const attached = (file: string, data: RuleData) =>
    attachExceptionLists([{ file, data }], exceptionSet).rules[0]!.data;

  const writtenExceptions: ImportedExceptionFile[] = [];
  for (const { file, text, list } of exceptionWrites) {
    await writeFileAtomic(file, options.format ? options.format(text, file) : text);
    writtenExceptions.push({
      file,
      list_id: String(list.data.list_id),
      items: (list.data.items as unknown[]).length,
    });
  }

  const written: ImportedRule[] = [];
  for (const { file, text, a } of toWrite) {
    const { ruleId, data, rule } = a;
    await writeFileAtomic(file, text);
    const version = data.metadata!.version as number;
    const [subject] = lockSubjects([{ file, data: attached(file, data) }], {
      managementTag,
      requiredFields: options.requiredFields,
    });
    const previous = lock[ruleId];
    lock[ruleId] = {
      name: subject!.name,
      sha256: subject!.sha256,
      version: Math.max(version, previous?.version ?? 0),
    };
    const republished = toKibanaPayload(attached(file, data), {
      version,
      managementTag,
      requiredFields: options.requiredFields,
    });
    const normalized = fieldChanges(stableListIds(remoteToPayload(rule), repositoryKeys), republished).map(
      (c) => c.path,
    );
    written.push({
      rule_id: ruleId,
      name: String(data.name),
      file,
      version: lock[ruleId]!.version,
      normalized,
    });
  }
  return { written, writtenExceptions, skipped, lock };
}

/**
 * A rule's references in the repository's form: `{list_id}` (with `namespace_type` for an agnostic list) for a
 * list the repository holds, nothing for its own rule-default list (which applies without being named), and
 * Kibana's full reference for any other list (one dac does not manage, such as Elastic's endpoint list).
 */
function simplifyReferences(
  data: RuleData,
  ruleId: string,
  repository: ReadonlySet<string>,
  ruleDefaults: ReadonlyMap<string, string>,
): RuleData {
  if (!Array.isArray(data.exceptions_list)) return data;
  const refs = (data.exceptions_list as { list_id: string; namespace_type: string }[]).flatMap((ref) => {
    const key = listKey(ref.namespace_type, ref.list_id);
    if (ruleDefaults.get(key) === ruleId) return [];
    if (!repository.has(key)) return [ref];
    return [
      ref.namespace_type === "agnostic"
        ? { list_id: ref.list_id, namespace_type: "agnostic" }
        : { list_id: ref.list_id },
    ];
  });
  const { exceptions_list: _refs, ...rest } = data;
  if (refs.length === 0) return rest as RuleData;
  // Keep the key where the rule's canonical order puts it.
  return {
    ...orderKeys({ ...rest, exceptions_list: refs, metadata: undefined } as Record<string, unknown>),
    metadata: data.metadata,
  } as RuleData;
}
