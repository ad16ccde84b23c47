/**
 * Exception lists, their items and value lists, with the semantics of Kibana's lists plugin
 * (x-pack/solutions/security/plugins/lists/server/services/{exception_lists,lists,items}):
 * - exception lists and items are saved objects of type `exception-list` (namespace_type `single`: one space)
 *   or `exception-list-agnostic` (every space); `list_id` is unique per list type, and `item_id` is unique per
 *   saved-object type, not per list (getExceptionListItem looks an item up by item_id and namespace alone);
 * - deleting a list deletes its items (delete_exception_list.ts);
 * - an item update keeps the comments Kibana has and appends those sent without an `id`
 *   (transformUpdateCommentsToComments in services/exception_lists/utils.ts);
 * - `version` grows by one on each list update unless the body gives one (update_exception_list.ts);
 * - value lists live in the space's `.lists-<space>` / `.items-<space>` data streams, which must be created
 *   first (POST /api/lists/index); a value list referenced by exception items cannot be deleted without
 *   `deleteReferences` or `ignoreReferences` (delete_list_route.ts answers 409).
 */
import { randomUUID } from "node:crypto";
import { KibanaError, canonicalJson, type WriteContext } from "./store.js";

export type NamespaceType = "single" | "agnostic";

export interface StoredExceptionList {
  [field: string]: unknown;
  id: string;
  list_id: string;
  type: string;
  name: string;
  description: string;
  namespace_type: NamespaceType;
  tags: string[];
  os_types: string[];
  version: number;
}

export interface StoredExceptionItem {
  [field: string]: unknown;
  id: string;
  item_id: string;
  list_id: string;
  namespace_type: NamespaceType;
  entries: Record<string, unknown>[];
  comments: Record<string, unknown>[];
  tags: string[];
}

/** The exception lists and items of one saved-object type (`single` in one space, or `agnostic`). */
export interface ExceptionNamespace {
  lists: Map<string, StoredExceptionList>;
  items: Map<string, StoredExceptionItem>;
}

export interface StoredValueList {
  [field: string]: unknown;
  id: string;
  type: string;
  name: string;
  description: string;
}

export interface StoredValueListItem {
  id: string;
  list_id: string;
  type: string;
  value: string;
  [field: string]: unknown;
}

export interface ValueListState {
  /** Whether `.lists-<space>` and `.items-<space>` exist. */
  indexExists: boolean;
  lists: Map<string, StoredValueList>;
  /** list id → item id → item, in creation order. */
  items: Map<string, Map<string, StoredValueListItem>>;
}

export function newExceptionNamespace(): ExceptionNamespace {
  return { lists: new Map(), items: new Map() };
}

export function newValueLists(indexExists = true): ValueListState {
  return { indexExists, lists: new Map(), items: new Map() };
}

let versionCounter = 0;
/** Elasticsearch's `_version` id (seq_no/primary_term, base64): opaque, new on every write. */
function versionId(): string {
  versionCounter++;
  return Buffer.from(JSON.stringify([versionCounter, 1])).toString("base64");
}

function sorted<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}

export function parseNamespace(value: string | null | undefined): NamespaceType {
  if (value === null || value === undefined || value === "") return "single";
  if (value === "single" || value === "agnostic") return value;
  throw new KibanaError(400, `Invalid value "${value}" supplied to "namespace_type"`);
}

/** `namespace_type=single,agnostic` on `_find`. */
export function parseNamespaces(value: string | null): NamespaceType[] {
  if (value === null || value === "") return ["single"];
  return value.split(",").map((v) => parseNamespace(v.trim()));
}

function stamp(ctx: WriteContext) {
  const at = ctx.now.toISOString();
  return { created_at: at, created_by: ctx.user, updated_at: at, updated_by: ctx.user };
}

export function createExceptionList(
  ns: ExceptionNamespace,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredExceptionList {
  const listId = typeof body.list_id === "string" ? body.list_id : randomUUID();
  if (ns.lists.has(listId)) throw new KibanaError(409, `exception list id: "${listId}" already exists`);
  const list: StoredExceptionList = {
    os_types: [],
    tags: [],
    ...body,
    id: randomUUID(),
    list_id: listId,
    type: String(body.type),
    name: String(body.name),
    description: String(body.description),
    namespace_type: parseNamespace(body.namespace_type as string | undefined),
    immutable: false,
    version: typeof body.version === "number" ? body.version : 1,
    _version: versionId(),
    tie_breaker_id: randomUUID(),
    ...stamp(ctx),
  };
  ns.lists.set(listId, list);
  return list;
}

export function findExceptionList(
  ns: ExceptionNamespace,
  ref: { id?: string; list_id?: string },
): StoredExceptionList | undefined {
  if (ref.list_id !== undefined) return ns.lists.get(ref.list_id);
  if (ref.id !== undefined) return [...ns.lists.values()].find((l) => l.id === ref.id);
  return undefined;
}

export function requireExceptionList(
  ns: ExceptionNamespace,
  ref: { id?: string; list_id?: string },
): StoredExceptionList {
  if (ref.id === undefined && ref.list_id === undefined)
    throw new KibanaError(400, "either id or list_id need to be defined");
  const list = findExceptionList(ns, ref);
  if (!list) {
    throw new KibanaError(
      404,
      ref.id !== undefined
        ? `exception list id: "${ref.id}" does not exist`
        : `exception list list_id: "${ref.list_id}" does not exist`,
    );
  }
  return list;
}

export function updateExceptionList(
  ns: ExceptionNamespace,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredExceptionList {
  const existing = requireExceptionList(ns, body as { id?: string; list_id?: string });
  const { id: _id, _version: _v, version, ...fields } = body;
  const list: StoredExceptionList = {
    ...existing,
    os_types: [],
    tags: [],
    ...fields,
    id: existing.id,
    list_id: existing.list_id,
    namespace_type: existing.namespace_type,
    version: typeof version === "number" ? version : existing.version + 1,
    _version: versionId(),
    updated_at: ctx.now.toISOString(),
    updated_by: ctx.user,
  };
  if (fields.meta === undefined) delete list.meta;
  ns.lists.set(list.list_id, list);
  return list;
}

export function deleteExceptionList(ns: ExceptionNamespace, list: StoredExceptionList): StoredExceptionList {
  ns.lists.delete(list.list_id);
  for (const [itemId, item] of ns.items) if (item.list_id === list.list_id) ns.items.delete(itemId);
  return list;
}

function newComments(comments: unknown, ctx: WriteContext): Record<string, unknown>[] {
  if (!Array.isArray(comments)) return [];
  return (comments as { id?: unknown; comment: string }[])
    .filter((c) => c.id === undefined)
    .map((c) => ({
      comment: c.comment,
      created_at: ctx.now.toISOString(),
      created_by: ctx.user,
      id: randomUUID(),
    }));
}

export function createExceptionItem(
  ns: ExceptionNamespace,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredExceptionItem {
  const listId = String(body.list_id);
  if (!ns.lists.has(listId)) throw new KibanaError(404, `exception list id: "${listId}" does not exist`);
  const itemId = typeof body.item_id === "string" ? body.item_id : randomUUID();
  if (ns.items.has(itemId)) throw new KibanaError(409, `exception list item id: "${itemId}" already exists`);
  const item: StoredExceptionItem = {
    os_types: [],
    tags: [],
    ...body,
    id: randomUUID(),
    item_id: itemId,
    list_id: listId,
    namespace_type: parseNamespace(body.namespace_type as string | undefined),
    entries: body.entries as Record<string, unknown>[],
    comments: newComments(body.comments, ctx),
    _version: versionId(),
    tie_breaker_id: randomUUID(),
    ...stamp(ctx),
  };
  ns.items.set(itemId, item);
  return item;
}

export function findExceptionItem(
  ns: ExceptionNamespace,
  ref: { id?: string; item_id?: string },
): StoredExceptionItem | undefined {
  if (ref.item_id !== undefined) return ns.items.get(ref.item_id);
  if (ref.id !== undefined) return [...ns.items.values()].find((i) => i.id === ref.id);
  return undefined;
}

export function requireExceptionItem(
  ns: ExceptionNamespace,
  ref: { id?: string; item_id?: string },
): StoredExceptionItem {
  if (ref.id === undefined && ref.item_id === undefined)
    throw new KibanaError(400, "either id or item_id need to be defined");
  const item = findExceptionItem(ns, ref);
  if (!item) {
    throw new KibanaError(
      404,
      ref.id !== undefined
        ? `exception list item id: "${ref.id}" does not exist`
        : `exception list item item_id: "${ref.item_id}" does not exist`,
    );
  }
  return item;
}

export function updateExceptionItem(
  ns: ExceptionNamespace,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredExceptionItem {
  const existing = requireExceptionItem(ns, body as { id?: string; item_id?: string });
  const { id: _id, _version: _v, comments, ...fields } = body;
  if (fields.list_id !== undefined && fields.list_id !== existing.list_id)
    throw new KibanaError(400, "list_id of an exception item cannot be changed");
  const item: StoredExceptionItem = {
    os_types: [],
    tags: [],
    ...fields,
    id: existing.id,
    item_id: existing.item_id,
    list_id: existing.list_id,
    namespace_type: existing.namespace_type,
    entries: fields.entries as Record<string, unknown>[],
    comments: [...existing.comments, ...newComments(comments, ctx)],
    _version: versionId(),
    tie_breaker_id: existing.tie_breaker_id,
    created_at: existing.created_at,
    created_by: existing.created_by,
    updated_at: ctx.now.toISOString(),
    updated_by: ctx.user,
  };
  ns.items.set(item.item_id, item);
  return item;
}

export function deleteExceptionItem(ns: ExceptionNamespace, item: StoredExceptionItem): StoredExceptionItem {
  ns.items.delete(item.item_id);
  return item;
}

export function exceptionResponse<T>(value: T): T {
  return sorted(value);
}

/** A `_find` page: `{data, page, per_page, total}`. */
export function page<T>(all: T[], params: URLSearchParams): Record<string, unknown> {
  const pageNo = intParam(params, "page", 1, 1);
  const perPage = intParam(params, "per_page", 20, 1);
  return {
    data: all.slice((pageNo - 1) * perPage, pageNo * perPage).map(sorted),
    page: pageNo,
    per_page: perPage,
    total: all.length,
  };
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new KibanaError(400, `Invalid value "${raw}" supplied to "${name}"`);
  return value;
}

// Value lists.

function requireIndex(state: ValueListState, space: string): void {
  if (!state.indexExists) {
    throw new KibanaError(
      400,
      `To create a list, the data stream must exist first. Data stream ".lists-${space}" does not exist`,
    );
  }
}

export function createValueList(
  state: ValueListState,
  space: string,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredValueList {
  requireIndex(state, space);
  const id = typeof body.id === "string" ? body.id : randomUUID();
  if (state.lists.has(id)) throw new KibanaError(409, `list id: "${id}" already exists`);
  const list: StoredValueList = {
    ...body,
    id,
    type: String(body.type),
    name: String(body.name),
    description: String(body.description),
    immutable: false,
    "@timestamp": ctx.now.toISOString(),
    version: typeof body.version === "number" ? body.version : 1,
    _version: versionId(),
    tie_breaker_id: randomUUID(),
    ...stamp(ctx),
  };
  state.lists.set(id, list);
  state.items.set(id, new Map());
  return list;
}

export function requireValueList(state: ValueListState, id: string | null): StoredValueList {
  if (id === null) throw new KibanaError(400, "id needs to be defined");
  const list = state.lists.get(id);
  if (!list) throw new KibanaError(404, `list id: "${id}" not found`);
  return list;
}

export function updateValueList(
  state: ValueListState,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredValueList {
  const existing = requireValueList(state, String(body.id));
  const { _version: _v, version, ...fields } = body;
  const list: StoredValueList = {
    ...existing,
    ...fields,
    id: existing.id,
    type: existing.type,
    version: typeof version === "number" ? version : Number(existing.version) + 1,
    _version: versionId(),
    updated_at: ctx.now.toISOString(),
    updated_by: ctx.user,
  };
  if (fields.meta === undefined) delete list.meta;
  state.lists.set(list.id, list);
  return list;
}

/** Exception items (in the given namespaces) whose entries refer to value list `id`. */
export function valueListReferences(namespaces: ExceptionNamespace[], id: string): StoredExceptionItem[] {
  const refers = (entries: unknown): boolean =>
    Array.isArray(entries) &&
    (entries as Record<string, unknown>[]).some(
      (e) =>
        (e.type === "list" && (e.list as { id?: unknown } | undefined)?.id === id) ||
        (e.type === "nested" && refers(e.entries)),
    );
  return namespaces.flatMap((ns) => [...ns.items.values()].filter((i) => refers(i.entries)));
}

export function deleteValueList(state: ValueListState, list: StoredValueList): StoredValueList {
  state.lists.delete(list.id);
  state.items.delete(list.id);
  return list;
}

export function createValueListItem(
  state: ValueListState,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredValueListItem {
  const list = state.lists.get(String(body.list_id));
  if (!list) throw new KibanaError(404, `list id: "${String(body.list_id)}" does not exist`);
  const items = state.items.get(list.id)!;
  const id = typeof body.id === "string" ? body.id : randomUUID();
  if (items.has(id)) throw new KibanaError(409, `list item id: "${id}" already exists`);
  const item: StoredValueListItem = {
    ...body,
    id,
    list_id: list.id,
    type: list.type,
    value: String(body.value),
    "@timestamp": ctx.now.toISOString(),
    _version: versionId(),
    tie_breaker_id: randomUUID(),
    ...stamp(ctx),
  };
  items.set(id, item);
  return item;
}

/** DELETE /api/lists/items: by `id`, or every item of `list_id` with `value` (an array answer). */
export function deleteValueListItems(
  state: ValueListState,
  params: URLSearchParams,
): StoredValueListItem | StoredValueListItem[] {
  const id = params.get("id");
  if (id !== null) {
    for (const items of state.items.values()) {
      const item = items.get(id);
      if (item) {
        items.delete(id);
        return item;
      }
    }
    throw new KibanaError(404, `list item with id: "${id}" not found`);
  }
  const listId = params.get("list_id");
  const value = params.get("value");
  if (listId === null || value === null)
    throw new KibanaError(400, 'Either "list_id" or "id" needs to be defined in the request');
  const items = state.items.get(listId);
  if (!items) throw new KibanaError(404, `list id: "${listId}" not found`);
  const removed = [...items.values()].filter((i) => i.value === value);
  if (removed.length === 0)
    throw new KibanaError(404, `list_id: "${listId}" and value: "${value}" not found`);
  for (const item of removed) items.delete(item.id);
  return removed;
}

/** GET /api/lists/items/_find: `{data, page, per_page, total, cursor}`. */
export function findValueListItems(state: ValueListState, params: URLSearchParams): Record<string, unknown> {
  const listId = params.get("list_id");
  if (listId === null) throw new KibanaError(400, "[request query]: list_id: Required");
  const items = state.items.get(listId);
  if (!items) throw new KibanaError(404, `list id: "${listId}" does not exist`);
  return { ...page([...items.values()], params), cursor: "emulator" };
}
