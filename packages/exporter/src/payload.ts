import { canonicalJson, compareStrings, sortKeysDeep } from "./canonical.js";
import {
  emptyMeansAbsent,
  kibanaDefaults,
  payloadKeyOrder,
  serverOnlyFields,
  typeDefaults,
} from "./kibana-defaults.js";
import { validateKibanaBody } from "./kibana-schema.js";
import type {
  KibanaPayload,
  RemoteRule,
  RequiredField,
  RequiredFieldsFn,
  RuleData,
  RuleError,
  RuleSource,
} from "./types.js";

export const defaultManagementTag = "Managed by: dac";

export interface PayloadOptions {
  /** The version from the lock. */
  version: number;
  /** Tag that marks rules dac publishes (and may prune). Default `Managed by: dac`. */
  managementTag?: string;
  /** Derives `required_fields` from the query when the rule does not list them. */
  requiredFields?: RequiredFieldsFn;
}

const keyRank = new Map(payloadKeyOrder.map((key, i) => [key, i]));

/** Listed keys first in their fixed order, then the others alphabetically; nested keys sorted. */
export function orderKeys<T extends Record<string, unknown>>(object: T): T {
  const keys = Object.keys(object).sort((a, b) => {
    const ra = keyRank.get(a) ?? Infinity;
    const rb = keyRank.get(b) ?? Infinity;
    return ra !== rb ? ra - rb : compareStrings(a, b);
  });
  return Object.fromEntries(keys.map((k) => [k, sortKeysDeep(object[k])])) as T;
}

/** Unique by name, sorted by name: the order and duplicates of a list carry no meaning. */
export function normalizeRequiredFields(fields: readonly RequiredField[]): RequiredField[] {
  const byName = new Map<string, RequiredField>();
  for (const f of fields) if (!byName.has(f.name)) byName.set(f.name, { name: f.name, type: f.type });
  return [...byName.values()].sort((a, b) => compareStrings(a.name, b.name));
}

/** `required_fields` as derived from the query, or undefined when nothing can be derived. */
export function derivedRequiredFields(
  rule: RuleData,
  derive: RequiredFieldsFn | undefined,
): RequiredField[] | undefined {
  if (!derive || typeof rule.query !== "string" || rule.query.trim() === "") return undefined;
  const language =
    typeof rule.language === "string" ? rule.language : String(typeDefaults(rule.type).language ?? "");
  return normalizeRequiredFields(derive(rule.query, language, rule));
}

/** Tags without the management tag, then the management tag last: one place, whatever the YAML says. */
export function withManagementTag(tags: readonly string[], managementTag: string): string[] {
  return [...tags.filter((t) => t !== managementTag), managementTag];
}

/**
 * The Kibana create body for a rule: `metadata` dropped, Kibana's defaults written out, `version` from the lock,
 * `required_fields` listed or derived (sorted by name), the management tag last in `tags`, keys in a fixed order.
 * Does not validate: see `buildPayloads`.
 */
export function toKibanaPayload(rule: RuleData, options: PayloadOptions): KibanaPayload {
  return orderKeys(payloadFields(rule, options) as KibanaPayload);
}

/**
 * `toKibanaPayload` before its keys are ordered: the same keys and values. For hashing, where canonical JSON
 * orders every key anyway (the lock hashes every rule on every run, and the ordered copy is a cost).
 */
export function payloadFields(rule: RuleData, options: PayloadOptions): Record<string, unknown> {
  const managementTag = options.managementTag ?? defaultManagementTag;
  const payload: Record<string, unknown> = { ...kibanaDefaults, ...typeDefaults(rule.type) };
  // `metadata` is dac's own and `version` comes from the lock (a plain loop: this runs for every rule, every run).
  for (const key of Object.keys(rule)) {
    if (key === "metadata" || key === "version") continue;
    const value = (rule as Record<string, unknown>)[key];
    if (value !== undefined) payload[key] = value;
  }
  const listed = Array.isArray(rule.required_fields) ? (rule.required_fields as RequiredField[]) : undefined;
  payload.required_fields = listed
    ? normalizeRequiredFields(listed)
    : (derivedRequiredFields(rule, options.requiredFields) ?? []);
  payload.tags = withManagementTag(Array.isArray(rule.tags) ? rule.tags : [], managementTag);
  payload.version = options.version;
  return payload;
}

export interface BuiltPayload {
  file: string;
  payload: KibanaPayload;
}

/**
 * Payloads for a rule set, each validated against `schemas/kibana/import-line.schema.json` (the create body
 * with `rule_id` required); a rule that does not validate is an error and gets no payload.
 */
export function buildPayloads(
  rules: readonly RuleSource[],
  options: Omit<PayloadOptions, "version"> & { versionOf: (ruleId: string) => number | undefined },
): { payloads: BuiltPayload[]; errors: RuleError[] } {
  const payloads: BuiltPayload[] = [];
  const errors: RuleError[] = [];
  for (const { file, data } of rules) {
    const ruleId = typeof data.rule_id === "string" ? data.rule_id : "(no rule_id)";
    const version = options.versionOf(ruleId);
    if (version === undefined) {
      errors.push({ rule_id: ruleId, file, message: "no version in the lock file; run `dac version`" });
      continue;
    }
    const payload = toKibanaPayload(data, { ...options, version });
    const problems = validateKibanaBody("importLine", payload);
    if (problems.length > 0) {
      errors.push({ rule_id: ruleId, file, message: `not a valid Kibana rule: ${problems.join("; ")}` });
      continue;
    }
    payloads.push({ file, payload });
  }
  return { payloads, errors };
}

/**
 * A rule read from Kibana in payload form: server-only fields dropped, `ecs` dropped from `required_fields`,
 * empty deprecated fields dropped, keys ordered. Comparing it with a local payload shows what differs.
 */
export function remoteToPayload(remote: RemoteRule | Record<string, unknown>): KibanaPayload {
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(remote)) {
    if (serverOnlyFields.includes(key) || value === undefined) continue;
    if (key in emptyMeansAbsent && canonicalJson(value) === canonicalJson(emptyMeansAbsent[key])) continue;
    payload[key] = value;
  }
  if (Array.isArray(payload.required_fields)) {
    payload.required_fields = (payload.required_fields as RequiredField[]).map(({ name, type }) => ({
      name,
      type,
    }));
  }
  return orderKeys(payload as KibanaPayload);
}

/** The one-line form written to ndjson and sent to `_import`. */
export function payloadLine(payload: KibanaPayload): string {
  return JSON.stringify(payload);
}
