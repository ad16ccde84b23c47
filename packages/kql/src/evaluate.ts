/**
 * `compile`: a KQL rule query as a predicate over documents, with the semantics of the query Kibana's detection
 * engine sends to Elasticsearch for it, run under Elasticsearch's rules for each field type (see
 * `evaluate-plan.ts` for the query choice and `evaluate-matchers.ts` for the per-type behaviour).
 */
import type { KqlNode } from "./ast.js";
import { buildPlan, type CompileOptions } from "./evaluate-plan.js";
import { parse } from "./parser.js";

export type { CompileOptions } from "./evaluate-plan.js";
export { KqlEvaluationError } from "./evaluate-error.js";

/** Parses the query unless it is already a tree. */
export function queryTree(query: string | KqlNode): KqlNode {
  return typeof query === "string" ? parse(query) : query;
}

/**
 * Compiles a query once into closures: `(doc) => true` when Elasticsearch would return the document for the rule
 * query. Throws KqlSyntaxError for a bad query and KqlEvaluationError where Elasticsearch (or Kibana) would refuse
 * to run it — for example a value that cannot be parsed into the field's type.
 */
export function compile(query: string | KqlNode, options: CompileOptions = {}): (doc: object) => boolean {
  return buildPlan(queryTree(query), options).test;
}
