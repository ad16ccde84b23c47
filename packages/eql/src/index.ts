// Parser side: syntax tree, parse/print.
export type * from "./ast.js";
export { parse, parseExpression, spanText } from "./parser.js";
export { EqlSyntaxError } from "./errors.js";
export { print, printExpression, printString } from "./print.js";
// Validation and lint against a field catalogue.
export {
  validate,
  fieldsOf,
  visit,
  typeOfField,
  FUNCTIONS,
  functionNamed,
  EVENT_CATEGORIES,
  type EqlFinding,
  type EqlType,
  type ValidateOptions,
} from "./validate.js";
// Evaluator side.
export {
  evaluate,
  compileFilter,
  rawValues,
  luceneRegExp,
  EqlEvaluationError,
  type EqlEvent,
  type EqlResult,
  type EvaluateOptions,
} from "./evaluate.js";
export { traceSequence, compileCondition, compileEventFilter, type SequenceKeyTrace } from "./evaluate.js";
export {
  explainFilter,
  explainSequence,
  formatExplain,
  stepText,
  type EqlExplainNode,
  type SequenceExplanation,
} from "./explain.js";
export { mutations, type EqlMutation } from "./mutate.js";
