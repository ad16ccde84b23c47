/**
 * Rule storage and the Detection Engine's semantics: defaults applied on write, `rule_id` uniqueness per
 * space, `version` owned by the caller, `revision` bumped by the server when rule parameters change.
 */
import { randomUUID } from "node:crypto";

export interface StoredRule {
  [field: string]: unknown;
  id: string;
  rule_id: string;
  name: string;
  type: string;
  tags: string[];
  enabled: boolean;
  immutable: boolean;
  version: number;
  revision: number;
}

export interface SpaceState {
  /** By object `id`, in creation order. */
  rules: Map<string, StoredRule>;
  /** `rule_id` → `id`. */
  byRuleId: Map<string, string>;
}

export class KibanaError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Kibana's `RULE_DEFAULTS` (apply_rule_defaults.ts). */
const ruleDefaults: Record<string, unknown> = {
  enabled: false,
  risk_score_mapping: [],
  severity_mapping: [],
  interval: "5m",
  to: "now",
  from: "now-6m",
  exceptions_list: [],
  false_positives: [],
  max_signals: 100,
  actions: [],
  related_integrations: [],
  required_fields: [],
  setup: "",
  references: [],
  threat: [],
  tags: [],
  author: [],
  output_index: "",
  version: 1,
};
const kueryByDefault = new Set(["query", "threshold", "threat_match", "saved_query", "new_terms"]);

/** Fields the server owns: never taken from a request body. */
export const serverFields = [
  "id",
  "immutable",
  "rule_source",
  "created_at",
  "created_by",
  "updated_at",
  "updated_by",
  "revision",
  "execution_summary",
] as const;

/** Changing these does not bump `revision` (they are not rule parameters). */
const nonParameterFields = new Set<string>([...serverFields, "enabled"]);

export interface WriteContext {
  user: string;
  now: Date;
}

export function newSpace(): SpaceState {
  return { rules: new Map(), byRuleId: new Map() };
}

export function findRule(space: SpaceState, ref: { id?: string; rule_id?: string }): StoredRule | undefined {
  if (ref.id !== undefined) return space.rules.get(ref.id);
  if (ref.rule_id !== undefined) {
    const id = space.byRuleId.get(ref.rule_id);
    return id === undefined ? undefined : space.rules.get(id);
  }
  return undefined;
}

export function requireRule(space: SpaceState, ref: { id?: string; rule_id?: string }): StoredRule {
  if (ref.id === undefined && ref.rule_id === undefined) {
    throw new KibanaError(404, "id or rule_id should have been defined");
  }
  const rule = findRule(space, ref);
  if (!rule) {
    throw new KibanaError(
      404,
      ref.id !== undefined ? `id: "${ref.id}" not found` : `rule_id: "${ref.rule_id}" not found`,
    );
  }
  return rule;
}

function withDefaults(body: Record<string, unknown>): Record<string, unknown> {
  const rule: Record<string, unknown> = { ...ruleDefaults };
  if (kueryByDefault.has(String(body.type))) rule.language = "kuery";
  if (body.type === "query") rule.query = "";
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && !(serverFields as readonly string[]).includes(key)) rule[key] = value;
  }
  return rule;
}

/** Kibana computes `ecs` from the ECS field map; the emulator marks a few well-known ECS roots. */
function withEcsFlag(required: unknown): unknown {
  if (!Array.isArray(required)) return required;
  return required.map((f: { name?: unknown }) => ({
    ...f,
    ecs:
      typeof f.name === "string" && (f.name === "@timestamp" || /^(event|host|user|source)\./.test(f.name)),
  }));
}

function stamp(
  fields: Record<string, unknown>,
  server: Pick<StoredRule, "id" | "rule_id" | "immutable" | "revision"> & Record<string, unknown>,
): StoredRule {
  const rule = { ...fields, ...server } as StoredRule;
  rule.required_fields = withEcsFlag(rule.required_fields);
  return rule;
}

function parameters(rule: Record<string, unknown>): string {
  const picked = Object.keys(rule)
    .filter((k) => !nonParameterFields.has(k))
    .sort()
    .map((k) => [k, rule[k]]);
  return canonicalJson(Object.fromEntries(picked));
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function createRule(
  space: SpaceState,
  body: Record<string, unknown>,
  ctx: WriteContext,
  options: { prebuilt?: boolean } = {},
): StoredRule {
  const ruleId = typeof body.rule_id === "string" ? body.rule_id : randomUUID();
  if (space.byRuleId.has(ruleId)) throw new KibanaError(409, `rule_id: "${ruleId}" already exists`);
  const at = ctx.now.toISOString();
  const rule = stamp(withDefaults(body), {
    id: randomUUID(),
    rule_id: ruleId,
    immutable: options.prebuilt === true,
    rule_source: options.prebuilt
      ? { type: "external", is_customized: false, has_base_version: true, customized_fields: [] }
      : { type: "internal" },
    created_at: at,
    created_by: ctx.user,
    updated_at: at,
    updated_by: ctx.user,
    revision: 0,
  });
  space.rules.set(rule.id, rule);
  space.byRuleId.set(rule.rule_id, rule.id);
  return rule;
}

/** PUT semantics: the body replaces every parameter; `version` persists when omitted. */
export function replaceRule(
  space: SpaceState,
  existing: StoredRule,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredRule {
  const fields = withDefaults({ ...body, version: body.version ?? existing.version });
  return store(space, existing, fields, ctx);
}

/** PATCH semantics: only the sent fields change. These are the resulting rule parameters. */
export function patchedFields(existing: StoredRule, body: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stripEcs(existing))) {
    if (!(serverFields as readonly string[]).includes(key)) fields[key] = value;
  }
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && key !== "id") fields[key] = value;
  }
  fields.rule_id = existing.rule_id;
  return withDefaults(fields);
}

export function patchRule(
  space: SpaceState,
  existing: StoredRule,
  body: Record<string, unknown>,
  ctx: WriteContext,
): StoredRule {
  return store(space, existing, patchedFields(existing, body), ctx);
}

function store(
  space: SpaceState,
  existing: StoredRule,
  fields: Record<string, unknown>,
  ctx: WriteContext,
): StoredRule {
  const changed = parameters(fields) !== parameters(stripEcs(existing));
  if (existing.immutable && changed) throw new KibanaError(400, "Elastic rule can't be edited");
  const rule = stamp(fields, {
    id: existing.id,
    rule_id: existing.rule_id,
    immutable: existing.immutable,
    rule_source: existing.rule_source,
    created_at: existing.created_at,
    created_by: existing.created_by,
    updated_at: ctx.now.toISOString(),
    updated_by: ctx.user,
    revision: existing.revision + (changed ? 1 : 0),
  });
  space.rules.set(rule.id, rule);
  return rule;
}

function stripEcs(rule: StoredRule): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...rule };
  if (Array.isArray(copy.required_fields)) {
    copy.required_fields = (copy.required_fields as Record<string, unknown>[]).map(
      ({ ecs: _ecs, ...f }) => f,
    );
  }
  return copy;
}

export function deleteRule(space: SpaceState, rule: StoredRule): StoredRule {
  space.rules.delete(rule.id);
  space.byRuleId.delete(rule.rule_id);
  return rule;
}

/** The rule as the API returns it: keys sorted, so clients cannot depend on an order. */
export function toResponse(rule: StoredRule): Record<string, unknown> {
  return JSON.parse(canonicalJson(rule)) as Record<string, unknown>;
}
