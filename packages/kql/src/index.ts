// Parser side: syntax tree, parse/print, DSL translation, lint, tree walking.
export type * from "./ast.js";
export { isLoneWildcard } from "./ast.js";
export { parse, type ParseOptions } from "./parser.js";
export { KqlSyntaxError } from "./errors.js";
export { print } from "./print.js";
export {
  toDsl,
  toKibanaQueryDsl,
  toQueryStringQuery,
  KqlDslError,
  type DslField,
  type DslOptions,
  type DslQuery,
  type JsonValue,
  type RuleQueryDsl,
} from "./dsl.js";
export { lint, type KqlLintFinding, type LintOptions } from "./lint.js";
export { fieldsOf, visit, fullFieldName, type FieldReference, type VisitContext } from "./walk.js";
// Evaluator side: compile against a field catalogue (@dac/fields), explain.
export { compile, KqlEvaluationError, type CompileOptions } from "./evaluate.js";
export { explain, formatExplain, type ExplainNode } from "./explain.js";
export { dslFieldsFromCatalog } from "./dsl-fields.js";
