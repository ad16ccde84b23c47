export type { Diagnostic, Severity } from "./diagnostic.js";
export { codeInfo, codes } from "./codes.js";
export type { CodeInfo } from "./codes.js";
export { defaultYamlLimits, diagnosticAtPosition, loadYaml } from "./yaml-source.js";
export type { LoadedYaml, YamlLimits, YamlSource } from "./yaml-source.js";
export { diagnosticAt, locate, rangeOf, scalarOffsetToPosition } from "./position.js";
export type { DiagnosticInit, SourceSpan, YamlPath } from "./position.js";
export type { Rule, RuleData, RuleMetadata, ThreatEntry } from "./rule.js";
export {
  compileSchema,
  discriminatorValues,
  precompiledSchemas,
  ruleSchemaPath,
  ruleSchemaValidator,
  schemaAjv,
  schemaDiagnostics,
  schemaSha256,
  schemaValidator,
} from "./rule-schema.js";
export { ConfigError, configFileName, defaultConfig, findConfigFile, loadConfig } from "./config.js";
export type { DacConfig, Exclusion } from "./config.js";
export {
  checkRule,
  checkRuleSet,
  intervalSeconds,
  knownPrebuiltRuleIds,
  relativeSeconds,
  severityBands,
} from "./rule-checks.js";
export { checkAttack, loadAttackData } from "./attack.js";
export type { AttackData } from "./attack.js";
export { checkQueries, kqlQueries, ruleQueries } from "./query-checks.js";
export {
  classifyUnknownField,
  unknownFieldNamespace,
  type QueryCheckOptions,
  type UnknownFieldFinding,
} from "./unknown-field.js";
export { checkTypeSettings } from "./type-checks.js";
export {
  discoverFieldFiles,
  indexPatternsOverlap,
  integrationFieldFiles,
  otherDefinitions,
  packageOfIndexPattern,
  readCatalogue,
  ruleCatalogueParts,
  ruleFieldCatalog,
  ruleIntegrations,
  shownDefinitionFile,
  threatIndexCatalog,
  type FieldFiles,
  type IntegrationRef,
} from "./rule-catalog.js";
export { fieldDefinitions, knownFieldNames, type FieldDefinition } from "./field-definitions.js";
export {
  applyExclusions,
  collectYamlFiles,
  displayPath,
  isRuleDefaultListFile,
  loadRuleFile,
  loadRules,
  validateRuleFile,
} from "./rules.js";
export type { LoadRulesOptions, LoadRulesResult, RuleExtras } from "./rules.js";
export { parallelThreshold, threadCount } from "./parallel.js";
export { defaultThreads, threadsSetting } from "./prestart.js";
export { closest, didYouMean } from "./suggest.js";
export { builtFile, schemasDir } from "./repo-paths.js";
export { linkStatus, writeFileAtomic } from "./files.js";
export type { LinkStatus } from "./files.js";
