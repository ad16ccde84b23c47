/**
 * Mutation operators on a Lucene query, as text: each mutant rewrites one clause or term of the query and is
 * parsed again. Lucene's classic parser turns a query into a flat list of clauses, each `must`, `should` or
 * `must_not` (`QueryParser.jj`), so a group rewritten as `+a -b c` (one prefix per clause) means exactly what
 * it meant before; that is how a clause is dropped or negated without touching the rest of the text.
 *
 * - `drop-clause`: one clause of a group of several left out;
 * - `negate`: a required or optional clause made prohibited (`-x`), a prohibited one required (`+x`);
 * - `change-literal`: a word or phrase gets a suffix no realistic event holds;
 * - `widen-wildcard`: a wildcard term becomes `*` (any value);
 * - `change-field`: a term's field replaced by another field the query names (the wrong field).
 */
import type { BoolNode, LuceneNode, Occur, Span } from "@dac/lucene";
import { mutatedSuffix } from "./kql-mutants.js";

export type LuceneMutationOperator =
  "drop-clause" | "negate" | "change-literal" | "widen-wildcard" | "change-field";

export interface LuceneMutation {
  operator: LuceneMutationOperator;
  description: string;
  /** The part of the original query that changed. */
  span: Span;
  /** The whole mutated query. */
  query: string;
}

const prefix: Record<Occur, string> = { must: "+", should: "", must_not: "-" };

/** Every single-change mutation of `query` (parsed as `ast`), in query order, without repeats. */
export function luceneMutations(query: string, ast: BoolNode): LuceneMutation[] {
  const out: LuceneMutation[] = [];
  const seen = new Set([query]);
  const push = (m: LuceneMutation) => {
    if (seen.has(m.query)) return;
    seen.add(m.query);
    out.push(m);
  };
  const slice = (span: Span) => query.slice(span.start, span.end);
  const splice = (span: Span, text: string) => query.slice(0, span.start) + text + query.slice(span.end);
  const fields = [...new Set(collectFields(ast))];

  // The root's span leaves out a leading `NOT`: it is the whole query. A group's query spans its parentheses.
  const visitBool = (bool: BoolNode, root = false) => {
    const at: Span = root ? { start: 0, end: query.length } : bool.span;
    const own = slice(at);
    const parens = !root && own.startsWith("(") && own.endsWith(")");
    const rebuild = (clauses: BoolNode["clauses"]) => {
      const body = clauses.map((c) => prefix[c.occur] + slice(c.node.span)).join(" ");
      return parens ? `(${body})` : body;
    };
    bool.clauses.forEach((clause, i) => {
      const text = slice(clause.node.span);
      if (bool.clauses.length > 1)
        push({
          operator: "drop-clause",
          description: `dropped \`${text}\``,
          span: clause.node.span,
          query: splice(bool.span, rebuild(bool.clauses.filter((_, k) => k !== i))),
        });
      const flipped: Occur = clause.occur === "must_not" ? "must" : "must_not";
      push({
        operator: "negate",
        description: flipped === "must_not" ? `\`${text}\` negated` : `\`NOT\` removed from \`${text}\``,
        span: clause.node.span,
        query: splice(at, rebuild(bool.clauses.map((c, k) => (k === i ? { ...c, occur: flipped } : c)))),
      });
      visitNode(clause.node);
    });
  };

  const visitNode = (node: LuceneNode) => {
    switch (node.type) {
      case "bool":
        visitBool(node);
        return;
      case "group":
        if (node.field) changeField(node.field.name, node.field.span);
        visitBool(node.query);
        return;
      case "range":
        if (node.field) changeField(node.field.name, node.field.span);
        return;
      case "term": {
        if (node.field) changeField(node.field.name, node.field.span);
        const whole = slice(node.span);
        // The value's place: the term as written ends the node (no boost or `~` after it).
        if (!whole.endsWith(node.raw)) return;
        const value: Span = { start: node.span.end - node.raw.length, end: node.span.end };
        if (node.kind === "word" || node.kind === "phrase") {
          const changed =
            node.kind === "phrase"
              ? `${node.raw.slice(0, -1)}${mutatedSuffix}"`
              : `${node.raw}${mutatedSuffix}`;
          push({
            operator: "change-literal",
            description: `${node.raw} → ${changed}`,
            span: value,
            query: splice(value, changed),
          });
        }
        if (node.kind === "wildcard" && node.raw !== "*")
          push({
            operator: "widen-wildcard",
            description: `${node.raw} → *`,
            span: value,
            query: splice(value, "*"),
          });
        return;
      }
    }
  };

  const changeField = (name: string, span: Span) => {
    const other = fields.find((f) => f !== name && !f.includes("*") && !name.includes("*"));
    if (!other) return;
    push({
      operator: "change-field",
      description: `field ${name} → ${other}`,
      span,
      query: splice(
        span,
        other.replace(/[\\/:\s()[\]{}"~^*?+\-!]/g, (c) => `\\${c}`),
      ),
    });
  };

  visitBool(ast, true);
  return out;
}

function collectFields(node: LuceneNode): string[] {
  switch (node.type) {
    case "bool":
      return node.clauses.flatMap((c) => collectFields(c.node));
    case "group":
      return [...(node.field ? [node.field.name] : []), ...collectFields(node.query)];
    default:
      return node.field && node.field.name !== "_exists_" ? [node.field.name] : [];
  }
}
