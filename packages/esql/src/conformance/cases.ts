/**
 * The ES|QL conformance table: queries over small tables with the result table Elasticsearch returns (`values` of
 * `POST /_query`). Every case cites the ES|QL reference page (or Elasticsearch source file) its expectation comes
 * from. Source rows are typed by ECS (user.name keyword, source.ip ip, process.pid long, message match_only_text,
 * @timestamp date); `now` is 2026-01-01T12:00:00Z.
 */

const REF = "https://www.elastic.co/docs/reference/query-languages/esql";
const F = `${REF}/functions-operators`;
const STRING = `${F}/string-functions`;
const AGG = `${F}/aggregation-functions`;
const COND = `${F}/conditional-functions-and-expressions`;
const DATE = `${F}/date-time-functions`;
const IP = `${F}/ip-functions`;
const MATH = `${F}/math-functions`;
const MVF = `${F}/mv-functions`;
const CONV = `${F}/type-conversion-functions`;
const SPATIAL = `${F}/spatial-functions`;
const OPS = `${F}/operators`;
const CMD = `${REF}/commands/processing-commands`;
const SRC = `${REF}/commands/source-commands`;
const MV = `${REF}/esql-multivalued-fields`;
const LIMITS = `${REF}/limitations`;
const SYNTAX = `${REF}/esql-syntax`;
const CONVERTER =
  "elastic/elasticsearch x-pack/plugin/esql/src/main/java/org/elasticsearch/xpack/esql/type/EsqlDataTypeConverter.java";
const RLIKE =
  "elastic/elasticsearch x-pack/plugin/esql-core/src/main/java/org/elasticsearch/xpack/esql/core/expression/predicate/regex/RLikePattern.java (Lucene RegExp, RegExp.ALL)";

export interface ConformanceCase {
  name: string;
  query: string;
  rows?: Record<string, unknown>[];
  /** Column names (or `name:type` when the type is the point). */
  columns?: string[];
  values: unknown[][];
  /** Whether Elasticsearch adds warnings (an evaluation failure turned into null). */
  warnings?: boolean;
  params?: Record<string, unknown>;
  lookups?: Record<string, Record<string, unknown>[]>;
  cite: string;
}

/** `ROW` → `EVAL r = expr` → the one value. */
function value(
  name: string,
  expr: string,
  result: unknown,
  cite: string,
  warnings = false,
  row = "x = 1",
): ConformanceCase {
  return { name, query: `ROW ${row} | EVAL r = ${expr} | KEEP r`, values: [[result]], warnings, cite };
}

const DOCS: Record<string, unknown>[] = [
  {
    "@timestamp": "2026-01-01T00:00:00Z",
    user: { name: "alice" },
    source: { ip: "10.0.0.1" },
    process: { pid: 10, name: "cmd.exe" },
    event: { action: "login", outcome: "success" },
    message: "Alice logged in",
    destination: { port: 22 },
  },
  {
    "@timestamp": "2026-01-01T00:05:00Z",
    user: { name: "alice" },
    source: { ip: "10.0.0.2" },
    process: { pid: 20, name: "powershell.exe" },
    event: { action: "login", outcome: "failure" },
    destination: { port: 443 },
  },
  {
    "@timestamp": "2026-01-01T00:10:00Z",
    user: { name: "bob" },
    source: { ip: "10.0.0.10" },
    process: { pid: 30 },
    event: { action: "logout", outcome: "success" },
  },
  {
    "@timestamp": "2026-01-01T01:00:00Z",
    user: { name: ["carol", "alice"] },
    source: { ip: "192.168.1.1" },
    event: { action: "login", outcome: "failure" },
    destination: { port: [80, 22] },
  },
  { "@timestamp": "2026-01-01T02:00:00Z", source: { ip: "2001:db8::1" }, event: { action: "scan" } },
];

const from = (rest: string) => `FROM logs-*${rest ? ` | ${rest}` : ""}`;

function cmd(
  name: string,
  query: string,
  values: unknown[][],
  cite: string,
  extra: Partial<ConformanceCase> = {},
): ConformanceCase {
  return { name, query: from(query), rows: DOCS, values, cite, ...extra };
}

export const CASES: ConformanceCase[] = [
  // ---------- source commands ----------
  {
    name: "ROW literals",
    query: 'ROW a = 1, b = "two", c = null, d = 1.5, e = true',
    columns: ["a:integer", "b:keyword", "c:null", "d:double", "e:boolean"],
    values: [[1, "two", null, 1.5, true]],
    cite: `${SRC}#esql-row`,
  },
  {
    name: "ROW multi-value literal",
    query: "ROW a = [1, 2, 3]",
    values: [[[1, 2, 3]]],
    cite: `${SRC}#esql-row`,
  },
  {
    name: "ROW large integer literal is long",
    query: "ROW a = 3000000000",
    columns: ["a:long"],
    values: [[3000000000]],
    cite: `${SYNTAX}#esql-syntax-literals`,
  },
  {
    name: "ROW unnamed column takes the expression text",
    query: "ROW 1 + 1",
    columns: ["1 + 1"],
    values: [[2]],
    cite: `${SRC}#esql-row`,
  },
  cmd(
    "FROM returns mapped columns sorted by name",
    "KEEP event.action | LIMIT 1",
    [["login"]],
    `${SRC}#esql-from`,
  ),
  cmd("FROM METADATA _id", 'WHERE user.name == "bob" | KEEP _id', [["2"]], `${REF}/esql-metadata-fields`, {
    query: 'FROM logs-* METADATA _id | WHERE user.name == "bob" | KEEP _id',
  }),
  {
    name: "METADATA _id from the document",
    query: "FROM logs-* METADATA _id, _index | KEEP _id, _index",
    rows: [{ _id: "abc", _index: "logs-x", user: { name: "a" } }],
    values: [["abc", "logs-x"]],
    cite: `${REF}/esql-metadata-fields`,
  },
  {
    name: "dotted keys and nested objects are the same field",
    query: "FROM logs-* | KEEP user.name",
    rows: [{ "user.name": "a" }, { user: { name: "b" } }],
    values: [["a"], ["b"]],
    cite: `${MV}`,
  },
  {
    name: "keyword multi-values come back sorted and deduplicated",
    query: "FROM logs-* | KEEP user.name",
    rows: [{ user: { name: ["foo", "bar", "foo"] } }],
    values: [[["bar", "foo"]]],
    cite: `${MV}`,
  },
  {
    name: "long multi-values come back sorted, duplicates kept",
    query: "FROM logs-* | KEEP process.pid",
    rows: [{ process: { pid: [3, 1, 3] } }],
    values: [[[1, 3, 3]]],
    cite: `${MV}`,
  },
  {
    name: "text multi-values keep source order",
    query: "FROM logs-* | KEEP message",
    rows: [{ message: ["b", "a", "b"] }],
    values: [[["b", "a", "b"]]],
    cite: `${MV}`,
  },
  {
    name: "dates are milliseconds, returned ISO",
    query: "FROM logs-* | KEEP @timestamp",
    rows: [{ "@timestamp": 1767225600000 }],
    values: [["2026-01-01T00:00:00.000Z"]],
    cite: `${DATE}`,
  },
  {
    name: "a mapped field absent from the documents is a null column",
    query: "FROM logs-* | KEEP host.name",
    rows: [{ user: { name: "a" } }],
    values: [[null]],
    cite: `${SRC}#esql-from`,
  },

  // ---------- WHERE and three-valued logic ----------
  cmd("WHERE equality on keyword", 'WHERE user.name == "bob" | KEEP user.name', [["bob"]], `${CMD}/where`),
  cmd("WHERE is case-sensitive on keyword", 'WHERE user.name == "Bob" | KEEP user.name', [], `${CMD}/where`),
  cmd(
    "WHERE drops rows where the condition is null",
    "WHERE process.pid > 15 | KEEP process.pid",
    [[20], [30]],
    `${CMD}/where`,
  ),
  cmd(
    "WHERE comparison with a multi-value is null (row dropped) with a warning",
    'WHERE user.name == "alice" | KEEP _id',
    [["0"], ["1"]],
    MV,
    { query: 'FROM logs-* METADATA _id | WHERE user.name == "alice" | KEEP _id', warnings: true },
  ),
  cmd(
    "WHERE IS NULL",
    "WHERE process.pid IS NULL | KEEP event.action",
    [["login"], ["scan"]],
    `${OPS}#esql-is_null`,
  ),
  cmd(
    "WHERE IS NOT NULL keeps multi-values",
    "WHERE user.name IS NOT NULL | STATS c = COUNT(*)",
    [[4]],
    `${OPS}#esql-is_not_null`,
  ),
  cmd(
    "WHERE AND",
    'WHERE event.action == "login" AND event.outcome == "failure" | KEEP source.ip',
    [["10.0.0.2"], ["192.168.1.1"]],
    `${OPS}#esql-binary-operators`,
  ),
  cmd(
    "WHERE OR",
    'WHERE event.action == "scan" OR process.pid == 30 | KEEP event.action',
    [["logout"], ["scan"]],
    `${OPS}#esql-binary-operators`,
  ),
  cmd(
    "WHERE NOT",
    'WHERE NOT event.action == "login" | KEEP event.action',
    [["logout"], ["scan"]],
    `${OPS}#esql-binary-operators`,
  ),
  cmd(
    "WHERE NOT of null drops the row",
    "WHERE NOT process.pid > 15 | KEEP process.pid",
    [[10]],
    `${OPS}#esql-binary-operators`,
  ),
  cmd(
    "WHERE IN",
    'WHERE event.action IN ("logout", "scan") | KEEP event.action',
    [["logout"], ["scan"]],
    `${OPS}#esql-in-operator`,
  ),
  cmd(
    "WHERE NOT IN",
    'WHERE event.action NOT IN ("login") | KEEP event.action',
    [["logout"], ["scan"]],
    `${OPS}#esql-in-operator`,
  ),
  cmd(
    "WHERE ip compared with a string literal",
    'WHERE source.ip == "10.0.0.10" | KEEP user.name',
    [["bob"]],
    `${CONVERTER} (string constants cast to the field type)`,
  ),
  cmd(
    "WHERE date compared with a string literal",
    'WHERE @timestamp >= "2026-01-01T01:00:00Z" | KEEP event.action',
    [["login"], ["scan"]],
    `${DATE}`,
  ),
  cmd(
    "WHERE CIDR_MATCH",
    'WHERE CIDR_MATCH(source.ip, "10.0.0.0/8") | STATS c = COUNT(*)',
    [[3]],
    `${IP}#esql-cidr_match`,
  ),
  cmd(
    "WHERE CIDR_MATCH on IPv6",
    'WHERE CIDR_MATCH(source.ip, "2001:db8::/32") | KEEP event.action',
    [["scan"]],
    `${IP}#esql-cidr_match`,
  ),
  cmd(
    "WHERE LIKE on keyword",
    'WHERE process.name LIKE "*.exe" | KEEP process.name',
    [["cmd.exe"], ["powershell.exe"]],
    `${OPS}#esql-like`,
  ),
  cmd(
    "WHERE LIKE is case-sensitive",
    'WHERE process.name LIKE "CMD*" | KEEP process.name',
    [],
    `${OPS}#esql-like`,
  ),
  cmd(
    "WHERE RLIKE",
    'WHERE process.name RLIKE "power.*" | KEEP process.name',
    [["powershell.exe"]],
    `${OPS}#esql-rlike`,
  ),
  cmd(
    "WHERE KQL()",
    'WHERE KQL("event.action: login and event.outcome: success") | KEEP source.ip',
    [["10.0.0.1"]],
    `${F}/search-functions#esql-kql`,
  ),
  cmd(
    "WHERE KQL() matches any value of a multi-value",
    'WHERE KQL("user.name: carol") | KEEP source.ip',
    [["192.168.1.1"]],
    `${F}/search-functions#esql-kql`,
  ),
  cmd(
    "WHERE MATCH on text",
    'WHERE MATCH(message, "alice") | KEEP user.name',
    [["alice"]],
    `${F}/search-functions#esql-match`,
  ),
  cmd(
    "WHERE MATCH matches any of the terms (a match query, operator OR)",
    'WHERE MATCH(message, "nobody logged") | STATS c = COUNT(*)',
    [[1]],
    `${F}/search-functions#esql-match`,
  ),
  cmd(
    "WHERE MATCH analyses the text: case and order do not matter",
    'WHERE MATCH(message, "IN ALICE") | KEEP user.name',
    [["alice"]],
    `${F}/search-functions#esql-match`,
  ),
  cmd(
    "WHERE MATCH_PHRASE needs the words in order",
    'WHERE MATCH_PHRASE(message, "logged alice") | STATS c = COUNT(*)',
    [[0]],
    `${F}/search-functions#esql-match_phrase`,
  ),
  cmd(
    "WHERE MATCH_PHRASE",
    'WHERE MATCH_PHRASE(message, "alice logged") | KEEP user.name',
    [["alice"]],
    `${F}/search-functions#esql-match_phrase`,
  ),
  cmd(
    "WHERE the match operator is MATCH",
    'WHERE message : "nobody in" | KEEP user.name',
    [["alice"]],
    `${OPS}#esql-match-operator`,
  ),
  cmd(
    "WHERE match operator",
    'WHERE message : "logged" | KEEP user.name',
    [["alice"]],
    `${OPS}#esql-match-operator`,
  ),
  cmd(
    "WHERE with a named parameter",
    "WHERE process.pid > ?min | KEEP process.pid",
    [[30]],
    `${REF}/esql-rest#esql-rest-params`,
    { params: { min: 25 } },
  ),

  // ---------- three-valued logic and operators on ROW ----------
  value("null AND false is false", "null AND false", false, `${OPS}#esql-binary-operators`),
  value("null AND true is null", "null AND true", null, `${OPS}#esql-binary-operators`),
  value("null OR true is true", "null OR true", true, `${OPS}#esql-binary-operators`),
  value("null OR false is null", "null OR false", null, `${OPS}#esql-binary-operators`),
  value("NOT null is null", "NOT null", null, `${OPS}#esql-binary-operators`),
  value("null == null is null", "null == null", null, `${OPS}#esql-binary-operators`),
  value("comparison with null is null", "1 < null", null, `${OPS}#esql-binary-operators`),
  value("integer addition", "1 + 2", 3, `${OPS}#esql-add`),
  value("integer subtraction", "5 - 7", -2, `${OPS}#esql-sub`),
  value("integer multiplication", "6 * 7", 42, `${OPS}#esql-mul`),
  value("integer division truncates", "7 / 2", 3, `${OPS}#esql-div`),
  value("negative integer division truncates towards zero", "-7 / 2", -3, `${OPS}#esql-div`),
  value("double division", "7.0 / 2", 3.5, `${OPS}#esql-div`),
  value("modulo", "7 % 3", 1, `${OPS}#esql-mod`),
  value("division by zero is null with a warning", "1 / 0", null, `${OPS}#esql-div`, true),
  value("modulo by zero is null with a warning", "1 % 0", null, `${OPS}#esql-mod`, true),
  value("integer overflow is null with a warning", "2147483647 + 1", null, `${OPS}#esql-add`, true),
  value(
    "integer multiplication overflow is null with a warning",
    "65536 * 65536",
    null,
    `${OPS}#esql-mul`,
    true,
  ),
  value("integer and long widen to long", "2147483647 + 3000000000", 5147483647, `${OPS}#esql-add`),
  value("arithmetic on a multi-value is null with a warning", "a + 1", null, MV, true, "a = [1, 2]"),
  value("unary minus", "-(3)", -3, `${OPS}#esql-neg`),
  value("precedence: * before +", "1 + 2 * 3", 7, `${SYNTAX}`),
  value("parentheses", "(1 + 2) * 3", 9, `${SYNTAX}`),
  value("equality", "1 == 1", true, `${OPS}#esql-equals`),
  value("inequality", "1 != 2", true, `${OPS}#esql-not_equals`),
  value("less than", "1 < 2", true, `${OPS}#esql-less_than`),
  value("less or equal", "2 <= 2", true, `${OPS}#esql-less_than_or_equal`),
  value("greater than", "1 > 2", false, `${OPS}#esql-greater_than`),
  value("greater or equal", "3 >= 2", true, `${OPS}#esql-greater_than_or_equal`),
  value("integer equals double", "1 == 1.0", true, `${OPS}#esql-equals`),
  value("string comparison is byte order", '"B" < "a"', true, `${OPS}#esql-less_than`),
  value("comparison with a multi-value is null with a warning", "a == 1", null, MV, true, "a = [1, 2]"),
  value("case-insensitive equality =~", '"FOO" =~ "foo"', true, `${OPS}#esql-binary-operators`),
  value("ip order is numeric", 'TO_IP("10.0.0.2") < TO_IP("10.0.0.10")', true, `${IP}`),
  value(
    "IPv4 sorts before IPv6 global addresses",
    'TO_IP("255.255.255.255") < TO_IP("2001:db8::1")',
    true,
    `${IP}`,
  ),
  value("IN true", "2 IN (1, 2, 3)", true, `${OPS}#esql-in-operator`),
  value("IN false", "4 IN (1, 2, 3)", false, `${OPS}#esql-in-operator`),
  value("IN with a null in the list is null when absent", "4 IN (1, null)", null, `${OPS}#esql-in-operator`),
  value("IN with a null in the list is true when present", "1 IN (1, null)", true, `${OPS}#esql-in-operator`),
  value("null IN is null", "null IN (1, 2)", null, `${OPS}#esql-in-operator`),
  value("IN on a multi-value is null with a warning", "a IN (1)", null, MV, true, "a = [1, 2]"),
  value("NOT IN", '"a" NOT IN ("b", "c")', true, `${OPS}#esql-in-operator`),
  value("LIKE *", '"abc" LIKE "a*"', true, `${OPS}#esql-like`),
  value("LIKE ?", '"abc" LIKE "a?c"', true, `${OPS}#esql-like`),
  value("LIKE matches the whole value", '"abc" LIKE "b*"', false, `${OPS}#esql-like`),
  value("LIKE is case-sensitive", '"ABC" LIKE "abc"', false, `${OPS}#esql-like`),
  value("LIKE escaped *", '"a*c" LIKE """a\\*c"""', true, `${OPS}#esql-like`),
  value(
    "LIKE escaped * does not match other characters",
    '"abc" LIKE """a\\*c"""',
    false,
    `${OPS}#esql-like`,
  ),
  value("NOT LIKE", '"abc" NOT LIKE "x*"', true, `${OPS}#esql-like`),
  value("LIKE with a list of patterns", '"abc" LIKE ("x*", "a*")', true, `${OPS}#esql-like`),
  value("LIKE on null is null", 'null LIKE "a*"', null, `${OPS}#esql-like`),
  value("LIKE on a multi-value is null with a warning", 'a LIKE "a*"', null, MV, true, 'a = ["ab", "ac"]'),
  value("RLIKE is anchored", '"abc" RLIKE "b"', false, `${OPS}#esql-rlike`),
  value("RLIKE .*", '"abc" RLIKE ".*b.*"', true, `${OPS}#esql-rlike`),
  value("RLIKE alternation", '"cat" RLIKE "cat|dog"', true, `${OPS}#esql-rlike`),
  value("RLIKE character class", '"a1" RLIKE "a[0-9]"', true, `${OPS}#esql-rlike`),
  value("RLIKE repetition bounds", '"aaa" RLIKE "a{2,3}"', true, `${OPS}#esql-rlike`),
  value("RLIKE is case-sensitive", '"ABC" RLIKE "abc"', false, `${OPS}#esql-rlike`),
  value("RLIKE @ is any string (RegExp.ALL)", '"abc" RLIKE "a@"', true, RLIKE),
  value("RLIKE <n-m> numeric interval", '"port42" RLIKE "port<1-100>"', true, RLIKE),
  value("RLIKE leading * is a literal", '"*x" RLIKE "*x"', true, RLIKE),
  value("RLIKE quoted literal", '"a.b" RLIKE """a"."b"""', true, RLIKE),
  value("IS NULL on null", "null IS NULL", true, `${OPS}#esql-is_null`),
  value("IS NULL on a multi-value is false without a warning", "a IS NULL", false, MV, false, "a = [1, 2]"),
  value("IS NOT NULL", "1 IS NOT NULL", true, `${OPS}#esql-is_not_null`),
  value("cast ::long", '"42"::long', 42, `${OPS}#esql-cast-operator`),
  value("cast ::double", '"1.5"::double', 1.5, `${OPS}#esql-cast-operator`),
  value("cast ::keyword", "42::keyword", "42", `${OPS}#esql-cast-operator`),
  value("cast ::ip", '"10.0.0.1"::ip', "10.0.0.1", `${OPS}#esql-cast-operator`),
  value("cast ::boolean", '"true"::boolean', true, `${OPS}#esql-cast-operator`),
  value("cast ::datetime", '"2026-01-01"::datetime', "2026-01-01T00:00:00.000Z", `${OPS}#esql-cast-operator`),
  value("cast failure is null with a warning", '"x"::long', null, `${OPS}#esql-cast-operator`, true),
  value("named parameter", "?p + 1", 42, `${REF}/esql-rest#esql-rest-params`),
  value("comment lines are whitespace", "1 /* two */ + // three\n 2", 3, `${SYNTAX}#esql-comments`),

  // ---------- conditional ----------
  value("CASE first true branch", 'CASE(false, "a", true, "b", "c")', "b", `${COND}#esql-case`),
  value("CASE else value", 'CASE(false, "a", "c")', "c", `${COND}#esql-case`),
  value("CASE without else is null", 'CASE(false, "a")', null, `${COND}#esql-case`),
  value("CASE null condition is not true", 'CASE(null, "a", "b")', "b", `${COND}#esql-case`),
  value("COALESCE first non-null", 'COALESCE(null, "b", "c")', "b", `${COND}#esql-coalesce`),
  value("COALESCE all null", "COALESCE(null, null)", null, `${COND}#esql-coalesce`),
  value(
    "COALESCE keeps a multi-value",
    "COALESCE(a, [3])",
    [1, 2],
    `${COND}#esql-coalesce`,
    false,
    "a = [1, 2]",
  ),
  value("GREATEST", "GREATEST(1, 5, 3)", 5, `${COND}#esql-greatest`),
  value("LEAST", "LEAST(4, 2, 3)", 2, `${COND}#esql-least`),
  value("GREATEST strings", 'GREATEST("a", "c", "b")', "c", `${COND}#esql-greatest`),

  // ---------- strings ----------
  value("CONCAT", 'CONCAT("a", "b", "c")', "abc", `${STRING}#esql-concat`),
  value("CONCAT with null is null", 'CONCAT("a", null)', null, `${STRING}#esql-concat`),
  value(
    "CONCAT of a multi-value is null with a warning",
    'CONCAT(a, "x")',
    null,
    `${STRING}#esql-concat`,
    true,
    'a = ["a", "b"]',
  ),
  value("LENGTH counts characters", 'LENGTH("héllo")', 5, `${STRING}#esql-length`),
  value("LENGTH of null", "LENGTH(null)", null, `${STRING}#esql-length`),
  value(
    "LENGTH of a multi-value is null with a warning",
    "LENGTH(a)",
    null,
    `${STRING}#esql-length`,
    true,
    'a = ["a", "bb"]',
  ),
  value("LOCATE", 'LOCATE("hello", "ll")', 3, `${STRING}#esql-locate`),
  value("LOCATE absent is 0", 'LOCATE("hello", "z")', 0, `${STRING}#esql-locate`),
  value("LOCATE with a start", 'LOCATE("abcabc", "a", 2)', 4, `${STRING}#esql-locate`),
  value(
    "REPLACE with a regex",
    'REPLACE("Hello World", "World", "Universe")',
    "Hello Universe",
    `${STRING}#esql-replace`,
  ),
  value("REPLACE all matches", 'REPLACE("a1b2c3", "[0-9]", "")', "abc", `${STRING}#esql-replace`),
  value(
    "REPLACE with groups",
    'REPLACE("john smith", "(\\\\w+) (\\\\w+)", "$2 $1")',
    "smith john",
    `${STRING}#esql-replace`,
  ),
  value("REPLACE with (?i)", 'REPLACE("ABC", "(?i)b", "x")', "AxC", `${STRING}#esql-replace`),
  value("SPLIT", 'SPLIT("a,b,c", ",")', ["a", "b", "c"], `${STRING}#esql-split`),
  value("SPLIT without the delimiter", 'SPLIT("abc", ",")', "abc", `${STRING}#esql-split`),
  value("STARTS_WITH", 'STARTS_WITH("hello", "he")', true, `${STRING}#esql-starts_with`),
  value("STARTS_WITH is case-sensitive", 'STARTS_WITH("hello", "He")', false, `${STRING}#esql-starts_with`),
  value("ENDS_WITH", 'ENDS_WITH("hello", "lo")', true, `${STRING}#esql-ends_with`),
  value("SUBSTRING", 'SUBSTRING("hello", 2, 3)', "ell", `${STRING}#esql-substring`),
  value("SUBSTRING to the end", 'SUBSTRING("hello", 2)', "ello", `${STRING}#esql-substring`),
  value(
    "SUBSTRING negative start counts from the end",
    'SUBSTRING("hello", -3, 3)',
    "llo",
    `${STRING}#esql-substring`,
  ),
  value("TO_LOWER", 'TO_LOWER("HeLLo")', "hello", `${STRING}#esql-to_lower`),
  value("TO_UPPER", 'TO_UPPER("HeLLo")', "HELLO", `${STRING}#esql-to_upper`),
  value(
    "TO_LOWER on a multi-value lowers each",
    "TO_LOWER(a)",
    ["a", "b"],
    `${STRING}#esql-to_lower`,
    false,
    'a = ["A", "B"]',
  ),
  value("TRIM", 'TRIM("  a b  ")', "a b", `${STRING}#esql-trim`),
  value("LTRIM", 'LTRIM("  a ")', "a ", `${STRING}#esql-ltrim`),
  value("RTRIM", 'RTRIM(" a  ")', " a", `${STRING}#esql-rtrim`),
  value("REVERSE", 'REVERSE("abc")', "cba", `${STRING}#esql-reverse`),
  value("LEFT", 'LEFT("abcdef", 3)', "abc", `${STRING}#esql-left`),
  value("RIGHT", 'RIGHT("abcdef", 2)', "ef", `${STRING}#esql-right`),
  value("REPEAT", 'REPEAT("ab", 3)', "ababab", `${STRING}#esql-repeat`),
  value("SPACE", "SPACE(3)", "   ", `${STRING}#esql-space`),
  value("CONTAINS", 'CONTAINS("hello", "ell")', true, `${STRING}#esql-contains`),
  value("URL_DECODE", 'URL_DECODE("a%20b%2Fc")', "a b/c", `${STRING}#esql-url_decode`),
  value("URL_DECODE plus is a space", 'URL_DECODE("a+b")', "a b", `${STRING}#esql-url_decode`),
  value(
    "URL_DECODE bad escape is null with a warning",
    'URL_DECODE("%zz")',
    null,
    `${STRING}#esql-url_decode`,
    true,
  ),
  value(
    "JSON_EXTRACT a path",
    'JSON_EXTRACT("""{"a":{"b":"x"}}""", "a.b")',
    "x",
    `${STRING}#esql-json_extract`,
  ),
  value(
    "JSON_EXTRACT a $ path",
    'JSON_EXTRACT("""{"a":[1,2]}""", "$.a[1]")',
    "2",
    `${STRING}#esql-json_extract`,
  ),
  value(
    "JSON_EXTRACT an object",
    'JSON_EXTRACT("""{"a":{"b":1}}""", "a")',
    '{"b":1}',
    `${STRING}#esql-json_extract`,
  ),
  value(
    "JSON_EXTRACT a missing path is null",
    'JSON_EXTRACT("""{"a":1}""", "b")',
    null,
    `${STRING}#esql-json_extract`,
  ),
  value(
    "JSON_EXTRACT invalid JSON is null with a warning",
    'JSON_EXTRACT("nope", "a")',
    null,
    `${STRING}#esql-json_extract`,
    true,
  ),
  value("TO_BASE64", 'TO_BASE64("elastic")', "ZWxhc3RpYw==", `${STRING}#esql-to_base64`),
  value("FROM_BASE64", 'FROM_BASE64("ZWxhc3RpYw==")', "elastic", `${STRING}#esql-from_base64`),
  value("BYTE_LENGTH", 'BYTE_LENGTH("é")', 2, `${STRING}#esql-byte_length`),

  // ---------- conversions ----------
  value("TO_STRING integer", "TO_STRING(42)", "42", `${CONV}#esql-to_string`),
  value("TO_STRING boolean", "TO_STRING(true)", "true", `${CONV}#esql-to_string`),
  value("TO_STRING double", "TO_STRING(1.5)", "1.5", `${CONV}#esql-to_string`),
  value(
    "TO_STRING multi-value converts each",
    "TO_STRING(a)",
    ["1", "2"],
    `${CONV}#esql-to_string`,
    false,
    "a = [1, 2]",
  ),
  value("TO_IP", 'TO_IP("192.168.0.1")', "192.168.0.1", `${CONV}#esql-to_ip`),
  value("TO_IP IPv6", 'TO_IP("2001:DB8::1")', "2001:db8::1", `${CONV}#esql-to_ip`),
  value("TO_IP invalid is null with a warning", 'TO_IP("not an ip")', null, `${CONV}#esql-to_ip`, true),
  value("TO_LONG from string", 'TO_LONG("3000000000")', 3000000000, `${CONV}#esql-to_long`),
  value("TO_LONG from double rounds", "TO_LONG(5.6)", 6, `${CONVERTER} (safeDoubleToLong: Math.round)`),
  value("TO_LONG from boolean", "TO_LONG(true)", 1, `${CONV}#esql-to_long`),
  value("TO_LONG invalid is null with a warning", 'TO_LONG("abc")', null, `${CONV}#esql-to_long`, true),
  value("TO_INTEGER from string", 'TO_INTEGER("42")', 42, `${CONV}#esql-to_integer`),
  value(
    "TO_INTEGER out of range is null with a warning",
    'TO_INTEGER("3000000000")',
    null,
    `${CONV}#esql-to_integer`,
    true,
  ),
  value("TO_DOUBLE from string", 'TO_DOUBLE("2.5")', 2.5, `${CONV}#esql-to_double`),
  value("TO_DOUBLE from boolean", "TO_DOUBLE(true)", 1, `${CONV}#esql-to_double`),
  value("TO_DOUBLE invalid is null with a warning", 'TO_DOUBLE("x")', null, `${CONV}#esql-to_double`, true),
  value("TO_BOOLEAN from string", 'TO_BOOLEAN("TRUE")', true, `${CONV}#esql-to_boolean`),
  value(
    "TO_BOOLEAN other strings are false",
    'TO_BOOLEAN("yes")',
    false,
    `${CONVERTER} (Boolean.parseBoolean)`,
  ),
  value("TO_BOOLEAN from number", "TO_BOOLEAN(0)", false, `${CONV}#esql-to_boolean`),
  value(
    "TO_DATETIME from string",
    'TO_DATETIME("2026-01-01T10:00:00Z")',
    "2026-01-01T10:00:00.000Z",
    `${CONV}#esql-to_datetime`,
  ),
  value(
    "TO_DATETIME from milliseconds",
    "TO_DATETIME(0)",
    "1970-01-01T00:00:00.000Z",
    `${CONV}#esql-to_datetime`,
  ),
  value(
    "TO_DATETIME invalid is null with a warning",
    'TO_DATETIME("yesterday")',
    null,
    `${CONV}#esql-to_datetime`,
    true,
  ),
  value("TO_GEOPOINT", 'TO_GEOPOINT("POINT(1 2)")', "POINT (1 2)", `${CONV}#esql-to_geopoint`),
  value("TO_VERSION order", 'TO_VERSION("1.10.0") > TO_VERSION("1.9.0")', true, `${CONV}#esql-to_version`),

  // ---------- math ----------
  value("ROUND", "ROUND(2.5)", 3, `${MATH}#esql-round`),
  value("ROUND with decimals", "ROUND(3.14159, 2)", 3.14, `${MATH}#esql-round`),
  value("ABS", "ABS(-5)", 5, `${MATH}#esql-abs`),
  value("CEIL", "CEIL(1.2)", 2, `${MATH}#esql-ceil`),
  value("FLOOR", "FLOOR(1.8)", 1, `${MATH}#esql-floor`),
  value("SQRT", "SQRT(16)", 4, `${MATH}#esql-sqrt`),
  value("SQRT of a negative is null with a warning", "SQRT(-1)", null, `${MATH}#esql-sqrt`, true),
  value("POW", "POW(2, 10)", 1024, `${MATH}#esql-pow`),
  value("LOG10", "LOG10(1000)", 3, `${MATH}#esql-log10`),
  value("PI", "ROUND(PI(), 4)", 3.1416, `${MATH}#esql-pi`),

  // ---------- dates ----------
  value("NOW", "NOW()", "2026-01-01T12:00:00.000Z", `${DATE}#esql-now`),
  value("NOW minus a time span", "NOW() - 1 hour", "2026-01-01T11:00:00.000Z", `${OPS}#esql-sub`),
  value(
    "date plus a period",
    'TO_DATETIME("2026-01-31") + 1 month',
    "2026-02-28T00:00:00.000Z",
    `${OPS}#esql-add`,
  ),
  value(
    "date minus days",
    'TO_DATETIME("2026-03-01") - 1 day',
    "2026-02-28T00:00:00.000Z",
    `${OPS}#esql-sub`,
  ),
  value(
    "DATE_TRUNC hour",
    'DATE_TRUNC(1 hour, TO_DATETIME("2026-01-01T10:35:12Z"))',
    "2026-01-01T10:00:00.000Z",
    `${DATE}#esql-date_trunc`,
  ),
  value(
    "DATE_TRUNC 15 minutes",
    'DATE_TRUNC(15 minutes, TO_DATETIME("2026-01-01T10:35:12Z"))',
    "2026-01-01T10:30:00.000Z",
    `${DATE}#esql-date_trunc`,
  ),
  value(
    "DATE_TRUNC day",
    'DATE_TRUNC(1 day, TO_DATETIME("2026-01-01T10:35:12Z"))',
    "2026-01-01T00:00:00.000Z",
    `${DATE}#esql-date_trunc`,
  ),
  value(
    "DATE_TRUNC month",
    'DATE_TRUNC(1 month, TO_DATETIME("2026-02-17T10:35:12Z"))',
    "2026-02-01T00:00:00.000Z",
    `${DATE}#esql-date_trunc`,
  ),
  value(
    "DATE_TRUNC year",
    'DATE_TRUNC(1 year, TO_DATETIME("2026-02-17T10:35:12Z"))',
    "2026-01-01T00:00:00.000Z",
    `${DATE}#esql-date_trunc`,
  ),
  value(
    "DATE_TRUNC week starts on Monday",
    'DATE_TRUNC(1 week, TO_DATETIME("2026-01-01T10:00:00Z"))',
    "2025-12-29T00:00:00.000Z",
    `${DATE}#esql-date_trunc`,
  ),
  value(
    "DATE_DIFF seconds",
    'DATE_DIFF("second", TO_DATETIME("2026-01-01T00:00:00Z"), TO_DATETIME("2026-01-01T00:01:30Z"))',
    90,
    `${DATE}#esql-date_diff`,
  ),
  value(
    "DATE_DIFF minutes truncates",
    'DATE_DIFF("minute", TO_DATETIME("2026-01-01T00:00:00Z"), TO_DATETIME("2026-01-01T00:01:59Z"))',
    1,
    `${DATE}#esql-date_diff`,
  ),
  value(
    "DATE_DIFF negative",
    'DATE_DIFF("hour", TO_DATETIME("2026-01-01T05:00:00Z"), TO_DATETIME("2026-01-01T02:00:00Z"))',
    -3,
    `${DATE}#esql-date_diff`,
  ),
  value(
    "DATE_DIFF days",
    'DATE_DIFF("day", TO_DATETIME("2026-01-01"), TO_DATETIME("2026-01-11"))',
    10,
    `${DATE}#esql-date_diff`,
  ),
  value(
    "DATE_DIFF months counts whole months",
    'DATE_DIFF("month", TO_DATETIME("2026-01-31"), TO_DATETIME("2026-02-28"))',
    0,
    `${DATE}#esql-date_diff`,
  ),
  value(
    "DATE_DIFF unit alias",
    'DATE_DIFF("ms", TO_DATETIME("2026-01-01T00:00:00Z"), TO_DATETIME("2026-01-01T00:00:01Z"))',
    1000,
    `${DATE}#esql-date_diff`,
  ),
  value(
    "DATE_EXTRACT",
    'DATE_EXTRACT("HOUR_OF_DAY", TO_DATETIME("2026-01-01T10:35:00Z"))',
    10,
    `${DATE}#esql-date_extract`,
  ),
  value(
    "DATE_FORMAT",
    'DATE_FORMAT("yyyy-MM-dd", TO_DATETIME("2026-03-04T10:00:00Z"))',
    "2026-03-04",
    `${DATE}#esql-date_format`,
  ),
  value(
    "DATE_PARSE",
    'DATE_PARSE("yyyy-MM-dd", "2026-03-04")',
    "2026-03-04T00:00:00.000Z",
    `${DATE}#esql-date_parse`,
  ),

  // ---------- ip ----------
  value(
    "CIDR_MATCH several blocks",
    'CIDR_MATCH(TO_IP("192.168.1.5"), "10.0.0.0/8", "192.168.0.0/16")',
    true,
    `${IP}#esql-cidr_match`,
  ),
  value("CIDR_MATCH no match", 'CIDR_MATCH(TO_IP("8.8.8.8"), "10.0.0.0/8")', false, `${IP}#esql-cidr_match`),
  value("CIDR_MATCH exact address", 'CIDR_MATCH(TO_IP("::1"), "::1")', true, `${IP}#esql-cidr_match`),

  // ---------- multi-value functions ----------
  value("MV_COUNT", "MV_COUNT(a)", 3, `${MVF}#esql-mv_count`, false, "a = [3, 1, 2]"),
  value("MV_COUNT single value", "MV_COUNT(5)", 1, `${MVF}#esql-mv_count`),
  value("MV_FIRST", "MV_FIRST(a)", 3, `${MVF}#esql-mv_first`, false, "a = [3, 1, 2]"),
  value("MV_LAST", "MV_LAST(a)", 2, `${MVF}#esql-mv_last`, false, "a = [3, 1, 2]"),
  value("MV_MIN", "MV_MIN(a)", 1, `${MVF}#esql-mv_min`, false, "a = [3, 1, 2]"),
  value("MV_MAX", "MV_MAX(a)", 3, `${MVF}#esql-mv_max`, false, "a = [3, 1, 2]"),
  value("MV_MIN strings", "MV_MIN(a)", "a", `${MVF}#esql-mv_min`, false, 'a = ["b", "a"]'),
  value("MV_SUM", "MV_SUM(a)", 6, `${MVF}#esql-mv_sum`, false, "a = [3, 1, 2]"),
  value(
    "MV_SUM overflow is null with a warning",
    "MV_SUM(a)",
    null,
    `${MVF}#esql-mv_sum`,
    true,
    "a = [2147483647, 1]",
  ),
  value("MV_AVG", "MV_AVG(a)", 2, `${MVF}#esql-mv_avg`, false, "a = [3, 1, 2]"),
  value("MV_MEDIAN", "MV_MEDIAN(a)", 2, `${MVF}#esql-mv_median`, false, "a = [3, 1, 2]"),
  value("MV_CONCAT", 'MV_CONCAT(a, ", ")', "x, y", `${MVF}#esql-mv_concat`, false, 'a = ["x", "y"]'),
  value("MV_CONCAT single value", 'MV_CONCAT("x", ",")', "x", `${MVF}#esql-mv_concat`),
  value("MV_DEDUPE", "MV_DEDUPE(a)", ["a", "b"], `${MVF}#esql-mv_dedupe`, false, 'a = ["a", "b", "a"]'),
  value("MV_DEDUPE to one value", "MV_DEDUPE(a)", "a", `${MVF}#esql-mv_dedupe`, false, 'a = ["a", "a"]'),
  value("MV_SLICE", "MV_SLICE(a, 1, 2)", [2, 3], `${MVF}#esql-mv_slice`, false, "a = [1, 2, 3, 4]"),
  value("MV_SLICE one position", "MV_SLICE(a, 0)", 1, `${MVF}#esql-mv_slice`, false, "a = [1, 2, 3, 4]"),
  value(
    "MV_SLICE negative positions",
    "MV_SLICE(a, -2, -1)",
    [3, 4],
    `${MVF}#esql-mv_slice`,
    false,
    "a = [1, 2, 3, 4]",
  ),
  value(
    "MV_SLICE past the end",
    "MV_SLICE(a, 5, 6)",
    null,
    `${MVF}#esql-mv_slice`,
    false,
    "a = [1, 2, 3, 4]",
  ),
  value("MV_SORT", "MV_SORT(a)", [1, 2, 3], `${MVF}#esql-mv_sort`, false, "a = [3, 1, 2]"),
  value("MV_SORT DESC", 'MV_SORT(a, "DESC")', [3, 2, 1], `${MVF}#esql-mv_sort`, false, "a = [3, 1, 2]"),
  value("MV_APPEND", "MV_APPEND(a, 4)", [1, 2, 4], `${MVF}#esql-mv_append`, false, "a = [1, 2]"),
  value(
    "MV_INTERSECTION",
    "MV_INTERSECTION(a, [2, 3, 4])",
    [2, 3],
    `${MVF}#esql-mv_intersection`,
    false,
    "a = [1, 2, 3]",
  ),
  value("MV_CONTAINS", "MV_CONTAINS(a, 2)", true, `${MVF}#esql-mv_contains`, false, "a = [1, 2, 3]"),
  value(
    "MV_CONTAINS all of a subset",
    "MV_CONTAINS(a, [2, 5])",
    false,
    `${MVF}#esql-mv_contains`,
    false,
    "a = [1, 2, 3]",
  ),
  value("MV function on null", "MV_FIRST(null)", null, `${MVF}`),

  // ---------- spatial ----------
  value("ST_X", 'ST_X(TO_GEOPOINT("POINT(12.5 41.9)"))', 12.5, `${SPATIAL}#esql-st_x`),
  value("ST_Y", 'ST_Y(TO_GEOPOINT("POINT(12.5 41.9)"))', 41.9, `${SPATIAL}#esql-st_y`),
  value(
    "ST_DISTANCE same point is 0",
    'ST_DISTANCE(TO_GEOPOINT("POINT(1 1)"), TO_GEOPOINT("POINT(1 1)"))',
    0,
    `${SPATIAL}#esql-st_distance`,
  ),
  value(
    "ST_DISTANCE one degree of latitude",
    'ROUND(ST_DISTANCE(TO_GEOPOINT("POINT(0 0)"), TO_GEOPOINT("POINT(0 1)")))',
    111195,
    `${SPATIAL}#esql-st_distance`,
  ),

  // ---------- EVAL ----------
  cmd(
    "EVAL adds a column",
    "EVAL p2 = process.pid * 2 | WHERE p2 IS NOT NULL | KEEP p2",
    [[20], [40], [60]],
    `${CMD}/eval`,
  ),
  cmd(
    "EVAL replaces a column of the same name",
    "EVAL process.pid = process.pid + 1 | WHERE process.pid IS NOT NULL | KEEP process.pid",
    [[11], [21], [31]],
    `${CMD}/eval`,
  ),
  cmd(
    "EVAL sees earlier fields of the same command",
    "EVAL a = 1, b = a + 1 | KEEP b | LIMIT 1",
    [[2]],
    `${CMD}/eval`,
  ),
  {
    name: "EVAL unnamed column uses the expression text",
    query: "ROW a = 2 | EVAL a * 3",
    columns: ["a", "a * 3"],
    values: [[2, 6]],
    cite: `${CMD}/eval`,
  },

  // ---------- STATS ----------
  cmd("STATS COUNT(*)", "STATS c = COUNT(*)", [[5]], `${AGG}#esql-count`),
  cmd(
    "STATS COUNT(field) counts each value of a multi-value",
    "STATS c = COUNT(user.name)",
    [[5]],
    `${AGG}#esql-count`,
  ),
  cmd("STATS COUNT(field) skips nulls", "STATS c = COUNT(process.pid)", [[3]], `${AGG}#esql-count`),
  cmd("STATS COUNT_DISTINCT", "STATS c = COUNT_DISTINCT(user.name)", [[3]], `${AGG}#esql-count_distinct`),
  cmd(
    "STATS COUNT_DISTINCT on ip",
    "STATS c = COUNT_DISTINCT(source.ip)",
    [[5]],
    `${AGG}#esql-count_distinct`,
  ),
  cmd(
    "STATS MIN and MAX on numbers",
    "STATS lo = MIN(process.pid), hi = MAX(process.pid)",
    [[10, 30]],
    `${AGG}#esql-min`,
  ),
  cmd(
    "STATS MIN and MAX on dates",
    "STATS first = MIN(@timestamp), last = MAX(@timestamp)",
    [["2026-01-01T00:00:00.000Z", "2026-01-01T02:00:00.000Z"]],
    `${AGG}#esql-max`,
  ),
  cmd("STATS MIN on keyword", "STATS m = MIN(user.name)", [["alice"]], `${AGG}#esql-min`),
  cmd("STATS MAX over multi-values", "STATS m = MAX(destination.port)", [[443]], `${AGG}#esql-max`),
  cmd("STATS SUM", "STATS s = SUM(process.pid)", [[60]], `${AGG}#esql-sum`),
  cmd("STATS SUM of multi-values", "STATS s = SUM(destination.port)", [[567]], `${AGG}#esql-sum`),
  cmd("STATS AVG", "STATS a = AVG(process.pid)", [[20]], `${AGG}#esql-avg`),
  cmd("STATS MEDIAN", "STATS m = MEDIAN(process.pid)", [[20]], `${AGG}#esql-median`),
  cmd(
    "STATS VALUES",
    'WHERE user.name == "bob" OR event.action == "scan" | STATS v = VALUES(event.action)',
    [[["logout", "scan"]]],
    `${AGG}#esql-values`,
  ),
  cmd(
    "STATS VALUES of one value is a single value",
    'WHERE event.action == "logout" | STATS v = VALUES(user.name)',
    [["bob"]],
    `${AGG}#esql-values`,
  ),
  cmd("STATS TOP", 'STATS t = TOP(process.pid, 2, "desc")', [[[30, 20]]], `${AGG}#esql-top`),
  cmd("STATS TOP asc", 'STATS t = TOP(process.pid, 2, "asc")', [[[10, 20]]], `${AGG}#esql-top`),
  cmd(
    "STATS BY",
    "STATS c = COUNT(*) BY event.action | SORT event.action",
    [
      [3, "login"],
      [1, "logout"],
      [1, "scan"],
    ],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS BY columns come after the aggregates",
    "STATS c = COUNT(*) BY event.outcome | SORT event.outcome | LIMIT 1",
    [[2, "failure"]],
    `${CMD}/stats-by`,
    { columns: ["c", "event.outcome"] },
  ),
  cmd(
    "STATS BY a multi-valued field puts the row in each group",
    "STATS c = COUNT(*) BY user.name | SORT user.name",
    [
      [3, "alice"],
      [1, "bob"],
      [1, "carol"],
      [1, null],
    ],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS BY null is its own group",
    "STATS c = COUNT(*) BY process.name | SORT process.name",
    [
      [1, "cmd.exe"],
      [1, "powershell.exe"],
      [3, null],
    ],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS BY two keys",
    'WHERE event.action == "login" | STATS c = COUNT(*) BY event.outcome, event.action | SORT event.outcome',
    [
      [2, "failure", "login"],
      [1, "success", "login"],
    ],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS BY an expression",
    "STATS c = COUNT(*) BY hour = DATE_TRUNC(1 hour, @timestamp) | SORT hour",
    [
      [3, "2026-01-01T00:00:00.000Z"],
      [1, "2026-01-01T01:00:00.000Z"],
      [1, "2026-01-01T02:00:00.000Z"],
    ],
    `${CMD}/stats-by`,
  ),
  cmd("STATS unnamed aggregate uses its text", "STATS COUNT(*)", [[5]], `${CMD}/stats-by`, {
    columns: ["COUNT(*)"],
  }),
  cmd(
    "STATS expression over aggregates",
    "STATS r = SUM(process.pid) / COUNT(process.pid)",
    [[20]],
    `${CMD}/stats-by`,
  ),
  cmd("STATS aggregate of an expression", "STATS m = MAX(process.pid * 2)", [[60]], `${CMD}/stats-by`),
  cmd(
    "STATS aggregate WHERE filter",
    'STATS failures = COUNT(*) WHERE event.outcome == "failure", total = COUNT(*)',
    [[2, 5]],
    `${CMD}/stats-by#esql-stats-by-filter`,
  ),
  cmd(
    "STATS filter per group",
    'STATS f = COUNT(*) WHERE event.outcome == "failure" BY event.action | SORT event.action',
    [
      [2, "login"],
      [0, "logout"],
      [0, "scan"],
    ],
    `${CMD}/stats-by#esql-stats-by-filter`,
  ),
  cmd(
    "STATS COUNT_DISTINCT BY with a threshold",
    "STATS ips = COUNT_DISTINCT(source.ip) BY user.name | WHERE ips >= 2 | KEEP user.name, ips",
    [["alice", 3]],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS without rows and without BY is one row",
    'WHERE event.action == "none" | STATS c = COUNT(*), m = MAX(process.pid)',
    [[0, null]],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS without rows with BY is empty",
    'WHERE event.action == "none" | STATS c = COUNT(*) BY user.name',
    [],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS BY only",
    "STATS BY event.outcome | SORT event.outcome",
    [["failure"], ["success"], [null]],
    `${CMD}/stats-by`,
  ),
  cmd(
    "STATS SUM overflow is null with a warning",
    "EVAL big = 9000000000000000000 | STATS s = SUM(big)",
    [[null]],
    `${AGG}#esql-sum`,
    { warnings: true },
  ),
  cmd("STATS FIRST by sort key", "STATS f = FIRST(process.pid, @timestamp)", [[10]], `${AGG}#esql-first`),
  cmd("STATS LAST by sort key", "STATS l = LAST(event.action, @timestamp)", [["scan"]], `${AGG}#esql-last`),
  cmd(
    "INLINE STATS keeps every row",
    'INLINE STATS c = COUNT(*) BY event.action | WHERE event.action != "login" | KEEP event.action, c',
    [
      ["logout", 1],
      ["scan", 1],
    ],
    `${CMD}/inlinestats-by`,
  ),
  cmd(
    "INLINE STATS without BY",
    "INLINE STATS total = COUNT(*) | KEEP total | LIMIT 2",
    [[5], [5]],
    `${CMD}/inlinestats-by`,
  ),

  // ---------- KEEP, DROP, RENAME ----------
  cmd(
    "KEEP order is the pattern order",
    'WHERE user.name == "bob" | KEEP source.ip, event.action',
    [["10.0.0.10", "logout"]],
    `${CMD}/keep`,
    { columns: ["source.ip", "event.action"] },
  ),
  cmd("KEEP wildcard", 'WHERE user.name == "bob" | KEEP event.*', [["logout", "success"]], `${CMD}/keep`, {
    columns: ["event.action", "event.outcome"],
  }),
  cmd(
    "KEEP exact name beats a wildcard",
    'WHERE user.name == "bob" | KEEP event.*, event.action',
    [["success", "logout"]],
    `${CMD}/keep`,
    { columns: ["event.outcome", "event.action"] },
  ),
  cmd(
    "DROP",
    'WHERE user.name == "bob" | KEEP event.*, user.name | DROP event.outcome',
    [["logout", "bob"]],
    `${CMD}/drop`,
  ),
  cmd(
    "DROP wildcard",
    'WHERE user.name == "bob" | KEEP event.*, user.name | DROP event.*',
    [["bob"]],
    `${CMD}/drop`,
  ),
  cmd(
    "RENAME",
    'WHERE user.name == "bob" | KEEP user.name | RENAME user.name AS who',
    [["bob"]],
    `${CMD}/rename`,
    { columns: ["who"] },
  ),
  cmd(
    "RENAME new = old",
    'WHERE user.name == "bob" | KEEP user.name | RENAME who = user.name',
    [["bob"]],
    `${CMD}/rename`,
    { columns: ["who"] },
  ),
  cmd(
    "RENAME onto an existing column replaces it",
    'WHERE user.name == "bob" | KEEP user.name, event.action | RENAME user.name AS event.action',
    [["bob"]],
    `${CMD}/rename`,
    { columns: ["event.action"] },
  ),

  // ---------- SORT and LIMIT ----------
  cmd(
    "SORT ascending puts nulls last",
    "SORT process.pid | KEEP process.pid",
    [[10], [20], [30], [null], [null]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT descending puts nulls first",
    "SORT process.pid DESC | KEEP process.pid",
    [[null], [null], [30], [20], [10]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT NULLS FIRST",
    "SORT process.pid ASC NULLS FIRST | KEEP process.pid",
    [[null], [null], [10], [20], [30]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT DESC NULLS LAST",
    "SORT process.pid DESC NULLS LAST | KEEP process.pid",
    [[30], [20], [10], [null], [null]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT ip numerically",
    "SORT source.ip | KEEP source.ip",
    [["10.0.0.1"], ["10.0.0.2"], ["10.0.0.10"], ["192.168.1.1"], ["2001:db8::1"]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT keyword byte order",
    "SORT process.name | KEEP process.name | LIMIT 2",
    [["cmd.exe"], ["powershell.exe"]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT a multi-value ascending by its lowest value",
    "WHERE destination.port IS NOT NULL | SORT destination.port | KEEP destination.port",
    [[22], [[22, 80]], [443]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT a multi-value descending by its highest value",
    "WHERE destination.port IS NOT NULL | SORT destination.port DESC | KEEP destination.port",
    [[443], [[22, 80]], [22]],
    `${CMD}/sort`,
  ),
  cmd(
    "SORT by two keys",
    "SORT event.action DESC, @timestamp DESC | KEEP event.action, process.pid | LIMIT 3",
    [
      ["scan", null],
      ["logout", 30],
      ["login", null],
    ],
    `${CMD}/sort`,
  ),
  cmd("LIMIT", "SORT @timestamp | LIMIT 2 | KEEP process.pid", [[10], [20]], `${CMD}/limit`),
  {
    name: "implicit LIMIT 1000",
    query: "FROM logs-* | STATS c = COUNT(*) | EVAL x = 1",
    rows: Array.from({ length: 1001 }, (_, i) => ({ process: { pid: i } })),
    values: [[1001, 1]],
    cite: `${LIMITS}#esql-max-rows`,
  },
  {
    name: "implicit LIMIT 1000 on rows",
    query: "FROM logs-* | KEEP process.pid | STATS c = COUNT(*)",
    rows: Array.from({ length: 1001 }, (_, i) => ({ process: { pid: i } })),
    values: [[1001]],
    cite: `${LIMITS}#esql-max-rows`,
  },

  // ---------- MV_EXPAND ----------
  cmd(
    "MV_EXPAND makes a row per value",
    'WHERE event.action == "login" AND source.ip == "192.168.1.1" | MV_EXPAND user.name | KEEP user.name',
    [["alice"], ["carol"]],
    `${CMD}/mv_expand`,
  ),
  cmd(
    "MV_EXPAND keeps a null row",
    "WHERE user.name IS NULL | MV_EXPAND user.name | KEEP event.action",
    [["scan"]],
    `${CMD}/mv_expand`,
  ),
  cmd(
    "MV_EXPAND then STATS",
    "MV_EXPAND destination.port | STATS c = COUNT(*) BY destination.port | SORT destination.port",
    [
      [2, 22],
      [1, 80],
      [1, 443],
      [2, null],
    ],
    `${CMD}/mv_expand`,
  ),

  // ---------- DISSECT, GROK ----------
  {
    name: "DISSECT",
    query:
      'ROW a = "2026-01-01 alice login" | DISSECT a "%{date} %{user} %{action}" | KEEP date, user, action',
    values: [["2026-01-01", "alice", "login"]],
    cite: `${CMD}/dissect`,
  },
  {
    name: "DISSECT no match gives nulls",
    query: 'ROW a = "nothing" | DISSECT a "%{x} %{y}" | KEEP x, y',
    values: [[null, null]],
    cite: `${CMD}/dissect`,
  },
  {
    name: "DISSECT skip key",
    query: 'ROW a = "a b c" | DISSECT a "%{x} %{?skip} %{z}" | KEEP x, z',
    values: [["a", "c"]],
    cite: `${CMD}/dissect`,
  },
  {
    name: "DISSECT append with separator",
    query: 'ROW a = "john smith" | DISSECT a "%{+name} %{+name}" APPEND_SEPARATOR = "_" | KEEP name',
    values: [["john_smith"]],
    cite: `${CMD}/dissect`,
  },
  {
    name: "DISSECT on null gives nulls",
    query: 'ROW a = null | EVAL a = TO_STRING(a) | DISSECT a "%{x}" | KEEP x',
    values: [[null]],
    cite: `${CMD}/dissect`,
  },
  {
    name: "GROK",
    query:
      'ROW a = "10.0.0.1 GET /index.html" | GROK a "%{IP:ip} %{WORD:verb} %{URIPATH:path}" | KEEP ip, verb, path',
    values: [["10.0.0.1", "GET", "/index.html"]],
    cite: `${CMD}/grok`,
  },
  {
    name: "GROK typed capture",
    query: 'ROW a = "took 42 ms" | GROK a "took %{NUMBER:ms:int} ms" | KEEP ms',
    columns: ["ms:integer"],
    values: [[42]],
    cite: `${CMD}/grok`,
  },
  {
    name: "GROK no match gives nulls",
    query: 'ROW a = "xyz" | GROK a "%{IP:ip}" | KEEP ip',
    values: [[null]],
    cite: `${CMD}/grok`,
  },
  {
    name: "GROK named regex group",
    query: 'ROW a = "user=alice" | GROK a "user=(?<who>[a-z]+)" | KEEP who',
    values: [["alice"]],
    cite: `${CMD}/grok`,
  },
  {
    name: "GROK URIPROTO and URIHOST",
    query:
      'ROW a = "curl https://evil.example.com/x" | GROK a "%{URIPROTO:proto}://%{URIHOST:host}" | KEEP proto, host',
    values: [["https", "evil.example.com"]],
    cite: `${CMD}/grok`,
  },

  // ---------- ENRICH, LOOKUP JOIN ----------
  {
    name: "ENRICH adds the policy's fields",
    query: 'ROW ip = "10.0.0.1" | ENRICH hosts ON ip WITH owner | KEEP ip, owner',
    lookups: {
      hosts: [
        { ip: "10.0.0.1", owner: "it" },
        { ip: "10.0.0.2", owner: "hr" },
      ],
    },
    values: [["10.0.0.1", "it"]],
    cite: `${CMD}/enrich`,
  },
  {
    name: "ENRICH WITH a new name",
    query: 'ROW ip = "10.0.0.2" | ENRICH hosts ON ip WITH team = owner | KEEP team',
    lookups: {
      hosts: [
        { ip: "10.0.0.1", owner: "it" },
        { ip: "10.0.0.2", owner: "hr" },
      ],
    },
    values: [["hr"]],
    cite: `${CMD}/enrich`,
  },
  {
    name: "ENRICH without a match is null",
    query: 'ROW ip = "10.9.9.9" | ENRICH hosts ON ip WITH owner | KEEP owner',
    lookups: { hosts: [{ ip: "10.0.0.1", owner: "it" }] },
    values: [[null]],
    cite: `${CMD}/enrich`,
  },
  {
    name: "LOOKUP JOIN adds the matching row's columns",
    query: 'ROW code = "a" | LOOKUP JOIN codes ON code | KEEP code, label',
    lookups: {
      codes: [
        { code: "a", label: "alpha" },
        { code: "b", label: "beta" },
      ],
    },
    values: [["a", "alpha"]],
    cite: `${CMD}/lookup-join`,
  },
  {
    name: "LOOKUP JOIN without a match keeps the row with nulls",
    query: 'ROW code = "z" | LOOKUP JOIN codes ON code | KEEP code, label',
    lookups: { codes: [{ code: "a", label: "alpha" }] },
    values: [["z", null]],
    cite: `${CMD}/lookup-join`,
  },
  {
    name: "LOOKUP JOIN with several matches makes a row per match",
    query: 'ROW code = "a" | LOOKUP JOIN codes ON code | KEEP label',
    lookups: {
      codes: [
        { code: "a", label: "one" },
        { code: "a", label: "two" },
      ],
    },
    values: [["one"], ["two"]],
    cite: `${CMD}/lookup-join`,
  },
];

// Named parameter cases need their values.
for (const c of CASES) if (c.name === "named parameter") c.params = { p: 41 };
