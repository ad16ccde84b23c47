/**
 * Lucene conformance: queries over one small index, with the documents Elasticsearch's `query_string` (as Kibana
 * sends it for rules: analyze_wildcard, default_operator OR, default_field `*`) returns. The in-memory engine is
 * checked against this table in `evaluate.test.ts`, and the table against a real node in `node.test.ts`.
 * Semantics: https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html
 * and Lucene's classic QueryParser (`QueryParserBase.addClause`).
 */
export const mappings = {
  properties: {
    "@timestamp": { type: "date" },
    event: {
      properties: { category: { type: "keyword" }, action: { type: "keyword" }, code: { type: "long" } },
    },
    process: {
      properties: {
        name: { type: "keyword" },
        // keyword, not wildcard: the test node has no x-pack mappers.
        command_line: { type: "keyword", fields: { text: { type: "text" } } },
        args: { type: "keyword" },
      },
    },
    message: { type: "text" },
    source: { properties: { ip: { type: "ip" } } },
    user: { properties: { name: { type: "keyword" } } },
    enabled: { type: "boolean" },
  },
} as const;

export const documents: Record<string, Record<string, unknown>> = {
  chmod: {
    "@timestamp": "2026-03-01T10:00:00Z",
    event: { category: "process", action: "exec", code: 4688 },
    process: { name: "chmod", args: ["chmod", "g+s", "/tmp/x"], command_line: "chmod g+s /tmp/x" },
    user: { name: "alice" },
    message: "Permission change on file",
    source: { ip: "10.0.0.5" },
    enabled: true,
  },
  root: {
    "@timestamp": "2026-03-02T10:00:00Z",
    event: { category: "process", action: "exec", code: 1 },
    process: { name: "Chmod", args: ["chmod", "u+x"] },
    user: { name: "root" },
    message: "permission CHANGE by root",
    source: { ip: "192.168.1.20" },
    enabled: false,
  },
  login: {
    "@timestamp": "2026-03-03T10:00:00Z",
    event: { category: "authentication", action: "logon-failed", code: 4625 },
    user: { name: "bob" },
    message: "failed logon for bob",
    source: { ip: "10.1.2.3" },
  },
};

export interface LuceneCase {
  query: string;
  /** The ids of `documents` Elasticsearch returns. */
  matches: string[];
  note?: string;
}

export const cases: LuceneCase[] = [
  { query: "process.name:chmod", matches: ["chmod"], note: "keyword: exact and case-sensitive" },
  { query: "process.name:chmod OR process.name:Chmod", matches: ["chmod", "root"] },
  {
    query: "process.name:(chmod Chmod)",
    matches: [],
    note: "split_on_whitespace off: on a keyword field the two words are the one term `chmod Chmod`",
  },
  {
    query: "process.name:(chmod OR Chmod)",
    matches: ["chmod", "root"],
    note: "field group with an operator",
  },
  {
    query: "message:(logon permission)",
    matches: ["chmod", "root", "login"],
    note: "on text, the words' tokens are OR-ed",
  },
  { query: "event.category:process AND user.name:root", matches: ["root"] },
  { query: "event.category:process && NOT user.name:root", matches: ["chmod"] },
  { query: "event.category:process -user.name:root", matches: ["chmod"] },
  {
    query: "+event.category:process user.name:nobody",
    matches: ["chmod", "root"],
    note: "should beside must is optional",
  },
  {
    query: "user.name:alice OR user.name:bob AND event.code:4625",
    matches: ["login"],
    note: "AND makes both neighbours must",
  },
  {
    query: "NOT user.name:root",
    matches: ["chmod", "login"],
    note: "a purely negative query matches everything else",
  },
  {
    query: "event.category:process AND process.name:chmod or",
    matches: ["chmod"],
    note: "lowercase or is a term, searched in every field",
  },
  { query: "process.args:g+s", matches: ["chmod"] },
  { query: "process.name:ch*", matches: ["chmod"], note: "prefix on keyword is case-sensitive" },
  { query: "process.name:*mod", matches: ["chmod", "root"] },
  { query: "message:permission", matches: ["chmod", "root"], note: "text: analysed, lowercased" },
  { query: 'message:"permission change"', matches: ["chmod", "root"] },
  { query: 'message:"change permission"', matches: [] },
  {
    query: "message:PERM*",
    matches: ["chmod", "root"],
    note: "analyze_wildcard lowercases wildcard terms on text",
  },
  { query: "process.command_line:*g+s*", matches: ["chmod"] },
  { query: "event.code:>=4625", matches: ["chmod", "login"] },
  { query: "event.code:[1 TO 4625}", matches: ["root"] },
  { query: "event.code:{1 TO *]", matches: ["chmod", "login"] },
  {
    query: 'source.ip:"10.0.0.0/8"',
    matches: ["chmod", "login"],
    note: "ip term takes CIDR (quoted: / starts a regex)",
  },
  { query: "source.ip:10.0.0.0\\/8", matches: ["chmod", "login"] },
  { query: "source.ip:[10.0.0.0 TO 10.0.255.255]", matches: ["chmod"] },
  { query: "@timestamp:[2026-03-02 TO now]", matches: ["root", "login"] },
  { query: "enabled:true", matches: ["chmod"] },
  { query: "_exists_:process.name", matches: ["chmod", "root"] },
  { query: "process.name:*", matches: ["chmod", "root"] },
  { query: "bob", matches: ["login"], note: "no field: every default field" },
  { query: "4625", matches: ["login"], note: "lenient over all fields: numbers match the long field" },
  { query: "*", matches: ["chmod", "root", "login"] },
  {
    query: "user.name:alice^2 OR user.name:bob",
    matches: ["chmod", "login"],
    note: "boosts change scores only",
  },
  { query: "user.\\*:alice", matches: ["chmod"], note: "escaped star: a field pattern" },
  { query: "(user.name:alice OR user.name:root) AND NOT process.name:Chmod", matches: ["chmod"] },
  { query: "event.action:logon\\-failed", matches: ["login"] },
];
