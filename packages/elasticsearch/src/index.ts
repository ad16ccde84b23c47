// @dac/elasticsearch: rules on a real Elasticsearch (the `elasticsearch` engine of `dac test`), and the rule
// survey over a cluster's existing indices.
export { checkReachable, connect, describeError, ElasticsearchError, esEnv } from "./connection.js";
export type { Connection, ConnectionSettings } from "./connection.js";
export { elasticsearchEngine, newRunId, sweepStaleIndices, testIndexPrefix, testIndices } from "./engine.js";
export type { ElasticsearchEngine, ElasticsearchEngineOptions } from "./engine.js";
export {
  describeSubstitution,
  documentPaths,
  logsDynamicTemplates,
  mappingFor,
  nearestType,
} from "./mapping.js";
export type { BuiltMapping, Mapping, MappingOptions, Substitution } from "./mapping.js";
export {
  eventsSearchRequest,
  parseQuery,
  ruleFilter,
  timelessRange,
  timeRangeFilter,
  timestampsOf,
} from "./request.js";
export type { EventsSearchRequest, RuleQuery, Timestamps } from "./request.js";
export { eqlSearchRequest } from "./eql-request.js";
export type { EqlSearchRequest } from "./eql-request.js";
export { esqlQueryRequest, isMissingEsql } from "./esql-request.js";
export type { EsqlQueryRequest, EsqlRequestOptions } from "./esql-request.js";
export { dslFieldsFromFieldCaps, fieldTypeMismatches, kibanaType } from "./field-caps.js";
export type { FieldCapability, FieldCapsResponse, FieldTypeMismatch } from "./field-caps.js";
export { catalogFromFieldCaps, pullFields } from "./pull-fields.js";
export type { PulledConflict, PulledFields, PullOptions } from "./pull-fields.js";
export { surveyRules } from "./survey.js";
export type { SurveyOptions, SurveyResult, SurveyRule, SurveyRuleResult } from "./survey.js";
export { formatSurvey, progressBar, SURVEY_RESULT_VERSION, surveyFormats } from "./survey-format.js";
export type { SurveyFormat } from "./survey-format.js";
