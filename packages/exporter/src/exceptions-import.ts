/**
 * Exception lists and items from Kibana (the exception lines of an ndjson export, or the exceptions API of a
 * live space) as repository data in `@dac/exceptions`' YAML format: server fields, Kibana's defaults and the
 * management tag dropped, items in item_id order. `exceptionListBody`/`exceptionItemBody` of the result give
 * back what Kibana holds, so export → import → export is byte-stable.
 */
import { Document, parse } from "yaml";
import { canonicalJson, compareStrings } from "./canonical.js";
import { listKey, type ExceptionListSource, type NamespaceType } from "./exceptions.js";
import { validateKibanaBody } from "./kibana-schema.js";
import { defaultManagementTag } from "./payload.js";

/** An exception line of an import, with where it came from. */
export interface ExceptionLine {
  origin: string;
  object: Record<string, unknown>;
}

/** A list as the repository will hold it: the YAML data, and the rule it belongs to for a rule-default list. */
export interface ImportedExceptionList {
  origin: string;
  key: string;
  data: Record<string, unknown>;
  /** The `rule_id` of the rule a `rule_default` list belongs to (the rule that refers to it). */
  rule_id?: string;
}

export interface ExceptionImportSkip {
  origin: string;
  list_id?: string;
  item_id?: string;
  name?: string;
  kind: "invalid" | "orphan" | "duplicate";
  reason: string;
}

/** `create_exceptions_stream_logic.ts`: a line with `entries` or `item_id` is an item, else a list. */
export function isExceptionItemLine(object: Record<string, unknown>): boolean {
  return "entries" in object || "item_id" in object;
}

function withoutTag(tags: unknown, managementTag: string): string[] {
  return Array.isArray(tags) ? (tags as string[]).filter((t) => t !== managementTag) : [];
}

function itemData(item: Record<string, unknown>, managementTag: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    item_id: item.item_id,
    name: item.name,
    description: item.description,
    entries: item.entries,
  };
  const comments = Array.isArray(item.comments) ? (item.comments as { comment: string }[]) : [];
  if (comments.length > 0) data.comments = comments.map((c) => ({ comment: c.comment }));
  if (typeof item.expire_time === "string") data.expire_time = item.expire_time;
  if (Array.isArray(item.os_types) && item.os_types.length > 0) data.os_types = item.os_types;
  const tags = withoutTag(item.tags, managementTag);
  if (tags.length > 0) data.tags = tags;
  return data;
}

/**
 * Groups exception lines into lists with their items. Each line is checked against Kibana's import schemas
 * (schemas/kibana/exceptions.schema.json); an invalid line, an item whose list is not in the input, and a
 * repeated list_id or item_id are skipped with a reason. `rules` tell which rule a rule-default list belongs to.
 */
export function exceptionListsFromKibana(
  lines: readonly ExceptionLine[],
  rules: readonly Record<string, unknown>[],
  options: { managementTag?: string } = {},
): { lists: ImportedExceptionList[]; skipped: ExceptionImportSkip[] } {
  const managementTag = options.managementTag ?? defaultManagementTag;
  const skipped: ExceptionImportSkip[] = [];
  const lists = new Map<string, ImportedExceptionList & { items: Map<string, Record<string, unknown>> }>();
  const items: ExceptionLine[] = [];
  for (const line of lines) {
    const { origin, object } = line;
    const who = {
      origin,
      ...(typeof object.list_id === "string" ? { list_id: object.list_id } : {}),
      ...(typeof object.item_id === "string" ? { item_id: object.item_id } : {}),
      ...(typeof object.name === "string" ? { name: object.name } : {}),
    };
    const isItem = isExceptionItemLine(object);
    const problems = validateKibanaBody(
      isItem ? "exceptionItemImportLine" : "exceptionListImportLine",
      object,
    );
    if (problems.length > 0) {
      skipped.push({
        ...who,
        kind: "invalid",
        reason: `not a valid exception ${isItem ? "item" : "list"}: ${problems.join("; ")}`,
      });
      continue;
    }
    if (isItem) {
      items.push(line);
      continue;
    }
    const namespace = (object.namespace_type as NamespaceType | undefined) ?? "single";
    const key = listKey(namespace, String(object.list_id));
    if (lists.has(key)) {
      skipped.push({ ...who, kind: "duplicate", reason: "the same list_id appears earlier in the input" });
      continue;
    }
    const data: Record<string, unknown> = {
      list_id: object.list_id,
      name: object.name,
      description: object.description,
      type: object.type,
      namespace_type: namespace,
    };
    const tags = withoutTag(object.tags, managementTag);
    if (tags.length > 0) data.tags = tags;
    if (Array.isArray(object.os_types) && object.os_types.length > 0) data.os_types = object.os_types;
    lists.set(key, { origin, key, data, items: new Map() });
  }
  for (const { origin, object } of items) {
    const key = listKey((object.namespace_type as string | undefined) ?? "single", String(object.list_id));
    const list = lists.get(key);
    const who = {
      origin,
      list_id: String(object.list_id),
      item_id: String(object.item_id),
      name: String(object.name),
    };
    if (!list) {
      skipped.push({
        ...who,
        kind: "orphan",
        reason: `its list ${String(object.list_id)} is not in the input`,
      });
      continue;
    }
    if (list.items.has(String(object.item_id))) {
      skipped.push({ ...who, kind: "duplicate", reason: "the same item_id appears earlier in the input" });
      continue;
    }
    list.items.set(String(object.item_id), itemData(object, managementTag));
  }
  const owners = new Map<string, string>();
  for (const rule of rules) {
    const refs = Array.isArray(rule.exceptions_list)
      ? (rule.exceptions_list as Record<string, unknown>[])
      : [];
    for (const ref of refs) {
      if (ref.type === "rule_default" && typeof rule.rule_id === "string")
        owners.set(listKey(String(ref.namespace_type ?? "single"), String(ref.list_id)), rule.rule_id);
    }
  }
  const out: ImportedExceptionList[] = [];
  for (const list of [...lists.values()].sort((a, b) => compareStrings(a.key, b.key))) {
    const itemList = [...list.items.values()].sort((a, b) =>
      compareStrings(String(a.item_id), String(b.item_id)),
    );
    const owner = list.data.type === "rule_default" ? owners.get(list.key) : undefined;
    out.push({
      origin: list.origin,
      key: list.key,
      data: { ...list.data, items: itemList },
      ...(owner ? { rule_id: owner } : {}),
    });
  }
  return { lists: out, skipped };
}

/** The imported list as the loader will give it, for lock hashes and exports before the files are read back. */
export function importedListSource(list: ImportedExceptionList, file: string): ExceptionListSource {
  const data = list.data as unknown as Omit<ExceptionListSource, "file">;
  return { ...data, file, ...(list.rule_id ? { rule_id: list.rule_id } : {}) };
}

const yamlOptions = { lineWidth: 0, blockQuote: "literal", indentSeq: true } as const;

/** YAML text for an exception list, with the schema header; checked by parsing it back. */
export function exceptionListToYaml(data: Record<string, unknown>, schemaRef: string): string {
  const text = `# yaml-language-server: $schema=${schemaRef}\n${new Document(data).toString(yamlOptions)}`;
  if (canonicalJson(parse(text)) !== canonicalJson(data))
    throw new Error(`YAML for exception list ${String(data.list_id)} does not read back as the same data`);
  return text;
}

/** File name for a shared list: its list_id, made safe for every file system. */
export function exceptionListFileName(listId: string): string {
  const safe = listId.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "");
  return `${safe || "list"}.yaml`;
}
