// @dac/exceptions: exception lists and value lists as code. The YAML format and its loader, the checks of
// `dac validate`, the filter Kibana's detection engine builds from a rule's exceptions, and its in-memory twin.
export type * from "./types.js";
export { valueListTypes } from "./types.js";
export {
  exceptionListSchemaPath,
  invalidValue,
  itemLocation,
  loadExceptions,
  parseValueList,
  ruleDefaultSuffix,
  type LoadExceptionsOptions,
} from "./load.js";
export { isRuleDefaultListFile } from "@dac/schema";
export {
  compileExceptions,
  ExceptionEvaluationError,
  isExpired,
  type CompiledExceptions,
  type CompileExceptionsOptions,
} from "./evaluate.js";
export { EXCEPTION_CHUNK_SIZE, exceptionsQuery, withExceptions, type QueryDsl } from "./dsl.js";
export { attachedListIds, exceptionsForRule, listsForRule, type RuleRef } from "./attach.js";
export { checkExceptions, type CheckExceptionsOptions } from "./checks.js";
