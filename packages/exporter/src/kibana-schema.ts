import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type Ajv2020 from "ajv/dist/2020.js";
import type AjvFormats from "ajv-formats";
import type { ErrorObject, ValidateFunction } from "ajv";

// ajv is loaded when a body is first validated: commands that build no payload start without it.
const require = createRequire(import.meta.url);

/** The repository's `schemas/kibana/` (the same depth from `src/` and `dist/`). */
export const kibanaSchemaDir = fileURLToPath(new URL("../../../schemas/kibana/", import.meta.url));

export type KibanaBody =
  | "create"
  | "importLine"
  | "exceptionListCreate"
  | "exceptionItemCreate"
  | "exceptionListImportLine"
  | "exceptionItemImportLine"
  | "valueListCreate";

const schemaFiles: Record<KibanaBody, string> = {
  create: "rule-create.schema.json",
  importLine: "import-line.schema.json",
  exceptionListCreate: "exceptions.schema.json#/$defs/ExceptionListCreate",
  exceptionItemCreate: "exceptions.schema.json#/$defs/ExceptionItemCreate",
  exceptionListImportLine: "exceptions.schema.json#/$defs/ExceptionListImportLine",
  exceptionItemImportLine: "exceptions.schema.json#/$defs/ExceptionItemImportLine",
  valueListCreate: "exceptions.schema.json#/$defs/ValueListCreate",
};

const validators = new Map<string, Map<KibanaBody, ValidateFunction>>();

function compiled(schemaDir: string): Map<KibanaBody, ValidateFunction> {
  let byKind = validators.get(schemaDir);
  if (byKind) return byKind;
  const Ajv = (require("ajv/dist/2020.js") as typeof Ajv2020).default;
  const addFormats = (require("ajv-formats") as typeof AjvFormats).default;
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  for (const name of readdirSync(schemaDir).filter((f) => f.endsWith(".json"))) {
    ajv.addSchema(JSON.parse(readFileSync(`${schemaDir}/${name}`, "utf8")) as object);
  }
  byKind = new Map();
  for (const [kind, file] of Object.entries(schemaFiles) as [KibanaBody, string][]) {
    const validate = ajv.getSchema(file);
    if (!validate) throw new Error(`${file} is missing from ${schemaDir}`);
    byKind.set(kind, validate);
  }
  validators.set(schemaDir, byKind);
  return byKind;
}

/**
 * Validates a body against `schemas/kibana/`: the rule create body, or one line of an `_import` file.
 * Returns the problems as short sentences (`/severity: must be one of …`), empty when valid.
 */
export function validateKibanaBody(kind: KibanaBody, body: unknown, schemaDir = kibanaSchemaDir): string[] {
  const validate = compiled(schemaDir).get(kind)!;
  if (validate(body)) return [];
  return describeErrors(validate.errors ?? []);
}

/** `unevaluatedProperties` and `if` errors mostly echo a failure reported elsewhere: keep the root causes. */
function describeErrors(errors: ErrorObject[]): string[] {
  const causes = errors.filter((e) => e.keyword !== "if");
  const primary = causes.filter((e) => e.keyword !== "unevaluatedProperties");
  return [...new Set((primary.length > 0 ? primary : causes).map(describeError))];
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath || "(root)";
  switch (e.keyword) {
    case "unevaluatedProperties":
      return `${at}: unknown field "${String(e.params.unevaluatedProperty)}"`;
    case "additionalProperties":
      return `${at}: unknown field "${String(e.params.additionalProperty)}"`;
    case "required":
      return `${at}: missing required field "${String(e.params.missingProperty)}"`;
    case "enum":
      return `${at}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `${at}: must be ${JSON.stringify(e.params.allowedValue)}`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}
