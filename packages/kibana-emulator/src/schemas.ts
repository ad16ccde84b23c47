import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ErrorObject, ValidateFunction } from "ajv";

/** The repository's `schemas/kibana/`, from `src/` and `dist/` alike. */
export const defaultSchemaDir = fileURLToPath(new URL("../../../schemas/kibana/", import.meta.url));

export type BodyKind =
  | "create"
  | "update"
  | "patch"
  | "importLine"
  | "bulkAction"
  | "exceptionListCreate"
  | "exceptionListUpdate"
  | "exceptionItemCreate"
  | "exceptionItemUpdate"
  | "exceptionListImportLine"
  | "exceptionItemImportLine"
  | "valueListCreate"
  | "valueListUpdate"
  | "valueListItemCreate";

const files: Record<BodyKind, string> = {
  create: "rule-create.schema.json",
  update: "rule-update.schema.json",
  patch: "rule-patch.schema.json",
  importLine: "import-line.schema.json",
  bulkAction: "bulk-action.schema.json",
  // Kibana's exceptions and lists APIs (sources cited in the schema file).
  exceptionListCreate: "exceptions.schema.json#/$defs/ExceptionListCreate",
  exceptionListUpdate: "exceptions.schema.json#/$defs/ExceptionListUpdate",
  exceptionItemCreate: "exceptions.schema.json#/$defs/ExceptionItemCreate",
  exceptionItemUpdate: "exceptions.schema.json#/$defs/ExceptionItemUpdate",
  exceptionListImportLine: "exceptions.schema.json#/$defs/ExceptionListImportLine",
  exceptionItemImportLine: "exceptions.schema.json#/$defs/ExceptionItemImportLine",
  valueListCreate: "exceptions.schema.json#/$defs/ValueListCreate",
  valueListUpdate: "exceptions.schema.json#/$defs/ValueListUpdate",
  valueListItemCreate: "exceptions.schema.json#/$defs/ValueListItemCreate",
};

export type BodyValidator = (kind: BodyKind, body: unknown) => string | undefined;

/** Compiles every schema of `schemas/kibana/` once; returns a validator giving a zod-like message or undefined. */
export function bodyValidator(schemaDir = defaultSchemaDir): BodyValidator {
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false });
  addFormats.default(ajv);
  for (const name of readdirSync(schemaDir).filter((f) => f.endsWith(".json"))) {
    ajv.addSchema(JSON.parse(readFileSync(`${schemaDir}/${name}`, "utf8")) as object);
  }
  const compiled = new Map<BodyKind, ValidateFunction>();
  return (kind, body) => {
    let validate = compiled.get(kind);
    if (!validate) {
      validate = ajv.getSchema(files[kind]);
      if (!validate) throw new Error(`schema ${files[kind]} not found in ${schemaDir}`);
      compiled.set(kind, validate);
    }
    return validate(body) ? undefined : describeErrors(validate.errors ?? []);
  };
}

/** `unevaluatedProperties` and `if` errors only echo a failure reported elsewhere; keep the root causes. */
function describeErrors(errors: ErrorObject[]): string {
  const causes = errors.filter((e) => e.keyword !== "if");
  const primary = causes.filter((e) => e.keyword !== "unevaluatedProperties");
  const shown = primary.length > 0 ? primary : causes;
  return [...new Set(shown.map(describeError))].join(", ");
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath || "(root)";
  if (e.keyword === "unevaluatedProperties")
    return `${at}: unknown field "${String(e.params.unevaluatedProperty)}"`;
  if (e.keyword === "enum")
    return `${at}: ${e.message} (${(e.params.allowedValues as unknown[]).join(", ")})`;
  if (e.keyword === "const") return `${at}: must be ${JSON.stringify(e.params.allowedValue)}`;
  return `${at}: ${e.message ?? e.keyword}`;
}
