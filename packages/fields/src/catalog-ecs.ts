/** ECS field definitions from `@elastic/ecs` (`EcsFlat`), converted once per process. */
import { EcsFlat, EcsVersion } from "@elastic/ecs";
import type { EsFieldType, FieldInfo } from "./catalog-types.js";

interface EcsFlatField {
  flat_name: string;
  type: string;
  ignore_above?: number;
  scaling_factor?: number;
  object_type?: string;
  index?: boolean;
  doc_values?: boolean;
  multi_fields?: { flat_name: string; name: string; type: string }[];
}

/** The ECS version the field definitions come from. */
export const ecsVersion: string = EcsVersion;

let converted: readonly FieldInfo[] | undefined;
let byName: ReadonlyMap<string, FieldInfo> | undefined;

/**
 * Every ECS field, with its multi-fields as entries of their own (reading their parent's values). ECS's `format`
 * is a Kibana display format, not a date format, so it is not carried over.
 */
export function ecsFields(): readonly FieldInfo[] {
  if (converted) return converted;
  const out: FieldInfo[] = [];
  for (const raw of Object.values(EcsFlat as unknown as Record<string, EcsFlatField>)) {
    const name = raw.flat_name;
    if (raw.type === "object" && raw.object_type) {
      out.push({ name, type: "object", objectType: raw.object_type as EsFieldType, source: "ecs" });
      continue;
    }
    const info: FieldInfo = { name, type: raw.type as EsFieldType, source: "ecs" };
    if (raw.ignore_above !== undefined) info.ignoreAbove = raw.ignore_above;
    if (raw.scaling_factor !== undefined) info.scalingFactor = raw.scaling_factor;
    if (raw.index === false && raw.doc_values === false) info.searchable = false;
    if (raw.multi_fields?.length) {
      info.multiFields = raw.multi_fields.map((m) => ({ name: m.flat_name, type: m.type as EsFieldType }));
    }
    out.push(info);
    for (const m of raw.multi_fields ?? []) {
      out.push({ name: m.flat_name, type: m.type as EsFieldType, sourcePath: name, source: "ecs" });
    }
  }
  converted = out;
  return out;
}

/** One ECS field by name (for `external: ecs` in field files). */
export function ecsField(name: string): FieldInfo | undefined {
  byName ??= new Map(ecsFields().map((f) => [f.name, f]));
  return byName.get(name);
}
