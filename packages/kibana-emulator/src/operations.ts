/** The multi-rule endpoints: `_import`, `_find`, `_export` and `_bulk_action`, over one space. */
import type { Fault } from "./faults.js";
import {
  createExceptionItem,
  createExceptionList,
  deleteExceptionList,
  parseNamespace,
  type ExceptionNamespace,
  type NamespaceType,
} from "./exceptions.js";
import { parseFilter, FilterSyntaxError } from "./kql-filter.js";
import type { BodyValidator } from "./schemas.js";
import {
  KibanaError,
  createRule,
  deleteRule,
  findRule,
  patchRule,
  replaceRule,
  toResponse,
  type SpaceState,
  type StoredRule,
  type WriteContext,
} from "./store.js";

export interface ErrorItem {
  id?: string;
  rule_id?: string;
  error: { status_code: number; message: string };
}

export interface ImportResponse {
  success: boolean;
  success_count: number;
  rules_count: number;
  errors: ErrorItem[];
  exceptions_success: boolean;
  exceptions_success_count: number;
  exceptions_errors: ErrorItem[];
  action_connectors_success: boolean;
  action_connectors_success_count: number;
  action_connectors_errors: ErrorItem[];
  action_connectors_warnings: unknown[];
}

export const maxImportRules = 10_000;

type ImportFault = Extract<Fault, { type: "import-errors" }>;

/** `create_rules_stream_from_ndjson` + `importRules`: per-rule problems are reported inside a 200 answer. */
export function importNdjson(
  space: SpaceState,
  text: string,
  options: {
    overwrite: boolean;
    validate: BodyValidator;
    ctx: WriteContext;
    fault?: ImportFault;
    /** The space's exception namespaces; with them, exception lines are imported too. */
    exceptions?: (type: NamespaceType) => ExceptionNamespace;
    overwriteExceptions?: boolean;
  },
): ImportResponse {
  const errors: ErrorItem[] = [];
  const rules: Record<string, unknown>[] = [];
  const exceptionLines: Record<string, unknown>[] = [];
  let rulesCount = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      rulesCount++;
      errors.push({ rule_id: "(unknown id)", error: { status_code: 400, message: (e as Error).message } });
      continue;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      rulesCount++;
      errors.push({ rule_id: "(unknown id)", error: { status_code: 400, message: "Expected an object" } });
      continue;
    }
    const object = parsed as Record<string, unknown>;
    if ("exported_count" in object) continue;
    if ("list_id" in object || "item_id" in object || "entries" in object) {
      exceptionLines.push(object);
      continue;
    }
    // Action connectors are not rules; the emulator does not store them.
    if ("attributes" in object) continue;
    rulesCount++;
    rules.push(object);
  }
  if (rulesCount > maxImportRules)
    throw new KibanaError(500, `Can't import more than ${maxImportRules} rules`);

  // getTupleDuplicateErrorsAndUniqueRules: without overwrite a repeated rule_id is an error; the last one wins.
  const unique = new Map<string, Record<string, unknown>>();
  const invalid: Record<string, unknown>[] = [];
  for (const rule of rules) {
    if (typeof rule.rule_id !== "string") {
      invalid.push(rule);
      continue;
    }
    if (unique.has(rule.rule_id) && !options.overwrite) {
      errors.push({
        rule_id: rule.rule_id,
        error: { status_code: 400, message: `More than one rule with rule-id: "${rule.rule_id}" found` },
      });
    }
    unique.delete(rule.rule_id);
    unique.set(rule.rule_id, rule);
  }

  const exceptionResult = options.exceptions
    ? importExceptions(exceptionLines, options.exceptions, options)
    : { errors: [], count: 0 };

  const failing = new Set(options.fault?.ruleIds ?? [...unique.keys()].slice(0, options.fault?.count ?? 0));
  let successCount = 0;
  for (const rule of [...invalid, ...unique.values()]) {
    const ruleId = typeof rule.rule_id === "string" ? rule.rule_id : "(unknown id)";
    const problem = options.validate("importLine", rule);
    if (problem) {
      errors.push({ rule_id: ruleId, error: { status_code: 400, message: problem } });
      continue;
    }
    if (options.fault && failing.has(ruleId)) {
      errors.push({
        rule_id: ruleId,
        error: {
          status_code: options.fault.status ?? 500,
          message: options.fault.message ?? "An internal server error occurred",
        },
      });
      continue;
    }
    if (options.exceptions) checkExceptionReferences(rule, ruleId, options.exceptions, errors);
    try {
      const existing = findRule(space, { rule_id: ruleId });
      if (existing && !options.overwrite) throw new KibanaError(409, `rule_id: "${ruleId}" already exists`);
      if (existing) replaceRule(space, existing, rule, options.ctx);
      else createRule(space, rule, options.ctx);
      successCount++;
    } catch (e) {
      if (!(e instanceof KibanaError)) throw e;
      errors.push({ rule_id: ruleId, error: { status_code: e.statusCode, message: e.message } });
    }
  }
  return {
    success: errors.length === 0,
    success_count: successCount,
    rules_count: rulesCount,
    errors,
    exceptions_success: exceptionResult.errors.length === 0,
    exceptions_success_count: exceptionResult.count,
    exceptions_errors: exceptionResult.errors,
    action_connectors_success: true,
    action_connectors_success_count: 0,
    action_connectors_errors: [],
    action_connectors_warnings: [],
  };
}

/**
 * The exception lines of a rules import (lists/server/services/exception_lists/import_exception_list_and_items.ts):
 * lists first, whatever the order; an existing list_id is an error unless `overwrite_exceptions`, which replaces
 * the list's items (delete_list_items_to_overwrite.ts). Lines are checked against the import schemas.
 */
function importExceptions(
  lines: Record<string, unknown>[],
  namespaceOf: (type: NamespaceType) => ExceptionNamespace,
  options: { validate: BodyValidator; ctx: WriteContext; overwriteExceptions?: boolean },
): { errors: ErrorItem[]; count: number } {
  const errors: (ErrorItem & { list_id?: string; item_id?: string })[] = [];
  let count = 0;
  const isItem = (o: Record<string, unknown>) => "entries" in o || "item_id" in o;
  const serverFields = [
    "id",
    "_version",
    "immutable",
    "tie_breaker_id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
  ];
  const strip = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !serverFields.includes(k)));
  const failedLists = new Set<string>();
  for (const list of lines.filter((o) => !isItem(o))) {
    const problem = options.validate("exceptionListImportLine", list);
    const listId = String(list.list_id);
    if (problem) {
      errors.push({ list_id: listId, error: { status_code: 400, message: problem } });
      failedLists.add(listId);
      continue;
    }
    const ns = namespaceOf(parseNamespace(list.namespace_type as string | undefined));
    const existing = ns.lists.get(listId);
    if (existing && !options.overwriteExceptions) {
      errors.push({
        list_id: listId,
        error: {
          status_code: 409,
          message: `Found that list_id: "${listId}" already exists. Import of list_id: "${listId}" skipped.`,
        },
      });
      failedLists.add(listId);
      continue;
    }
    if (existing) deleteExceptionList(ns, existing);
    createExceptionList(ns, strip(list), options.ctx);
    count++;
  }
  for (const item of lines.filter(isItem)) {
    const withComments = {
      ...item,
      comments: Array.isArray(item.comments)
        ? (item.comments as { comment: string }[]).map((c) => ({ comment: c.comment }))
        : [],
    };
    const problem = options.validate("exceptionItemImportLine", withComments);
    const itemId = String(item.item_id);
    if (problem) {
      errors.push({ item_id: itemId, error: { status_code: 400, message: problem } });
      continue;
    }
    if (failedLists.has(String(item.list_id))) continue;
    try {
      createExceptionItem(
        namespaceOf(parseNamespace(item.namespace_type as string | undefined)),
        strip(withComments),
        options.ctx,
      );
      count++;
    } catch (e) {
      if (!(e instanceof KibanaError)) throw e;
      errors.push({ item_id: itemId, error: { status_code: e.statusCode, message: e.message } });
    }
  }
  return { errors, count };
}

/**
 * check_rule_exception_references.ts: each reference is pointed at the list found by list_id and namespace_type
 * (ids from another Kibana mean nothing here); a reference to no list is removed, with an error for the rule.
 */
function checkExceptionReferences(
  rule: Record<string, unknown>,
  ruleId: string,
  namespaceOf: (type: NamespaceType) => ExceptionNamespace,
  errors: ErrorItem[],
): void {
  if (!Array.isArray(rule.exceptions_list)) return;
  const kept: Record<string, unknown>[] = [];
  for (const ref of rule.exceptions_list as Record<string, unknown>[]) {
    const list = namespaceOf(parseNamespace(ref.namespace_type as string | undefined)).lists.get(
      String(ref.list_id),
    );
    if (list) kept.push({ ...ref, id: list.id });
    else
      errors.push({
        rule_id: ruleId,
        error: {
          status_code: 400,
          message: `Rule with rule_id: "${ruleId}" references a non existent exception list of list_id: "${String(ref.list_id)}". Reference has been removed.`,
        },
      });
  }
  rule.exceptions_list = kept;
}

const sortFields: Record<string, string> = {
  created_at: "created_at",
  createdAt: "created_at",
  updated_at: "updated_at",
  updatedAt: "updated_at",
  name: "name",
  enabled: "enabled",
  risk_score: "risk_score",
  riskScore: "risk_score",
  severity: "severity",
};

function selectByQuery(space: SpaceState, query: string | undefined): StoredRule[] {
  const all = [...space.rules.values()];
  if (query === undefined || query.trim() === "") return all;
  try {
    const predicate = parseFilter(query);
    return all.filter(predicate);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw new KibanaError(400, e.message);
    throw e;
  }
}

export function findRules(space: SpaceState, params: URLSearchParams): Record<string, unknown> {
  const page = integerParam(params, "page", 1, 1);
  const perPage = integerParam(params, "per_page", 20, 0);
  let rules = selectByQuery(space, params.get("filter") ?? undefined);
  const sortField = params.get("sort_field");
  if (sortField !== null) {
    const key = sortFields[sortField];
    if (!key) throw new KibanaError(400, `Invalid value "${sortField}" supplied to "sort_field"`);
    const direction = params.get("sort_order") === "desc" ? -1 : 1;
    rules = [...rules].sort((a, b) => direction * compare(a[key], b[key]));
  }
  const data = rules.slice((page - 1) * perPage, page * perPage).map(toResponse);
  return { page, perPage, total: rules.length, data };
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function integerParam(params: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new KibanaError(400, `Invalid value "${raw}" supplied to "${name}"`);
  }
  return value;
}

function exportLine(rule: StoredRule): string {
  const { execution_summary: _summary, ...fields } = toResponse(rule);
  return JSON.stringify(fields);
}

function exportSummary(exported: number, missing: string[]): string {
  return JSON.stringify({
    exported_count: exported,
    exported_rules_count: exported,
    missing_rules: missing.map((rule_id) => ({ rule_id })),
    missing_rules_count: missing.length,
    exported_exception_list_count: 0,
    exported_exception_list_item_count: 0,
    missing_exception_list_item_count: 0,
    missing_exception_list_items: [],
    missing_exception_lists: [],
    missing_exception_lists_count: 0,
    exported_action_connector_count: 0,
    missing_action_connection_count: 0,
    missing_action_connections: [],
    excluded_action_connection_count: 0,
    excluded_action_connections: [],
  });
}

/** `_export`: the named rules, or every custom rule; prebuilt rules cannot be exported (8.x). */
export function exportRules(space: SpaceState, body: unknown, excludeDetails: boolean): string {
  const objects = (body as { objects?: { rule_id?: unknown }[] } | undefined)?.objects;
  const lines: string[] = [];
  const missing: string[] = [];
  if (objects) {
    for (const { rule_id } of objects) {
      const rule = findRule(space, { rule_id: String(rule_id) });
      if (rule && !rule.immutable) lines.push(exportLine(rule));
      else missing.push(String(rule_id));
    }
  } else {
    for (const rule of space.rules.values()) if (!rule.immutable) lines.push(exportLine(rule));
  }
  if (lines.length > maxImportRules)
    throw new KibanaError(400, `Can't export more than ${maxImportRules} rules`);
  const exported = lines.length;
  if (!excludeDetails) lines.push(exportSummary(exported, missing));
  return lines.join("\n") + "\n";
}

interface BulkBody {
  action: string;
  ids?: string[];
  query?: string;
  edit?: { type: string; value: unknown }[];
}

interface BulkError {
  message: string;
  status_code: number;
  err_code?: string;
  rules: { id: string; name?: string }[];
}

/** `_bulk_action`: delete, enable, disable, export and tag/index/schedule edits, with `dry_run`. */
export function bulkAction(
  space: SpaceState,
  body: BulkBody,
  options: { dryRun: boolean; ctx: WriteContext },
): { status: number; body: unknown; ndjson?: string } {
  const errors: BulkError[] = [];
  let targets: StoredRule[];
  if (body.ids) {
    targets = [];
    for (const id of body.ids) {
      const rule = space.rules.get(id);
      if (rule) targets.push(rule);
      else errors.push({ message: "Rule not found", status_code: 404, rules: [{ id }] });
    }
  } else {
    targets = selectByQuery(space, body.query);
  }
  if (targets.length > maxImportRules) {
    throw new KibanaError(400, "More than 10000 rules matched the filter query. Try to narrow it down.");
  }
  if (body.action === "export") {
    if (options.dryRun) throw new KibanaError(400, "Export action doesn't support dry_run mode");
    const lines = targets.filter((r) => !r.immutable).map(exportLine);
    return {
      status: 200,
      body: undefined,
      ndjson: [...lines, exportSummary(lines.length, [])].join("\n") + "\n",
    };
  }
  if (body.action === "duplicate" || body.action === "run") {
    throw new KibanaError(400, `The emulator does not support the "${body.action}" bulk action`);
  }
  const results = {
    updated: [] as unknown[],
    created: [] as unknown[],
    deleted: [] as unknown[],
    skipped: [] as unknown[],
  };
  for (const rule of targets) {
    try {
      if (body.action === "delete") {
        results.deleted.push(toResponse(options.dryRun ? rule : deleteRule(space, rule)));
        continue;
      }
      const patch = bulkPatch(rule, body);
      if (patch === undefined) {
        results.skipped.push({ id: rule.id, name: rule.name, skip_reason: "RULE_NOT_MODIFIED" });
        continue;
      }
      if (rule.immutable && body.action === "edit") {
        throw Object.assign(new KibanaError(500, "Elastic rule can't be edited"), { errCode: "IMMUTABLE" });
      }
      const updated = options.dryRun ? rule : patchRule(space, rule, patch, options.ctx);
      results.updated.push(toResponse(updated));
    } catch (e) {
      if (!(e instanceof KibanaError)) throw e;
      const errCode = (e as KibanaError & { errCode?: string }).errCode;
      errors.push({
        message: e.message,
        status_code: e.statusCode,
        ...(errCode ? { err_code: errCode } : {}),
        rules: [{ id: rule.id, name: rule.name }],
      });
    }
  }
  const succeeded = results.updated.length + results.deleted.length;
  const summary = {
    failed: errors.length,
    skipped: results.skipped.length,
    succeeded,
    total: targets.length + (body.ids ? body.ids.length - targets.length : 0),
  };
  const attributes = { results, summary, ...(errors.length > 0 ? { errors } : {}) };
  if (errors.length > 0) {
    const message = succeeded > 0 ? "Bulk edit partially failed" : "Bulk edit failed";
    return {
      status: 500,
      body: { message, status_code: 500, attributes, success: false, rules_count: summary.total },
    };
  }
  return { status: 200, body: { success: true, rules_count: summary.total, attributes } };
}

/** The PATCH a bulk action amounts to, or undefined when it changes nothing. */
function bulkPatch(rule: StoredRule, body: BulkBody): Record<string, unknown> | undefined {
  if (body.action === "enable" || body.action === "disable") {
    const enabled = body.action === "enable";
    return rule.enabled === enabled ? undefined : { enabled };
  }
  const patch: Record<string, unknown> = {};
  let tags = rule.tags;
  let index = Array.isArray(rule.index) ? (rule.index as string[]) : [];
  for (const edit of body.edit ?? []) {
    const values = Array.isArray(edit.value) ? (edit.value as string[]) : [];
    switch (edit.type) {
      case "add_tags":
        tags = [...tags, ...values.filter((v) => !tags.includes(v))];
        break;
      case "delete_tags":
        tags = tags.filter((t) => !values.includes(t));
        break;
      case "set_tags":
        tags = values;
        break;
      case "add_index_patterns":
        index = [...index, ...values.filter((v) => !index.includes(v))];
        break;
      case "delete_index_patterns":
        index = index.filter((t) => !values.includes(t));
        break;
      case "set_index_patterns":
        index = values;
        break;
      case "set_schedule": {
        const { interval, lookback } = edit.value as { interval: string; lookback: string };
        patch.interval = interval;
        patch.from = `now-${lookbackPlusInterval(interval, lookback)}`;
        break;
      }
      default:
        throw new KibanaError(400, `The emulator does not support the "${edit.type}" edit`);
    }
  }
  if (JSON.stringify(tags) !== JSON.stringify(rule.tags)) patch.tags = tags;
  if (Array.isArray(rule.index) && JSON.stringify(index) !== JSON.stringify(rule.index)) patch.index = index;
  if (patch.interval === rule.interval && patch.from === rule.from) {
    delete patch.interval;
    delete patch.from;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600 };

function lookbackPlusInterval(interval: string, lookback: string): string {
  const seconds = (v: string) => Number(v.slice(0, -1)) * (unitSeconds[v.slice(-1)] ?? NaN);
  return `${seconds(interval) + seconds(lookback)}s`;
}
