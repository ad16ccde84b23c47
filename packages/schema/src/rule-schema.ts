import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import type Ajv2020 from "ajv/dist/2020.js";
import type * as AjvCore from "ajv";
import type AjvFormats from "ajv-formats";
import type { Diagnostic } from "./diagnostic.js";
import { diagnosticAt } from "./position.js";
import type { YamlPath } from "./position.js";
import { builtFile, schemasDir } from "./repo-paths.js";
import { closest, didYouMean } from "./suggest.js";
import type { YamlSource } from "./yaml-source.js";

type JsonSchema = { [key: string]: unknown };

export const ruleSchemaPath = join(schemasDir, "rule.schema.json");

/** The schemas of schemas/ that the build precompiles (`scripts/precompile-schemas.mjs`). */
export const precompiledSchemas = [
  "rule.schema.json",
  "dac.config.schema.json",
  "exception-list.schema.json",
];

const compiled = new Map<string, { validate: ValidateFunction; schema: JsonSchema }>();

/** Compiles `schemas/rule.schema.json` once per process (ajv turns it into a fast function). */
export function ruleSchemaValidator(): { validate: ValidateFunction; schema: JsonSchema } {
  return schemaValidator("rule.schema.json");
}

/**
 * The validator of a schema of schemas/, once per process. Compiling the rule schema costs about 0.5 s, in every
 * thread of `dac validate`: the build writes ajv's standalone code for it (`dist/<name>.validate.cjs`), used when
 * it was made from the same schema text, and compiled here otherwise.
 */
export function schemaValidator(name: string): { validate: ValidateFunction; schema: JsonSchema } {
  let entry = compiled.get(name);
  if (!entry) {
    const text = readFileSync(join(schemasDir, name), "utf8");
    const schema = JSON.parse(text) as JsonSchema;
    entry = { validate: precompiled(name, text) ?? compileSchema(schema), schema };
    compiled.set(name, entry);
  }
  return entry;
}

export function schemaSha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const require = createRequire(import.meta.url);

function precompiled(name: string, text: string): ValidateFunction | undefined {
  const file = builtFile(import.meta.url, `${name.replace(/\.json$/, "")}.validate.cjs`);
  if (file === undefined) return undefined;
  try {
    const loaded = require(file) as ValidateFunction & { schemaSha256?: string };
    return loaded.schemaSha256 === schemaSha256(text) ? loaded : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ajv as dac uses it; `standalone` keeps the code for `standaloneCode` (the build's precompiled validators).
 * ajv itself is loaded here, on first use: with the precompiled validators, `dac validate` never needs it.
 */
export function schemaAjv(options: { standalone?: boolean } = {}): InstanceType<typeof Ajv2020.default> {
  const Ajv = (require("ajv/dist/2020.js") as typeof Ajv2020).default;
  const { _ } = require("ajv") as typeof AjvCore;
  const addFormats = (require("ajv-formats") as typeof AjvFormats).default;
  const ajv = new Ajv({
    allErrors: true,
    discriminator: true,
    strict: true,
    verbose: true,
    ...(options.standalone
      ? { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } }
      : {}),
  });
  addFormats(ajv);
  return ajv;
}

export function compileSchema(schema: JsonSchema): ValidateFunction {
  return schemaAjv().compile(schema);
}

/** Validates plain data against a compiled schema and turns ajv's errors into positioned diagnostics. */
export function schemaDiagnostics(
  source: YamlSource,
  data: unknown,
  validate: ValidateFunction,
  root: JsonSchema,
): Diagnostic[] {
  if (validate(data)) return [];
  const errors = withoutMisspeltRequired(mostSpecific(validate.errors ?? []), data, root);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    const diagnostic = toDiagnostic(source, data, error, root);
    const key = `${diagnostic.line}:${diagnostic.column}:${diagnostic.code}:${diagnostic.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      diagnostics.push(diagnostic);
    }
  }
  return diagnostics;
}

/**
 * `risk_scor: 47` is both an unknown key and a missing `risk_score`. Report it once, as the unknown key with its
 * "did you mean", and drop the missing-key error that the rename fixes.
 */
function withoutMisspeltRequired(errors: ErrorObject[], data: unknown, root: JsonSchema): ErrorObject[] {
  const fixedByRename = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== "additionalProperties" && error.keyword !== "unevaluatedProperties") continue;
    const key = String(error.params.additionalProperty ?? error.params.unevaluatedProperty);
    const [target] = closest(key, knownProperties(root, error, data, pathOf(error.instancePath)), 1);
    if (target) fixedByRename.add(`${error.instancePath}\0${target}`);
  }
  const renamed = (e: ErrorObject) =>
    e.keyword === "required" && fixedByRename.has(`${e.instancePath}\0${String(e.params.missingProperty)}`);
  // When the renamed key satisfies one branch of an `anyOf` (`events` or `todo`), the other branches' demands
  // are moot too.
  const satisfiedAlternatives = new Set(
    errors.filter(renamed).map((e) => `${e.instancePath}\0${anyOfPrefix(e.schemaPath)}`),
  );
  return errors.filter(
    (e) =>
      !renamed(e) &&
      !(
        e.keyword === "required" &&
        anyOfPrefix(e.schemaPath) !== "" &&
        satisfiedAlternatives.has(`${e.instancePath}\0${anyOfPrefix(e.schemaPath)}`)
      ),
  );
}

function anyOfPrefix(schemaPath: string): string {
  const at = schemaPath.lastIndexOf("/anyOf/");
  return at < 0 ? "" : schemaPath.slice(0, at);
}

/** Drops the umbrella errors (`oneOf`, `anyOf`, `if`) whose cause is already reported more precisely. */
function mostSpecific(errors: ErrorObject[]): ErrorObject[] {
  const umbrella = new Set(["oneOf", "anyOf", "if", "not", "allOf"]);
  const precise = errors.filter((e) => !umbrella.has(e.keyword));
  return mergeTypeErrors(precise.length > 0 ? precise : errors);
}

/** A union (`string | string[]`) fails with one `type` error per alternative: report them as one. */
function mergeTypeErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject>();
  const out: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== "type") {
      out.push(error);
      continue;
    }
    const first = byPath.get(error.instancePath);
    if (!first) {
      const copy = { ...error, params: { type: [error.params.type].flat() } };
      byPath.set(error.instancePath, copy);
      out.push(copy);
    } else {
      (first.params.type as unknown[]).push(...[error.params.type].flat());
    }
  }
  return out;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describe(path: YamlPath): string {
  if (path.length === 0) return "the rule";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

function expectedType(type: unknown): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    integer: "an integer",
    number: "a number",
    boolean: "a boolean (true or false)",
    null: "null",
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => names[String(t)] ?? String(t)).join(" or ");
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function toDiagnostic(source: YamlSource, data: unknown, error: ErrorObject, root: JsonSchema): Diagnostic {
  const path = pathOf(error.instancePath);
  const where = describe(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
    case "unevaluatedProperties": {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      const known = knownProperties(root, error, data, path);
      const suggestion = didYouMean(key, known);
      const hint =
        key === "version" && path.length === 0
          ? "remove it: `dac version` keeps versions in rules.lock.json (a starting version goes in `metadata.version`)"
          : (suggestion ??
            (known.length > 0
              ? `allowed keys here: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", …" : ""}`
              : undefined));
      return diagnosticAt(source, [...path, key], {
        code: "DAC101",
        on: "key",
        message: `unknown key \`${key}\`${path.length ? ` in ${where}` : ""}${suggestion ? `, ${suggestion}` : ""}`,
        hint: suggestion ? `rename it to \`${closest(key, known, 1)[0]}\`` : hint,
      });
    }
    case "required": {
      const missing = String(params.missingProperty);
      return diagnosticAt(source, path, {
        code: "DAC103",
        on: "container",
        message: `missing required key \`${missing}\` in ${where}`,
        hint: `add \`${missing}:\``,
      });
    }
    case "type":
      return diagnosticAt(source, path, {
        code: "DAC102",
        message: `${where} must be ${expectedType(params.type)}, not ${typeName(valueAt(data, path))}`,
      });
    case "enum":
    case "const": {
      const allowed = (
        error.keyword === "enum" ? (params.allowedValues as unknown[]) : [params.allowedValue]
      ).map(String);
      const actual = String(valueAt(data, path));
      const suggestion = didYouMean(actual, allowed);
      return diagnosticAt(source, path, {
        code: "DAC104",
        message: `${where} is \`${actual}\`; allowed: ${allowed.map((a) => `\`${a}\``).join(", ")}${suggestion ? ` (${suggestion})` : ""}`,
      });
    }
    case "pattern":
    case "format":
      return diagnosticAt(source, path, {
        code: "DAC105",
        message: `${where} \`${String(valueAt(data, path))}\` is not a valid ${error.keyword === "format" ? String(params.format) : formatName(error)}`,
        hint: examplesOf(error),
      });
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
    case "uniqueItems":
      return diagnosticAt(source, path, {
        code: "DAC106",
        message: `${where} ${error.message ?? "is out of range"}`,
      });
    case "discriminator": {
      const tag = valueAt(data, [...path, "type"]);
      const types = discriminatorValues(root);
      if (tag === undefined) {
        return diagnosticAt(source, path, {
          code: "DAC103",
          on: "container",
          message: `missing required key \`type\` in ${where}`,
          hint: `add \`type:\` with one of ${types.join(", ")}`,
        });
      }
      const suggestion = typeof tag === "string" ? didYouMean(tag, types) : undefined;
      return diagnosticAt(source, [...path, "type"], {
        code: "DAC107",
        message: `\`type\` is \`${String(tag)}\`, which is not a Kibana rule type${suggestion ? `, ${suggestion}` : ""}`,
        hint: `use one of ${types.join(", ")}`,
      });
    }
    default:
      return diagnosticAt(source, path, {
        code: "DAC199",
        message: `${where} ${error.message ?? "does not match the schema"}`,
      });
  }
}

function formatName(error: ErrorObject): string {
  const schema = error.parentSchema as JsonSchema | undefined;
  return typeof schema?.title === "string"
    ? schema.title.toLowerCase()
    : `value (pattern ${String((error.params as { pattern?: string }).pattern)})`;
}

function examplesOf(error: ErrorObject): string | undefined {
  const examples = (error.parentSchema as JsonSchema | undefined)?.examples;
  return Array.isArray(examples) && examples.length > 0
    ? `for example ${examples.map((e) => `\`${String(e)}\``).join(", ")}`
    : undefined;
}

/** Values of the `type` discriminator, for "did you mean" on rule types. */
export function discriminatorValues(root: JsonSchema): string[] {
  const values: string[] = [];
  const visit = (schema: unknown): void => {
    const s = resolve(root, schema);
    if (!s) return;
    const type = (s.properties as JsonSchema | undefined)?.type as JsonSchema | undefined;
    if (type && typeof type.const === "string") values.push(type.const);
    for (const branch of (s.oneOf as unknown[]) ?? []) visit(branch);
  };
  visit(root);
  return [...new Set(values)];
}

function resolve(root: JsonSchema, schema: unknown): JsonSchema | undefined {
  if (!schema || typeof schema !== "object") return undefined;
  const s = schema as JsonSchema;
  if (typeof s.$ref === "string" && s.$ref.startsWith("#/")) {
    let target: unknown = root;
    for (const part of s.$ref.slice(2).split("/")) target = (target as JsonSchema | undefined)?.[part];
    const resolved = resolve(root, target);
    const { $ref: _ref, ...rest } = s;
    return resolved ? { ...resolved, ...rest } : rest;
  }
  return s;
}

/** Every property name a schema (following $ref, allOf, and the branch selected by `type`) allows. */
function propertiesOf(root: JsonSchema, schema: unknown, data: unknown, into: Set<string>): void {
  const s = resolve(root, schema);
  if (!s) return;
  for (const name of Object.keys((s.properties as JsonSchema | undefined) ?? {})) into.add(name);
  for (const sub of (s.allOf as unknown[]) ?? []) propertiesOf(root, sub, data, into);
  const branches = [...((s.oneOf as unknown[]) ?? []), ...((s.anyOf as unknown[]) ?? [])];
  const tag = data && typeof data === "object" ? (data as Record<string, unknown>).type : undefined;
  const matching = branches.filter((b) => {
    const type = (resolve(root, b)?.properties as JsonSchema | undefined)?.type as JsonSchema | undefined;
    return type?.const === undefined || type.const === tag;
  });
  for (const branch of matching.length > 0 ? matching : branches) propertiesOf(root, branch, data, into);
  for (const key of ["then", "else"]) if (s[key]) propertiesOf(root, s[key], data, into);
}

function knownProperties(root: JsonSchema, error: ErrorObject, data: unknown, path: YamlPath): string[] {
  const names = new Set<string>();
  propertiesOf(root, error.parentSchema, valueAt(data, path), names);
  if (names.size === 0 && path.length === 0) propertiesOf(root, root, data, names);
  return [...names].sort();
}
