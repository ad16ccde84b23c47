/**
 * What Elasticsearch's `query_string` parser makes of the query Kibana builds for a wildcard value
 * (`field:foo bar*`). Kibana escapes every Lucene special character of the literal parts but not whitespace, and
 * joins the parts with `*`. The classic query parser then splits at whitespace: runs of plain words are analysed
 * together (`split_on_whitespace` is off, so `foo bar` on a keyword field is the one term "foo bar"), every word
 * with a wildcard is its own clause, and the clauses are OR-ed (default_operator OR).
 *
 * Source: Elasticsearch query_string docs, "Whitespaces are not considered operators … If the field is a keyword
 * field the analyzer will create a single term new york city" —
 * https://www.elastic.co/guide/en/elasticsearch/reference/6.8/query-dsl-query-string-query.html
 */

export type QueryStringClause =
  /** Plain words, joined by single spaces, analysed as one piece of text. */
  | { kind: "text"; text: string }
  /** `foo*`: a prefix query. */
  | { kind: "prefix"; prefix: string }
  /** Any other word with `*`: a wildcard query; `parts` are the literal pieces around the stars. */
  | { kind: "wildcard"; parts: string[] }
  /** A lone `*`: Elasticsearch turns `field:*` into an exists query. */
  | { kind: "exists" };

/** Lucene's query parser whitespace. */
const WHITESPACE = /[ \t\n\r\u3000]/;

/** Splits the literal parts of a KQL wildcard value into query_string clauses. */
export function queryStringClauses(parts: readonly string[]): QueryStringClause[] {
  // Words as sequences of literal text and wildcard positions.
  const words: string[][] = [];
  let current: string[] = [""];
  const flush = () => {
    if (current.length > 1 || current[0] !== "") words.push(current);
    current = [""];
  };
  parts.forEach((part, index) => {
    for (const ch of part) {
      if (WHITESPACE.test(ch)) flush();
      else current[current.length - 1] += ch;
    }
    if (index < parts.length - 1) current.push("");
  });
  flush();

  const clauses: QueryStringClause[] = [];
  let run: string[] = [];
  const endRun = () => {
    if (run.length > 0) clauses.push({ kind: "text", text: run.join(" ") });
    run = [];
  };
  for (const word of words) {
    if (word.length === 1) {
      run.push(word[0]!);
      continue;
    }
    endRun();
    if (word.length === 2 && word[0] === "" && word[1] === "") clauses.push({ kind: "exists" });
    else if (word.length === 2 && word[1] === "" && word[0] !== "")
      clauses.push({ kind: "prefix", prefix: word[0]! });
    else clauses.push({ kind: "wildcard", parts: word });
  }
  endRun();
  return clauses;
}

/** Words that the classic query parser reads as operators even inside a Kibana-escaped value. */
export function operatorWord(clauses: readonly QueryStringClause[]): string | undefined {
  for (const clause of clauses) {
    if (clause.kind !== "text") continue;
    const word = clause.text.split(" ").find((w) => w === "AND" || w === "OR" || w === "NOT");
    if (word) return word;
  }
  return undefined;
}
