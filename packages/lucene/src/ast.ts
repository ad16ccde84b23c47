/**
 * The tree of a Lucene query as Elasticsearch's `query_string` reads it (Lucene's classic QueryParser grammar,
 * `QueryParser.jj`). Every node carries its span in the query text. The classic parser has no operator
 * precedence: a query is a flat list of clauses, each `must`, `should` or `must_not` (see `parser.ts`).
 */
import type { Span } from "@dac/fields";

export type { Span };

export type Occur = "must" | "should" | "must_not";

/** A field name as written (`process.name`, escapes removed), with its place. `*` in it is a pattern. */
export interface FieldRef {
  name: string;
  span: Span;
}

/** A query or a parenthesised group: Lucene's BooleanQuery of clauses. */
export interface BoolNode {
  type: "bool";
  clauses: { occur: Occur; node: LuceneNode }[];
  span: Span;
}

/** `field:(…)` or `(…)`: the group's terms default to `field`. */
export interface GroupNode {
  type: "group";
  field: FieldRef | null;
  query: BoolNode;
  span: Span;
}

/**
 * One term: a word, a `"phrase"`, a word with `*`/`?` wildcards, or a `/regex/`. `text` is the term with
 * escapes removed; `parts` (wildcards only) are the literal pieces around each unescaped `*`.
 */
export interface TermNode {
  type: "term";
  field: FieldRef | null;
  kind: "word" | "phrase" | "wildcard" | "regex";
  text: string;
  /** The term as written, escapes included. */
  raw: string;
  parts?: string[];
  /** An unescaped `?` (one-character wildcard) in a wildcard term. */
  question?: boolean;
  /** `~` after a word (fuzzy, edit distance) or a phrase (proximity, slop); the number as written, "" for none. */
  tilde?: string;
  span: Span;
}

/** `[a TO b]`, `{a TO b}` and the mixed forms; `*` (null here) is unbounded. */
export interface RangeNode {
  type: "range";
  field: FieldRef | null;
  lower: string | null;
  upper: string | null;
  includeLower: boolean;
  includeUpper: boolean;
  span: Span;
}

export type LuceneNode = BoolNode | GroupNode | TermNode | RangeNode;
