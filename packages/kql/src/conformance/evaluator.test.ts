import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { FieldCatalog } from "@dac/fields";
import { compile, KqlEvaluationError } from "../evaluate.js";
import { explain } from "../explain.js";
import {
  catalogs,
  documents,
  elasticsearchCases,
  kubernetesCases,
  kubernetesDocuments,
  NOW,
  pythonCases,
  type CatalogName,
  type EvaluatorCase,
} from "./evaluator.cases.js";

const FIELDS_DIR = fileURLToPath(new URL("../../../../schemas/fields/", import.meta.url));

const built = new Map<CatalogName, FieldCatalog>();
function catalogFor(name: CatalogName): FieldCatalog {
  let catalog = built.get(name);
  if (!catalog) {
    catalog =
      name === "k8s"
        ? fieldCatalog({ ecs: true, fieldFiles: [FIELDS_DIR], unknownFields: "unmapped" })
        : fieldCatalog(catalogs[name]);
    built.set(name, catalog);
  }
  return catalog;
}

function documentOf(c: EvaluatorCase): object {
  if (typeof c.doc !== "string") return c.doc;
  const doc = documents[c.doc] ?? kubernetesDocuments[c.doc];
  if (!doc) throw new Error(`unknown document ${c.doc}`);
  return doc;
}

function run(c: EvaluatorCase) {
  const options = { catalog: catalogFor(c.catalog), now: () => new Date(NOW) };
  const doc = documentOf(c);
  if (typeof c.expected === "object") {
    let error: unknown;
    try {
      compile(c.query, options)(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KqlEvaluationError);
    expect((error as Error).message).toContain(c.expected.error);
    expect(() => explain(c.query, doc, options)).toThrow(KqlEvaluationError);
    return;
  }
  const matched = compile(c.query, options)(doc);
  expect(matched).toBe(c.expected);
  // explain walks the same plan with a generic value collector: it must agree with the compiled walkers.
  const trace = explain(c.query, doc, options);
  expect(trace.matched).toBe(matched);
  expect(trace.reason).not.toBe("");
}

function title(c: EvaluatorCase): string {
  const outcome = typeof c.expected === "object" ? `error ${c.expected.error}` : String(c.expected);
  const note = c.python !== undefined ? ` [Python: ${c.python}]` : "";
  return `${c.source} ${c.query.replace(/\s+/g, " ")} → ${outcome}${note}${c.why ? ` — ${c.why}` : ""}`;
}

describe("evaluator conformance: detection-rules test_evaluator.py", () => {
  it("transcribes all 66 upstream cases", () => expect(pythonCases).toHaveLength(66));
  for (const c of pythonCases) it(title(c), () => run(c));
});

describe("evaluator conformance: Elasticsearch semantics", () => {
  it("explains every difference from the Python evaluator", () => {
    for (const c of elasticsearchCases) if (c.python !== undefined) expect(c.why, c.query).toBeTruthy();
  });
  for (const c of elasticsearchCases) it(title(c), () => run(c));
});

describe("evaluator conformance: Kubernetes seed queries", () => {
  for (const c of kubernetesCases) it(`${title(c)} (${String(c.doc)})`, () => run(c));
});
