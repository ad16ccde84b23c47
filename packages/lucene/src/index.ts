// @dac/lucene: Lucene query_string queries of detection rules (`language: lucene`). Parse with a span on every
// node, the fields a query names, the DSL Kibana sends, and in-memory evaluation on @dac/fields' matchers.
export type { BoolNode, FieldRef, GroupNode, LuceneNode, Occur, RangeNode, Span, TermNode } from "./ast.js";
export { fieldsOf, LuceneSyntaxError, parse, unescape, type ParseOptions } from "./parser.js";
export { toDsl, type LuceneDsl } from "./dsl.js";
export {
  buildPlan,
  compile,
  explainPlan,
  type CompileOptions,
  type DocumentFields,
  type LeafField,
  type Plan,
  type Test,
} from "./evaluate.js";
export { QueryEvaluationError as LuceneEvaluationError } from "@dac/fields";
