// @dac/fields: what every query language needs to know about fields, and how Elasticsearch matches them.
// The field catalogue (ECS, integration definitions, cluster mappings), document access (dotted keys, arrays,
// nested objects) and, per field type, how a term, wildcard, range, exists or query_string clause matches a value:
// keyword and text analysis, numbers, dates and date math, ip and CIDR, booleans, `ignore_above`.

// Shared small types and errors.
export type { RangeOperator, Span } from "./types.js";
export { QueryEvaluationError, ValueParseError, type QueryEvaluationErrorDetails } from "./query-error.js";
export { clipText, quoteValue, MAX_SHOWN } from "./message-text.js";

// The field catalogue.
export type * from "./catalog-types.js";
export {
  fieldCatalog,
  fieldLayer,
  type FieldLayer,
  lookupField,
  suggestFields,
  resolveField,
  isContainerType,
  leafFields,
  leafFieldsNamed,
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
export { ecsVersion } from "./catalog-ecs.js";

// Documents: the values at a path, as Elasticsearch indexes a JSON source.
export { compileWalker, forEachLeaf, objectsAt, pathSegments, valuesAt, type Visitor } from "./document.js";

// Per field type: how a clause matches the values of a document.
// The keys Elasticsearch indexes for keyword and ip values, for callers that index many terms in a Set
// (exception items and value lists) instead of testing them one by one.
export { keywordFromDocument } from "./values-string.js";
export { ipFromDocument, ipKey, ipTermRange } from "./values-ip.js";
export {
  existsMatcher,
  queryStringMatcher,
  rangeMatcher,
  termMatcher,
  typeClass,
  wildcardMatcher,
  type MatchContext,
  type TermMode,
  type ValueMatcher,
} from "./evaluate-matchers.js";
export {
  DEFAULT_DATE_FORMAT,
  dateFormat,
  dateFromDocument,
  formatInstant,
  parseDateMath,
  type DateFormat,
  type Instant,
} from "./values-date.js";

// What aggregations read of a field (doc values), and date math outside queries (a rule's from/to).
export { docValuesReader, NotAggregatableError, type DocValue, type DocValuesReader } from "./values-doc.js";
export { resolveDateMath } from "./date-math.js";
