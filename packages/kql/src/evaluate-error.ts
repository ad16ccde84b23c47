// KQL's name for the shared evaluation error: a query Elasticsearch would refuse, found while compiling KQL.
export { QueryEvaluationError as KqlEvaluationError, ValueParseError } from "@dac/fields";
export type { QueryEvaluationErrorDetails as KqlEvaluationErrorDetails } from "@dac/fields";
