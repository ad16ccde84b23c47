/** Events shown in failure reports are cut down to the fields the query reads, as dotted names. */
import type { EventDocument } from "./event-files.js";

/** `{a: {b: 1}, "a.c": 2}` → `{"a.b": 1, "a.c": 2}`; objects inside arrays gather their values per name. */
export function flattenEvent(document: EventDocument): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const add = (key: string, value: unknown) => {
    if (!(key in out)) out[key] = value;
    else out[key] = [...asArray(out[key]), ...asArray(value)];
  };
  const walk = (value: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(value)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isPlainObject(v)) walk(v, key);
      else if (Array.isArray(v) && v.some(isPlainObject)) {
        for (const item of v) {
          if (isPlainObject(item)) walk(item, key);
          else add(key, [item]);
        }
      } else add(key, v);
    }
  };
  walk(document, "");
  return out;
}

/**
 * Keeps the fields the query names: exact names, object prefixes (`user` keeps `user.name`) and wildcard
 * names. With no field names (free text), the whole flattened event.
 */
export function trimEvent(document: EventDocument, fields: readonly string[]): Record<string, unknown> {
  const flat = flattenEvent(document);
  if (fields.length === 0) return flat;
  const patterns = fields.map((f) => (f.includes("*") ? wildcard(f) : undefined));
  const keep: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const wanted = fields.some(
      (f, i) => key === f || key.startsWith(`${f}.`) || (patterns[i]?.test(key) ?? false),
    );
    if (wanted) keep[key] = value;
  }
  return keep;
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
