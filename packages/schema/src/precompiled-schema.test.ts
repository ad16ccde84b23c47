import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import standaloneCode from "ajv/dist/standalone/index.js";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileSchema, schemaAjv, schemaSha256, schemaValidator } from "./rule-schema.js";
import { schemasDir } from "./repo-paths.js";

const require = createRequire(import.meta.url);
const ruleText = readFileSync(join(schemasDir, "rule.schema.json"), "utf8");
const seed = parse(
  readFileSync(
    new URL("../../../rules/kubernetes/kubernetes_suspicious_self_subject_review.yaml", import.meta.url),
    "utf8",
  ),
) as Record<string, unknown>;

// One valid rule and one broken way per kind of keyword the schema uses: required, enum, type, format, pattern,
// additionalProperties, the `type` discriminator, minimum/maximum and nested items.
const documents: unknown[] = [
  seed,
  {},
  { ...seed, risk_scor: 47, risk_score: undefined },
  { ...seed, severity: "urgent" },
  { ...seed, risk_score: "high" },
  { ...seed, risk_score: 101 },
  { ...seed, type: "eql" },
  { ...seed, type: "threshold" },
  { ...seed, references: ["not a uri"] },
  { ...seed, threat: [{ framework: "MITRE ATT&CK", tactic: { id: "TA7", name: "x" } }] },
  { ...seed, metadata: { maturity: "sometimes" } },
  { ...seed, unknown_key: true },
];

const errorsOf = (validate: ValidateFunction, data: unknown) =>
  validate(JSON.parse(JSON.stringify(data))) ? [] : validate.errors;

describe("precompiled schema validators (scripts/precompile-schemas.mjs)", () => {
  it("ajv's standalone code reports exactly what the compiled schema reports", () => {
    const ajv = schemaAjv({ standalone: true });
    // Run as the built .cjs runs, as a CommonJS module whose require resolves ajv's runtime from here.
    const module = { exports: {} as unknown };
    new Function(
      "module",
      "exports",
      "require",
      standaloneCode.default(ajv, ajv.compile(JSON.parse(ruleText))),
    )(module, module.exports, require);
    const standalone = module.exports as ValidateFunction;
    const compiled = compileSchema(JSON.parse(ruleText) as Record<string, unknown>);
    for (const data of documents) expect(errorsOf(standalone, data)).toEqual(errorsOf(compiled, data));
    expect(errorsOf(compiled, documents[0])).toEqual([]);
    expect(errorsOf(compiled, documents[3])).not.toEqual([]);
  });

  it("uses a build's validator only when it was made from the schema text in schemas/", () => {
    const { validate } = schemaValidator("rule.schema.json");
    const recorded = (validate as ValidateFunction & { schemaSha256?: string }).schemaSha256;
    // Compiled at run time (no build, or a stale one) or precompiled from this very text: never another schema.
    if (recorded !== undefined) expect(recorded).toBe(schemaSha256(ruleText));
    for (const data of documents)
      expect(errorsOf(validate, data)).toEqual(
        errorsOf(compileSchema(JSON.parse(ruleText) as Record<string, unknown>), data),
      );
  });
});
