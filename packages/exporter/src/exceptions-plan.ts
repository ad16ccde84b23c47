/**
 * Planning and publishing exception lists, items and value lists in one Kibana space, through the exceptions
 * API (/api/exception_lists, /api/exception_lists/items) and the lists API (/api/lists, /api/lists/items).
 *
 * dac touches only what it manages: lists and items whose `tags` carry the management tag, value lists whose
 * `meta.managed_by` is the management tag. A list, item or value list with the same id that dac does not
 * manage is a conflict and is never written; unmanaged items inside a managed list are left alone, and a
 * managed list holding such items is never pruned (deleting a list deletes its items).
 */
import { compareStrings } from "./canonical.js";
import type { KibanaClient } from "./client.js";
import { KibanaRequestError } from "./errors.js";
import {
  exceptionItemBody,
  exceptionListBody,
  listKey,
  remoteItemBody,
  remoteListBody,
  valueListBody,
  valueListMarker,
  type ExceptionListSource,
  type ExceptionSetSource,
  type NamespaceType,
  type ValueListSource,
} from "./exceptions.js";
import { fieldChanges, type FieldChange } from "./plan.js";

export type ExceptionObjectKind = "exception_list" | "exception_item" | "value_list";
export type ExceptionAction = "create" | "update" | "unchanged" | "conflict" | "prune";

export interface ExceptionPlanEntry {
  kind: ExceptionObjectKind;
  action: ExceptionAction;
  /** `list_id` (lists), `item_id` (items) or the value list's `id`. */
  id: string;
  name: string;
  /** The list an item belongs to. */
  list_id?: string;
  namespace_type?: NamespaceType;
  /** The repository file (absent for `prune`). */
  file?: string;
  /** Kibana's object id, when Kibana has the object. */
  remote_id?: string;
  /** Kibana → repository, field by field (`update`, `conflict`). */
  changes?: FieldChange[];
  /** Value lists: the values to add and to remove. */
  values?: { added: string[]; removed: string[] };
  reason?: string;
}

export interface ExceptionPlan {
  entries: ExceptionPlanEntry[];
  counts: Record<ExceptionAction, number>;
  /** `namespace_type:list_id` → Kibana's id, for the managed exception lists visible in the space. */
  kibanaIds: Map<string, string>;
  /** Whether the space's value-list data streams exist (only asked when the repository has value lists). */
  listIndex: boolean;
}

const perPage = 100;

async function findAll(
  client: KibanaClient,
  path: string,
  query: Record<string, string>,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let page = 1; ; page++) {
    const { body } = await client.request("GET", path, { query: { ...query, page, per_page: perPage } });
    const found = body as { data?: unknown; total?: unknown };
    if (!Array.isArray(found?.data) || typeof found.total !== "number") {
      throw new KibanaRequestError(`GET ${client.target}${path}: unexpected answer (no data/total)`, {
        method: "GET",
        path,
        attempts: 1,
      });
    }
    out.push(...(found.data as Record<string, unknown>[]));
    if (found.data.length === 0 || page * perPage >= found.total) return out;
  }
}

const tagged = (remote: Record<string, unknown>, tag: string) =>
  Array.isArray(remote.tags) && (remote.tags as unknown[]).includes(tag);

/** Comments are append-only in Kibana: those it has and the repository lacks cannot be removed. */
function commentsToCompare(
  local: { comments: { comment: string }[] },
  remote: { comments: { comment: string }[] },
) {
  const remoteTexts = remote.comments.map((c) => c.comment);
  const onlyRemote = remoteTexts.filter((t) => !local.comments.some((c) => c.comment === t));
  const localCovers = local.comments.every((c) => remoteTexts.includes(c.comment));
  return { onlyRemote: onlyRemote.length, same: localCovers };
}

function count(entries: readonly ExceptionPlanEntry[]): Record<ExceptionAction, number> {
  const counts: Record<ExceptionAction, number> = {
    create: 0,
    update: 0,
    unchanged: 0,
    conflict: 0,
    prune: 0,
  };
  for (const e of entries) counts[e.action]++;
  return counts;
}

export async function buildExceptionPlan(
  client: KibanaClient,
  set: ExceptionSetSource,
  options: { managementTag: string },
): Promise<ExceptionPlan> {
  const tag = options.managementTag;
  const entries: ExceptionPlanEntry[] = [];
  const remoteLists = await findAll(client, "/api/exception_lists/_find", {
    namespace_type: "single,agnostic",
  });
  const kibanaIds = new Map<string, string>();
  const remoteByKey = new Map<string, Record<string, unknown>>();
  for (const r of remoteLists) {
    const key = listKey(String(r.namespace_type), String(r.list_id));
    // Only dac's own lists stand for the repository's: a rule never gets attached to someone else's list.
    if (tagged(r, tag)) kibanaIds.set(key, String(r.id));
    remoteByKey.set(key, r);
  }
  const localKeys = new Set(set.lists.map((l) => listKey(l.namespace_type, l.list_id)));

  const itemsOf = (r: Record<string, unknown>) =>
    findAll(client, "/api/exception_lists/items/_find", {
      list_id: String(r.list_id),
      namespace_type: String(r.namespace_type),
    });

  for (const list of [...set.lists].sort((a, b) => compareStrings(a.list_id, b.list_id))) {
    const key = listKey(list.namespace_type, list.list_id);
    const remote = remoteByKey.get(key);
    const base = {
      kind: "exception_list" as const,
      id: list.list_id,
      name: list.name,
      namespace_type: list.namespace_type,
      file: list.file,
    };
    if (!remote) {
      entries.push({ ...base, action: "create" });
      for (const item of list.items) entries.push(itemEntry(list, item.item_id, item.name, "create"));
      continue;
    }
    if (!tagged(remote, tag) || remote.immutable === true) {
      entries.push({
        ...base,
        action: "conflict",
        remote_id: String(remote.id),
        reason: `Kibana has a list with this list_id without the management tag "${tag}" (made by hand or another tool); dac never overwrites it: tag or delete it in Kibana, or change the list_id`,
      });
      continue;
    }
    const changes = fieldChanges(remoteListBody(remote), exceptionListBody(list, tag));
    entries.push({
      ...base,
      action: changes.length > 0 ? "update" : "unchanged",
      remote_id: String(remote.id),
      ...(changes.length > 0 ? { changes } : {}),
    });

    const remoteItems = new Map((await itemsOf(remote)).map((i) => [String(i.item_id), i]));
    for (const item of list.items) {
      const r = remoteItems.get(item.item_id);
      remoteItems.delete(item.item_id);
      if (!r) {
        entries.push(itemEntry(list, item.item_id, item.name, "create"));
        continue;
      }
      if (!tagged(r, tag)) {
        entries.push({
          ...itemEntry(list, item.item_id, item.name, "conflict"),
          remote_id: String(r.id),
          reason: `Kibana has an item with this item_id without the management tag "${tag}"; dac never overwrites it`,
        });
        continue;
      }
      const local = exceptionItemBody(item, list, tag);
      const theirs = remoteItemBody(r);
      const comments = commentsToCompare(local, theirs);
      const compared = comments.same ? { ...theirs, comments: local.comments } : theirs;
      const itemChanges = fieldChanges(compared, local);
      entries.push({
        ...itemEntry(list, item.item_id, item.name, itemChanges.length > 0 ? "update" : "unchanged"),
        remote_id: String(r.id),
        ...(itemChanges.length > 0 ? { changes: itemChanges } : {}),
        ...(comments.onlyRemote > 0
          ? {
              reason: `Kibana has ${comments.onlyRemote} comment(s) the repository lacks; Kibana's API cannot delete comments`,
            }
          : {}),
      });
    }
    for (const r of remoteItems.values()) {
      if (!tagged(r, tag)) continue; // added by hand to a dac list: not dac's to delete
      entries.push({
        kind: "exception_item",
        action: "prune",
        id: String(r.item_id),
        name: String(r.name),
        list_id: list.list_id,
        namespace_type: list.namespace_type,
        remote_id: String(r.id),
        reason: "managed by dac in Kibana, no longer in the repository",
      });
    }
  }

  for (const remote of remoteLists) {
    const key = listKey(String(remote.namespace_type), String(remote.list_id));
    if (localKeys.has(key) || !tagged(remote, tag) || remote.immutable === true) continue;
    const items = await itemsOf(remote);
    const foreign = items.filter((i) => !tagged(i, tag));
    entries.push({
      kind: "exception_list",
      action: foreign.length > 0 ? "conflict" : "prune",
      id: String(remote.list_id),
      name: String(remote.name),
      namespace_type: remote.namespace_type as NamespaceType,
      remote_id: String(remote.id),
      reason:
        foreign.length > 0
          ? `managed by dac and no longer in the repository, but it holds ${foreign.length} item(s) dac does not manage (${foreign.map((i) => String(i.item_id)).join(", ")}); deleting the list would delete them: move or delete them in Kibana first`
          : `managed by dac in Kibana, no longer in the repository (with its ${items.length} item(s))`,
    });
  }

  let listIndex = true;
  if (set.valueLists.length > 0) {
    const index = await client.request("GET", "/api/lists/index", { allow: [404] });
    listIndex = index.status !== 404;
  }
  if (listIndex) entries.push(...(await valueListEntries(client, set.valueLists, tag, findAll)));
  else
    for (const v of set.valueLists)
      entries.push({
        kind: "value_list",
        action: "create",
        id: v.id,
        name: v.name,
        file: v.file,
        values: { added: [...new Set(v.values)], removed: [] },
      });

  return { entries, counts: count(entries), kibanaIds, listIndex };
}

function itemEntry(
  list: ExceptionListSource,
  itemId: string,
  name: string,
  action: ExceptionAction,
): ExceptionPlanEntry {
  return {
    kind: "exception_item",
    action,
    id: itemId,
    name,
    list_id: list.list_id,
    namespace_type: list.namespace_type,
    file: list.file,
  };
}

async function valueListEntries(
  client: KibanaClient,
  local: readonly ValueListSource[],
  tag: string,
  find: typeof findAll,
): Promise<ExceptionPlanEntry[]> {
  const entries: ExceptionPlanEntry[] = [];
  const remote = new Map((await find(client, "/api/lists/_find", {})).map((l) => [String(l.id), l]));
  const managed = (l: Record<string, unknown>) =>
    (l.meta as Record<string, unknown> | undefined)?.[valueListMarker] === tag;
  const remoteValues = async (id: string) =>
    (await find(client, "/api/lists/items/_find", { list_id: id })).map((i) => String(i.value));
  for (const v of [...local].sort((a, b) => compareStrings(a.id, b.id))) {
    const r = remote.get(v.id);
    remote.delete(v.id);
    const base = { kind: "value_list" as const, id: v.id, name: v.name, file: v.file };
    const wanted = [...new Set(v.values)];
    if (!r) {
      entries.push({ ...base, action: "create", values: { added: wanted, removed: [] } });
      continue;
    }
    if (!managed(r)) {
      entries.push({
        ...base,
        action: "conflict",
        remote_id: v.id,
        reason: `Kibana has a value list with this id that dac does not manage (no meta.${valueListMarker}); dac never overwrites it`,
      });
      continue;
    }
    if (r.type !== v.type) {
      entries.push({
        ...base,
        action: "conflict",
        remote_id: v.id,
        reason: `Kibana's value list has type ${String(r.type)}, the repository's ${v.type}; a value list's type cannot change: give it another id`,
      });
      continue;
    }
    const have = await remoteValues(v.id);
    const values = {
      added: wanted.filter((x) => !have.includes(x)),
      removed: [...new Set(have.filter((x) => !wanted.includes(x)))],
    };
    const { type: _t, ...body } = valueListBody(v, tag);
    const changes = fieldChanges(
      { id: r.id, name: r.name, description: r.description, meta: r.meta ?? {} },
      body,
    );
    const changed = changes.length > 0 || values.added.length > 0 || values.removed.length > 0;
    entries.push({
      ...base,
      action: changed ? "update" : "unchanged",
      remote_id: v.id,
      ...(changes.length > 0 ? { changes } : {}),
      ...(changed ? { values } : {}),
    });
  }
  for (const r of remote.values()) {
    if (!managed(r)) continue;
    entries.push({
      kind: "value_list",
      action: "prune",
      id: String(r.id),
      name: String(r.name),
      remote_id: String(r.id),
      reason: "managed by dac in Kibana, no longer in the repository",
    });
  }
  return entries;
}

export function exceptionPlanIsEmpty(plan: ExceptionPlan, prune: boolean): boolean {
  const { create, update, conflict, prune: toPrune } = plan.counts;
  return create + update + conflict === 0 && (!prune || toPrune === 0);
}

export type ExceptionPublishStatus = "created" | "updated" | "unchanged" | "pruned" | "kept" | "failed";

export interface ExceptionPublishResult {
  kind: ExceptionObjectKind;
  id: string;
  name: string;
  list_id?: string;
  status: ExceptionPublishStatus;
  message?: string;
}

function messageOf(err: unknown): string {
  if (err instanceof KibanaRequestError) return err.message;
  throw err;
}

/**
 * Creates and updates, in dependency order: the value-list data streams when missing, value lists and their
 * values, then exception lists, then their items (an item needs its list, an item of kind `list` its value
 * list). Returns the results and the Kibana ids of the lists after the writes, for the rules' references.
 * An item whose list failed is not attempted.
 */
export async function publishExceptionUpserts(
  client: KibanaClient,
  plan: ExceptionPlan,
  set: ExceptionSetSource,
  options: { managementTag: string; onResult?: (r: ExceptionPublishResult) => void },
): Promise<{ results: ExceptionPublishResult[]; kibanaIds: Map<string, string> }> {
  const tag = options.managementTag;
  const results: ExceptionPublishResult[] = [];
  const report = (r: ExceptionPublishResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const kibanaIds = new Map(plan.kibanaIds);
  const pick = (kind: ExceptionObjectKind, ...actions: ExceptionAction[]) =>
    plan.entries.filter((e) => e.kind === kind && actions.includes(e.action));
  const outcome = (e: ExceptionPlanEntry) => ({
    kind: e.kind,
    id: e.id,
    name: e.name,
    ...(e.list_id ? { list_id: e.list_id } : {}),
  });
  for (const e of plan.entries.filter((x) => x.action === "unchanged"))
    report({ ...outcome(e), status: "unchanged" });
  for (const e of plan.entries.filter((x) => x.action === "conflict"))
    report({ ...outcome(e), status: "failed", message: e.reason });

  const valueLists = new Map(set.valueLists.map((v) => [v.id, v]));
  const upserts = pick("value_list", "create", "update");
  if (upserts.length > 0 && !plan.listIndex) {
    try {
      await client.request("POST", "/api/lists/index", { allow: [409] });
    } catch (err) {
      const message = `cannot create the value-list data streams: ${messageOf(err)}`;
      for (const e of upserts) report({ ...outcome(e), status: "failed", message });
      upserts.splice(0);
    }
  }
  const failedValueLists = new Set<string>();
  for (const e of upserts) {
    const v = valueLists.get(e.id)!;
    try {
      const body = valueListBody(v, tag);
      if (e.action === "create") await client.request("POST", "/api/lists", { json: body });
      else if (e.changes) {
        const { type: _t, ...update } = body;
        await client.request("PUT", "/api/lists", { json: update });
      }
      for (const value of e.values?.added ?? [])
        await client.request("POST", "/api/lists/items", { json: { list_id: v.id, value } });
      for (const value of e.values?.removed ?? [])
        await client.request("DELETE", "/api/lists/items", { query: { list_id: v.id, value } });
      report({ ...outcome(e), status: e.action === "create" ? "created" : "updated" });
    } catch (err) {
      failedValueLists.add(e.id);
      report({ ...outcome(e), status: "failed", message: messageOf(err) });
    }
  }

  const lists = new Map(set.lists.map((l) => [listKey(l.namespace_type, l.list_id), l]));
  const failedLists = new Set<string>();
  for (const e of pick("exception_list", "create", "update")) {
    const key = listKey(e.namespace_type!, e.id);
    const body = exceptionListBody(lists.get(key)!, tag);
    try {
      const res = await client.request(e.action === "create" ? "POST" : "PUT", "/api/exception_lists", {
        json: body,
      });
      const id = (res.body as { id?: unknown } | undefined)?.id;
      if (typeof id === "string") kibanaIds.set(key, id);
      report({ ...outcome(e), status: e.action === "create" ? "created" : "updated" });
    } catch (err) {
      failedLists.add(key);
      report({ ...outcome(e), status: "failed", message: messageOf(err) });
    }
  }
  const conflicted = new Set(pick("exception_list", "conflict").map((e) => listKey(e.namespace_type!, e.id)));
  for (const e of pick("exception_item", "create", "update")) {
    const key = listKey(e.namespace_type!, e.list_id!);
    const list = lists.get(key)!;
    if (failedLists.has(key) || conflicted.has(key)) {
      report({ ...outcome(e), status: "failed", message: `its list ${list.list_id} was not written` });
      continue;
    }
    const item = list.items.find((i) => i.item_id === e.id)!;
    const wants = valueListIdsOf(item.entries).filter((id) => failedValueLists.has(id));
    if (wants.length > 0) {
      report({
        ...outcome(e),
        status: "failed",
        message: `the value list ${wants.join(", ")} was not written`,
      });
      continue;
    }
    const body = exceptionItemBody(item, list, tag);
    try {
      if (e.action === "create") await client.request("POST", "/api/exception_lists/items", { json: body });
      else {
        // Only new comments are sent: Kibana keeps those it has and appends comments without an id.
        const remote = await client.request("GET", "/api/exception_lists/items", {
          query: { item_id: e.id, namespace_type: list.namespace_type },
        });
        const have = ((remote.body as { comments?: { comment: string }[] }).comments ?? []).map(
          (c) => c.comment,
        );
        const { list_id: _l, ...update } = body;
        await client.request("PUT", "/api/exception_lists/items", {
          json: { ...update, comments: body.comments.filter((c) => !have.includes(c.comment)) },
        });
      }
      report({ ...outcome(e), status: e.action === "create" ? "created" : "updated" });
    } catch (err) {
      report({ ...outcome(e), status: "failed", message: messageOf(err) });
    }
  }
  return { results, kibanaIds };
}

function valueListIdsOf(entries: unknown[]): string[] {
  return entries.flatMap((e) => {
    const entry = e as { type?: string; list?: { id?: string }; entries?: unknown[] };
    if (entry.type === "list" && entry.list?.id) return [entry.list.id];
    if (entry.type === "nested" && Array.isArray(entry.entries)) return valueListIdsOf(entry.entries);
    return [];
  });
}

/**
 * Deletions, after the rules: items first, then lists (with their items), then value lists, which Kibana
 * refuses to delete while exception items refer to them. Without `prune` they are reported as `kept`.
 */
export async function publishExceptionDeletions(
  client: KibanaClient,
  plan: ExceptionPlan,
  options: { prune: boolean; onResult?: (r: ExceptionPublishResult) => void },
): Promise<ExceptionPublishResult[]> {
  const results: ExceptionPublishResult[] = [];
  const report = (r: ExceptionPublishResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const order: ExceptionObjectKind[] = ["exception_item", "exception_list", "value_list"];
  for (const kind of order) {
    for (const e of plan.entries.filter((x) => x.kind === kind && x.action === "prune")) {
      const base = { kind: e.kind, id: e.id, name: e.name, ...(e.list_id ? { list_id: e.list_id } : {}) };
      if (!options.prune) {
        report({ ...base, status: "kept", message: "would prune with --prune" });
        continue;
      }
      try {
        if (kind === "exception_item")
          await client.request("DELETE", "/api/exception_lists/items", {
            query: { id: e.remote_id, namespace_type: e.namespace_type },
            allow: [404],
          });
        else if (kind === "exception_list")
          await client.request("DELETE", "/api/exception_lists", {
            query: { id: e.remote_id, namespace_type: e.namespace_type },
            allow: [404],
          });
        else await client.request("DELETE", "/api/lists", { query: { id: e.remote_id }, allow: [404] });
        report({ ...base, status: "pruned" });
      } catch (err) {
        report({ ...base, status: "failed", message: messageOf(err) });
      }
    }
  }
  return results;
}

/**
 * The detection and rule-default exception lists of a space with their items, as exception lines (the form of
 * an export), for `dac import --from-kibana`. Endpoint lists are Elastic Defend's and are left out.
 */
export async function readKibanaExceptions(
  client: KibanaClient,
): Promise<{ origin: string; object: Record<string, unknown> }[]> {
  const lines: { origin: string; object: Record<string, unknown> }[] = [];
  const lists = await findAll(client, "/api/exception_lists/_find", { namespace_type: "single,agnostic" });
  for (const list of lists) {
    if (list.type !== "detection" && list.type !== "rule_default") continue;
    lines.push({ origin: `${client.target}:exception_list:${String(list.list_id)}`, object: list });
    const items = await findAll(client, "/api/exception_lists/items/_find", {
      list_id: String(list.list_id),
      namespace_type: String(list.namespace_type),
    });
    for (const item of items)
      lines.push({ origin: `${client.target}:exception_item:${String(item.item_id)}`, object: item });
  }
  return lines;
}
