// Parser side: syntax tree, parse/print, DSL translation, lint, tree walking.
export type * from "./ast.js";
export { isLoneWildcard } from "./ast.js";
export { parse, type ParseOptions } from "./parser.js";
export { KqlSyntaxError } from "./errors.js";
export { print } from "./print.js";
export { clipText, quoteValue, MAX_SHOWN } from "./message-text.js";
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
// Evaluator side: field catalogue, compile, explain.
export type * from "./catalog-types.js";
export {
  fieldCatalog,
  fieldLayer,
  type FieldLayer,
  lookupField,
  suggestFields,
  resolveField,
  FieldCatalogError,
  type FieldCatalogSources,
  type FieldResolution,
} from "./catalog.js";
export {
  COMPACT_FORMAT,
  compactFields,
  fieldsFromCompact,
  isCompactCatalog,
  type CompactCatalog,
  type CompactField,
  type CompactFieldObject,
  type CompactFields,
} from "./catalog-compact.js";
export { importFieldDefinitions, type ImportedCatalog, type ImportOptions } from "./catalog-package.js";
export { fieldsFromMappings } from "./catalog-mapping.js";
export { compile, KqlEvaluationError, type CompileOptions } from "./evaluate.js";
export { explain, formatExplain, type ExplainNode } from "./explain.js";
export { dslFieldsFromCatalog } from "./dsl-fields.js";
export { docValuesReader, NotAggregatableError, type DocValue, type DocValuesReader } from "./values-doc.js";
export { resolveDateMath } from "./date-math.js";
