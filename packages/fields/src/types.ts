/** Offsets into a query's text, in UTF-16 code units: `start` inclusive, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** A range bound's operator, as every query language's ranges reduce to it. */
export type RangeOperator = "gt" | "gte" | "lt" | "lte";
