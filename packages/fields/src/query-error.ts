import type { Span } from "./types.js";
import type { EsFieldType } from "./catalog-types.js";

export interface QueryEvaluationErrorDetails {
  field?: string;
  value?: string;
  fieldType?: EsFieldType;
  /** Where in the query the failing clause is. */
  span?: Span;
}

/**
 * A query that Elasticsearch would refuse to run (or that the engine cannot model faithfully). Thrown by
 * `compile` when it can be known from the query and the catalogue, and by the compiled function otherwise.
 */
export class QueryEvaluationError extends Error {
  readonly field?: string;
  readonly value?: string;
  readonly fieldType?: EsFieldType;
  readonly span?: Span;

  constructor(message: string, details: QueryEvaluationErrorDetails = {}) {
    super(message);
    this.name = "QueryEvaluationError";
    this.field = details.field;
    this.value = details.value;
    this.fieldType = details.fieldType;
    this.span = details.span;
  }
}

/** A value parse failure inside the values modules; the evaluator turns it into a QueryEvaluationError with context. */
export class ValueParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueParseError";
  }
}
