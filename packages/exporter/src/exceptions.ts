/**
 * Exception lists, items and value lists on their way to Kibana: the bodies dac sends, the normalized form it
 * compares, the references rules carry, and the ndjson lines of an export.
 *
 * The types are plain data, structurally those of `@dac/exceptions` (its loader's output), so that the
 * exporter does not depend on how exceptions are read.
 */
import { createHash } from "node:crypto";
import { compareStrings, sortKeysDeep } from "./canonical.js";
import { validateKibanaBody, type KibanaBody } from "./kibana-schema.js";
import { defaultManagementTag, withManagementTag } from "./payload.js";
import type { RuleData, RuleSource } from "./types.js";

export type NamespaceType = "single" | "agnostic";

export interface ExceptionItemSource {
  item_id: string;
  name: string;
  description: string;
  type?: "simple";
  entries: unknown[];
  comments?: { comment: string }[];
  expire_time?: string;
  os_types?: string[];
  tags?: string[];
}

export interface ExceptionListSource {
  list_id: string;
  name: string;
  description: string;
  type: string;
  namespace_type: NamespaceType;
  tags?: string[];
  os_types?: string[];
  items: ExceptionItemSource[];
  file: string;
  /** A rule-default list: the exceptions of this one rule. */
  rule_id?: string;
}

export interface ValueListSource {
  id: string;
  type: string;
  name: string;
  description: string;
  values: string[];
  file: string;
}

export interface ExceptionSetSource {
  lists: readonly ExceptionListSource[];
  valueLists: readonly ValueListSource[];
}

/** A rule's reference to an exception list, as Kibana's `exceptions_list` holds it (RuleExceptionList). */
export interface ExceptionListRef {
  id: string;
  list_id: string;
  type: string;
  namespace_type: NamespaceType;
}

/** `namespace_type:list_id`: how lists are told apart (list_id is unique per saved-object type). */
export function listKey(namespaceType: string, listId: string): string {
  return `${namespaceType}:${listId}`;
}

// RFC 4122 §4.3 name-based UUID (version 5) under a namespace of dac's own.
const idNamespace = Buffer.from("5b1d3c9e8f2a4e7b9c0d1e2f3a4b5c6d", "hex");

/**
 * The `id` dac writes for a list reference before Kibana has given one: a UUID derived from namespace_type and
 * list_id, so exports and lock hashes are the same on every machine. Kibana's rule import replaces it with the
 * id of the list it finds by list_id and namespace_type (rule_management/logic/import/
 * check_rule_exception_references.ts), and publish replaces it with the id of the list in the space.
 */
export function stableListId(namespaceType: string, listId: string): string {
  const hash = createHash("sha1").update(idNamespace).update(listKey(namespaceType, listId)).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface RuleExceptionProblem {
  rule_id: string;
  file: string;
  message: string;
}

/**
 * Rules with complete `exceptions_list` references: each `{list_id}` of the YAML gets the list's `type`,
 * `namespace_type` and stable id, and a rule with a rule-default list gets a reference to it (Kibana links a
 * rule to its rule-default list only through that reference). A list_id the repository does not have is a
 * problem, unless the YAML gives the whole reference (a list managed elsewhere, e.g. Elastic's endpoint list).
 */
export function attachExceptionLists<T extends RuleSource>(
  rules: readonly T[],
  set: ExceptionSetSource,
): { rules: T[]; problems: RuleExceptionProblem[] } {
  const byListId = new Map<string, ExceptionListSource[]>();
  for (const l of set.lists) byListId.set(l.list_id, [...(byListId.get(l.list_id) ?? []), l]);
  const problems: RuleExceptionProblem[] = [];
  const out = rules.map((rule) => {
    const ruleId = String(rule.data.rule_id);
    const given = Array.isArray(rule.data.exceptions_list)
      ? (rule.data.exceptions_list as Partial<ExceptionListRef>[])
      : [];
    const refs: ExceptionListRef[] = [];
    for (const ref of given) {
      const candidates = (byListId.get(String(ref.list_id)) ?? []).filter(
        (l) => ref.namespace_type === undefined || l.namespace_type === ref.namespace_type,
      );
      const list = candidates[0];
      if (list) {
        refs.push({
          id: stableListId(list.namespace_type, list.list_id),
          list_id: list.list_id,
          type: list.type,
          namespace_type: list.namespace_type,
        });
      } else if (ref.id && ref.type && ref.namespace_type && ref.list_id) {
        refs.push({ id: ref.id, list_id: ref.list_id, type: ref.type, namespace_type: ref.namespace_type });
      } else {
        problems.push({
          rule_id: ruleId,
          file: rule.file,
          message: `exceptions_list refers to list_id "${String(ref.list_id)}", which is not in the repository's exceptions`,
        });
      }
    }
    for (const list of set.lists) {
      if (list.rule_id !== ruleId) continue;
      if (refs.some((r) => r.list_id === list.list_id && r.namespace_type === list.namespace_type)) continue;
      refs.push({
        id: stableListId(list.namespace_type, list.list_id),
        list_id: list.list_id,
        type: list.type,
        namespace_type: list.namespace_type,
      });
    }
    if (refs.length === 0 && given.length === 0) return rule;
    return { ...rule, data: { ...rule.data, exceptions_list: refs } as RuleData };
  });
  return { rules: out, problems };
}

/** Replaces the stable ids of a payload's references with the ids Kibana gave the lists (by list key). */
export function resolveListIds<T extends Record<string, unknown>>(
  payload: T,
  kibanaIds: ReadonlyMap<string, string>,
): T {
  if (!Array.isArray(payload.exceptions_list) || payload.exceptions_list.length === 0) return payload;
  const refs = (payload.exceptions_list as ExceptionListRef[]).map((r) => {
    const id = kibanaIds.get(listKey(r.namespace_type, r.list_id));
    return id ? { ...r, id } : r;
  });
  return { ...payload, exceptions_list: refs };
}

/** The reverse for comparisons with the lock: Kibana's ids of the repository's lists back to the stable ones. */
export function stableListIds<T extends Record<string, unknown>>(
  payload: T,
  repositoryLists: ReadonlySet<string>,
): T {
  if (!Array.isArray(payload.exceptions_list) || payload.exceptions_list.length === 0) return payload;
  const refs = (payload.exceptions_list as ExceptionListRef[]).map((r) =>
    repositoryLists.has(listKey(r.namespace_type, r.list_id))
      ? { ...r, id: stableListId(r.namespace_type, r.list_id) }
      : r,
  );
  return { ...payload, exceptions_list: refs };
}

/** The list body dac creates and compares (CreateExceptionList): the management tag last in `tags`. */
export function exceptionListBody(list: ExceptionListSource, managementTag = defaultManagementTag) {
  return sortKeysDeep({
    list_id: list.list_id,
    name: list.name,
    description: list.description,
    type: list.type,
    namespace_type: list.namespace_type,
    os_types: list.os_types ?? [],
    tags: withManagementTag(list.tags ?? [], managementTag),
  });
}

/** The item body dac creates and compares (CreateExceptionListItem). */
export function exceptionItemBody(
  item: ExceptionItemSource,
  list: Pick<ExceptionListSource, "list_id" | "namespace_type">,
  managementTag = defaultManagementTag,
) {
  return sortKeysDeep({
    item_id: item.item_id,
    list_id: list.list_id,
    namespace_type: list.namespace_type,
    type: "simple" as const,
    name: item.name,
    description: item.description,
    entries: item.entries,
    os_types: item.os_types ?? [],
    tags: withManagementTag(item.tags ?? [], managementTag),
    comments: (item.comments ?? []).map((c) => ({ comment: c.comment })),
    ...(item.expire_time !== undefined ? { expire_time: item.expire_time } : {}),
  });
}

/** The key under `meta` that marks a value list as dac's (value lists have no tags). */
export const valueListMarker = "managed_by";

export function valueListBody(list: ValueListSource, managementTag = defaultManagementTag) {
  return sortKeysDeep({
    id: list.id,
    name: list.name,
    description: list.description,
    type: list.type,
    meta: { [valueListMarker]: managementTag },
  });
}

/** A list as Kibana answers it, in body form (server fields dropped). */
export function remoteListBody(remote: Record<string, unknown>) {
  return sortKeysDeep({
    list_id: remote.list_id,
    name: remote.name,
    description: remote.description,
    type: remote.type,
    namespace_type: remote.namespace_type,
    os_types: remote.os_types ?? [],
    tags: remote.tags ?? [],
  });
}

/** An item as Kibana answers it, in body form: comments reduced to their text (Kibana adds id, author, time). */
export function remoteItemBody(remote: Record<string, unknown>) {
  const comments = Array.isArray(remote.comments) ? (remote.comments as { comment: string }[]) : [];
  return sortKeysDeep({
    item_id: remote.item_id,
    list_id: remote.list_id,
    namespace_type: remote.namespace_type,
    type: remote.type,
    name: remote.name,
    description: remote.description,
    entries: remote.entries,
    os_types: remote.os_types ?? [],
    tags: remote.tags ?? [],
    comments: comments.map((c) => ({ comment: c.comment })),
    ...(remote.expire_time !== undefined ? { expire_time: remote.expire_time } : {}),
  });
}

/** Validates a body against `schemas/kibana/exceptions.schema.json`; the problems, empty when valid. */
export function exceptionBodyProblems(kind: KibanaBody, body: unknown): string[] {
  return validateKibanaBody(kind, body);
}

/**
 * The exception lines of an export, as Kibana's rule export writes them after the rules
 * (get_export_rule_exceptions.ts → exportExceptionListAndItems): each list, then its items; lists in
 * (namespace_type, list_id) order and items in item_id order, so the same repository gives the same bytes.
 * Value lists are not part of it: Kibana's export does not carry them either.
 */
export function exceptionExportLines(
  lists: readonly ExceptionListSource[],
  managementTag = defaultManagementTag,
): string[] {
  const lines: string[] = [];
  const ordered = [...lists].sort((a, b) =>
    compareStrings(listKey(a.namespace_type, a.list_id), listKey(b.namespace_type, b.list_id)),
  );
  for (const list of ordered) {
    lines.push(JSON.stringify(exceptionListBody(list, managementTag)));
    const items = [...list.items].sort((a, b) => compareStrings(a.item_id, b.item_id));
    for (const item of items) lines.push(JSON.stringify(exceptionItemBody(item, list, managementTag)));
  }
  return lines;
}

export interface ExceptionProblem {
  file: string;
  message: string;
}

/** Every list and item body checked against Kibana's schemas before anything is sent or written. */
export function exceptionSetProblems(
  set: ExceptionSetSource,
  managementTag = defaultManagementTag,
): ExceptionProblem[] {
  const problems: ExceptionProblem[] = [];
  for (const list of set.lists) {
    for (const p of validateKibanaBody("exceptionListCreate", exceptionListBody(list, managementTag)))
      problems.push({ file: list.file, message: `list ${list.list_id}: ${p}` });
    for (const item of list.items) {
      for (const p of validateKibanaBody("exceptionItemCreate", exceptionItemBody(item, list, managementTag)))
        problems.push({ file: list.file, message: `item ${item.item_id}: ${p}` });
    }
  }
  for (const v of set.valueLists) {
    for (const p of validateKibanaBody("valueListCreate", valueListBody(v, managementTag)))
      problems.push({ file: v.file, message: `value list ${v.id}: ${p}` });
    v.values.forEach((value) => {
      if (value.trim() === "") problems.push({ file: v.file, message: `value list ${v.id}: an empty value` });
    });
  }
  return problems;
}
