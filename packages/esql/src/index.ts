// @dac/esql: ES|QL for detection rules — parse, print, validate against a field catalogue, evaluate in memory.
export type * from "./ast.js";
export { parseEsql, parseEsqlExpression, spanText } from "./parser.js";
export { EsqlSyntaxError, EsqlEvaluationError } from "./errors.js";
export { printEsql, printExpression } from "./print.js";
export {
  validateEsql,
  validateWithFields,
  fieldsOf,
  isAggregating,
  hasMetadataId,
  type EsqlFinding,
  type ValidateOptions,
} from "./validate.js";
export { evaluateEsql, traceEsql, type EsqlInput, type EsqlResult, type EsqlTraceStep } from "./evaluate.js";
export { FUNCTIONS, UNSUPPORTED_FUNCTIONS } from "./functions.js";
export type { EsqlType } from "./values.js";
