/**
 * The EQL conformance table: queries over small event sets with the events (or sequences) Elasticsearch returns.
 * Every case cites the Elasticsearch EQL reference page (and anchor) or source file its expectation comes from.
 * Events are ordered by `@timestamp`; expected results list event positions.
 */
import type { EqlEvent } from "../evaluate.js";

const REF = "https://www.elastic.co/guide/en/elasticsearch/reference/current";
export const SYNTAX = `${REF}/eql-syntax.html`;
export const FUNCTIONS = `${REF}/eql-function-ref.html`;
export const PIPES = `${REF}/eql-pipe-ref.html`;
export const SEQUENCE_MATCHER =
  "elastic/elasticsearch x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/execution/sequence/SequenceMatcher.java";
export const TRANSLATOR =
  "elastic/elasticsearch x-pack/plugin/ql/src/main/java/org/elasticsearch/xpack/ql/planner/ExpressionTranslators.java (BinaryComparisons: TermQuery, NotEquals as NotQuery(TermQuery))";
export const PLAN_BUILDER =
  "elastic/elasticsearch x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/parser/LogicalPlanBuilder.java";

export interface ConformanceCase {
  name: string;
  query: string;
  /** Event set name (see EVENT_SETS) or inline events. */
  events: string | EqlEvent[];
  /** Event positions for an event query; position lists for sequences and samples. */
  expect: number[] | number[][];
  cite: string;
  options?: { eventCategoryField?: string; tiebreakerField?: string; timestampField?: string };
}

/** The shared event set; ECS types from the catalogue (process.pid long, source.ip ip, file.size long...). */
const BASE: EqlEvent[] = [
  {
    "@timestamp": "2026-01-01T00:00:01Z",
    event: { category: "process", type: "start" },
    process: {
      name: "cmd.exe",
      pid: 100,
      args: ["/c", "whoami"],
      command_line: "cmd.exe /c whoami",
      executable: "C:\\Windows\\System32\\cmd.exe",
    },
    user: { name: "alice" },
    host: { id: "h1" },
    source: { ip: "10.0.0.5" },
  },
  {
    "@timestamp": "2026-01-01T00:00:02Z",
    event: { category: "process", type: "start" },
    process: { name: "CMD.EXE", pid: 200, command_line: "CMD.EXE /C DIR" },
    user: { name: "bob" },
    host: { id: "h1" },
    source: { ip: "192.168.1.10" },
  },
  {
    "@timestamp": "2026-01-01T00:00:03Z",
    event: { category: "file", type: "creation" },
    file: { name: "notes.txt", path: "C:\\Users\\alice\\notes.txt", size: 1500, extension: "txt" },
    user: { name: "alice" },
    host: { id: "h2" },
  },
  {
    "@timestamp": "2026-01-01T00:00:04Z",
    event: { category: "network" },
    destination: { port: 443 },
    source: { ip: "2001:db8::1" },
    host: { id: "h1" },
    network: { protocol: "https" },
  },
  {
    "@timestamp": "2026-01-01T00:00:05Z",
    event: { category: "process", type: "start" },
    process: { name: "powershell.exe", pid: 300, args: ["-enc", "AAAA"], parent: { name: "cmd.exe" } },
    user: { name: "alice" },
    host: { id: "h2" },
  },
  {
    "@timestamp": "2026-01-01T00:00:06Z",
    event: { category: ["process", "network"] },
    process: { name: "svchost.exe", pid: 4 },
    user: { name: ["SYSTEM", "alice"] },
    host: { id: "h1" },
  },
  {
    "@timestamp": "2026-01-01T00:00:07Z",
    event: { category: "registry" },
    registry: { path: "HKLM\\Software\\Run\\x" },
    user: { name: "carol" },
    host: { id: "h3" },
  },
  {
    "@timestamp": "2026-01-01T00:00:08Z",
    "event.category": "process",
    "process.name": "a%b.exe",
    "process.pid": "400",
    host: { id: "h3" },
    user: { name: "Alice" },
  },
];

export const EVENT_SETS: Record<string, EqlEvent[]> = { base: BASE };

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
/** A sequence test event: time in seconds, category, host, user, and extra fields. */
export function ev(s: number, category: string, host: string, user: string, extra: EqlEvent = {}): EqlEvent {
  return { "@timestamp": t(s), event: { category }, host: { id: host }, user: { name: user }, ...extra };
}

const C = (
  name: string,
  query: string,
  expect: number[] | number[][],
  cite: string,
  events: string | EqlEvent[] = "base",
  options?: ConformanceCase["options"],
): ConformanceCase => ({ name, query, events, expect, cite, ...(options ? { options } : {}) });

const cmp = `${SYNTAX}#eql-syntax-comparison-operators`;
const lookup = `${SYNTAX}#eql-syntax-lookup-operators`;
const logical = `${SYNTAX}#eql-syntax-logical-operators`;
const wildcard = `${SYNTAX}#eql-syntax-wildcards`;
const strings = `${SYNTAX}#eql-syntax-strings`;
const nulls = `${SYNTAX}#eql-syntax-check-field-exists`;
const optional = `${SYNTAX}#eql-syntax-optional-fields`;
const category = `${SYNTAX}#eql-basic-syntax`;
const fn = (name: string) => `${FUNCTIONS}#eql-function-${name.toLowerCase()}`;
const seq = `${SYNTAX}#eql-sequences`;
const maxspan = `${SYNTAX}#eql-with-maxspan-keywords`;
const until = `${SYNTAX}#eql-until-keyword`;
const runs = `${SYNTAX}#eql-runs-keyword`;
const missing = `${SYNTAX}#eql-missing-events`;
const samples = `${SYNTAX}#eql-samples`;
const multi = `${TRANSLATOR} (field comparisons become term/range queries: any value of a multi-valued field)`;

export const CASES: ConformanceCase[] = [
  // --- categories
  C("category filter", "process where true", [0, 1, 4, 5, 7], category),
  C("any where", "any where true", [0, 1, 2, 3, 4, 5, 6, 7], category),
  C("category is a term query: multi-valued category", "network where true", [3, 5], `${category}; ${multi}`),
  C("quoted category", '"file" where true', [2], category),
  C(
    "category is case-sensitive",
    "Process where true",
    [],
    `${PLAN_BUILDER} (visitEventFilter: Equals on the category field)`,
  ),
  C("category with condition", 'process where user.name == "alice"', [0, 4, 5], category),
  C("unknown category", "driver where true", [], category),
  C(
    "event_category_override",
    "start where true",
    [0, 1, 4],
    `${REF}/eql-search-api.html#eql-search-api-request-body (event_category_field)`,
    "base",
    { eventCategoryField: "event.type" },
  ),
  C("dotted keys in the event", 'process where process.name == "a%b.exe"', [7], category),
  // --- == and != on keyword (case-sensitive)
  C("== keyword exact", 'any where process.name == "cmd.exe"', [0], cmp),
  C("== keyword is case-sensitive", 'any where process.name == "CMD.exe"', [], cmp),
  C("== keyword other case", 'any where process.name == "CMD.EXE"', [1], cmp),
  C(
    "== does not expand wildcards",
    'any where process.name == "cmd*"',
    [],
    `${cmp} (use : or like for wildcards)`,
  ),
  C("!= keyword", 'process where process.name != "cmd.exe"', [1, 4, 5, 7], cmp),
  C(
    "!= matches events without the field (must_not)",
    'any where process.name != "cmd.exe"',
    [1, 2, 3, 4, 5, 6, 7],
    TRANSLATOR,
  ),
  C("== on a multi-valued keyword", 'any where user.name == "SYSTEM"', [5], multi),
  C("== multi-valued, other value", 'any where user.name == "alice"', [0, 2, 4, 5], multi),
  C("!= multi-valued: no value equal", 'any where user.name != "alice"', [1, 3, 6, 7], multi),
  C(
    "== wildcard-typed field is case-sensitive",
    'any where process.command_line == "cmd.exe /c whoami"',
    [0],
    cmp,
  ),
  C("== on args array", 'any where process.args == "whoami"', [0], multi),
  C(
    "== with escaped backslashes",
    'any where process.executable == "C:\\\\Windows\\\\System32\\\\cmd.exe"',
    [0],
    strings,
  ),
  C(
    "== with raw string",
    'any where process.executable == """C:\\Windows\\System32\\cmd.exe"""',
    [0],
    strings,
  ),
  C("== on a nested object path", 'any where process.parent.name == "cmd.exe"', [4], cmp),
  // --- numbers
  C("== long", "any where process.pid == 100", [0], cmp),
  C(
    "== long from a string in the document",
    "any where process.pid == 400",
    [7],
    `${cmp} (numeric fields index numeric strings as numbers)`,
  ),
  C("!= long", "process where process.pid != 100", [1, 4, 5, 7], cmp),
  C("< long", "any where process.pid < 200", [0, 5], cmp),
  C("<= long", "any where process.pid <= 200", [0, 1, 5], cmp),
  C("> long", "any where process.pid > 200", [4, 7], cmp),
  C(">= long", "any where process.pid >= 200", [1, 4, 7], cmp),
  C("> decimal constant", "any where process.pid > 99.5", [0, 1, 4, 7], cmp),
  C("constant on the left", "any where 200 < process.pid", [4, 7], cmp),
  C("constant on the left ==", "any where 100 == process.pid", [0], cmp),
  C("range on file.size", "any where file.size >= 1000 and file.size < 2000", [2], cmp),
  C("port ==", "any where destination.port == 443", [3], cmp),
  C("negative constant", "any where process.pid > -1", [0, 1, 4, 5, 7], cmp),
  C(
    "comparison with a missing field is false",
    "any where process.pid < 1000000",
    [0, 1, 4, 5, 7],
    `${cmp}; ${nulls}`,
  ),
  // --- strings ordered
  C("string < is lexicographic", 'any where process.name < "b"', [1, 7], cmp),
  C("string >= ", 'any where process.name >= "s"', [5], cmp),
  C("string > uppercase sorts first", 'process where process.name > "C"', [0, 1, 4, 5, 7], cmp),
  // --- booleans and literals
  C("false filters everything", "any where false", [], logical),
  C("not false", "any where not false", [0, 1, 2, 3, 4, 5, 6, 7], logical),
  // --- null and field existence
  C("!= null is exists", "any where process.pid != null", [0, 1, 4, 5, 7], nulls),
  C("== null is not exists", "any where ?process.pid == null", [2, 3, 6], nulls),
  C("== null on a missing field", "any where ?dll.name == null", [0, 1, 2, 3, 4, 5, 6, 7], optional),
  C("!= null on a missing field", "any where ?dll.name != null", [], optional),
  C("optional field compared", 'any where ?process.parent.name == "cmd.exe"', [4], optional),
  C("< null is false", "any where process.pid < null", [], nulls),
  C(
    "function of a missing field is null, so false",
    "any where length(file.name) > 0",
    [2],
    `${FUNCTIONS} (null handling)`,
  ),
  C(
    "not over a null script is true (NotQuery over the script query)",
    "any where not length(file.name) > 0",
    [0, 1, 3, 4, 5, 6, 7],
    TRANSLATOR,
  ),
  C("null == null script", "any where ?dll.name == ?dll.path", [], nulls),
  // --- : (case-insensitive, wildcards, lists)
  C(
    ": exact, case-insensitive",
    'any where process.name : "cmd.exe"',
    [0, 1],
    `${SYNTAX}#eql-syntax-pattern-comparison-keywords`,
  ),
  C(": upper pattern", 'any where process.name : "CMD.EXE"', [0, 1], wildcard),
  C(": trailing *", 'any where process.name : "cmd*"', [0, 1], wildcard),
  C(": leading *", 'any where process.name : "*.exe"', [0, 1, 4, 5, 7], wildcard),
  C(": inner *", 'any where process.name : "p*l.exe"', [4], wildcard),
  C(": ? one character", 'any where process.name : "cmd.ex?"', [0, 1], wildcard),
  C(": ? needs exactly one", 'any where process.name : "cmd.exe?"', [], wildcard),
  C(
    ": list",
    'any where process.name : ("svchost.exe", "power*")',
    [4, 5],
    `${SYNTAX}#eql-syntax-lookup-operators`,
  ),
  C(": multi-valued", 'any where user.name : "sys*"', [5], multi),
  C(": command line wildcard", 'any where process.command_line : "*whoami*"', [0], wildcard),
  C(": command line case-insensitive", 'any where process.command_line : "*/c dir*"', [1], wildcard),
  C(": path with backslashes", 'any where file.path : "C:\\\\Users\\\\*\\\\notes.txt"', [2], wildcard),
  C(": raw string path", 'any where file.path : """C:\\Users\\*\\notes.txt"""', [2], strings),
  C(": % is literal", 'any where process.name : "a%b.exe"', [7], wildcard),
  C("not :", 'process where not process.name : "cmd*"', [4, 5, 7], logical),
  C(": on a missing field", 'any where dll.name : "*"', [], nulls),
  C(": * on a present field", 'any where file.name : "*"', [2], wildcard),
  // --- like / like~
  C(
    "like is case-sensitive",
    'any where process.name like "cmd*"',
    [0],
    `${SYNTAX}#eql-syntax-pattern-comparison-keywords`,
  ),
  C("like upper", 'any where process.name like "CMD*"', [1], lookup),
  C("like~ is case-insensitive", 'any where process.name like~ "cmd*"', [0, 1], lookup),
  C("like list", 'any where process.name like ("cmd.exe", "svc*")', [0, 5], lookup),
  C("like~ list", 'any where process.name like~ ("CMD.exe", "SVC*")', [0, 1, 5], lookup),
  C("like ?", 'any where process.name like "cmd.ex?"', [0], lookup),
  C("like % is not a wildcard", 'any where process.name like "a%"', [], lookup),
  C("like multi-valued", 'any where user.name like "SYS*"', [5], multi),
  // --- regex / regex~
  C(
    "regex anchored",
    'any where process.name regex "cmd\\\\.exe"',
    [0],
    `${SYNTAX}#eql-syntax-pattern-comparison-keywords; ${REF}/regexp-syntax.html`,
  ),
  C(
    "regex partial does not match",
    'any where process.name regex "cmd"',
    [],
    `${REF}/regexp-syntax.html (patterns are anchored)`,
  ),
  C("regex .*", 'any where process.name regex ".*\\\\.exe"', [0, 4, 5, 7], `${REF}/regexp-syntax.html`),
  C("regex is case-sensitive", 'any where process.name regex "CMD.*"', [1], lookup),
  C("regex~ is case-insensitive", 'any where process.name regex~ "cmd.*"', [0, 1], lookup),
  C("regex class", 'any where process.name regex "[a-c]md\\\\.exe"', [0], `${REF}/regexp-syntax.html`),
  C(
    "regex alternation",
    'any where process.name regex "(cmd|svchost)\\\\.exe"',
    [0, 5],
    `${REF}/regexp-syntax.html`,
  ),
  C("regex repetition", 'any where process.name regex "[a-z]{3}\\\\.exe"', [0], `${REF}/regexp-syntax.html`),
  C("regex list", 'any where process.name regex ("cmd\\\\.exe", "svc.*")', [0, 5], lookup),
  C(
    "regex @ any string",
    'any where process.name regex "power@"',
    [4],
    `${REF}/regexp-syntax.html (optional operator @)`,
  ),
  C(
    "regex numeric interval",
    'any where file.extension regex "t<0-9>t"',
    [],
    `${REF}/regexp-syntax.html (optional operator <>)`,
  ),
  C(
    "regex quoted literal",
    'any where process.name regex "\\"cmd.exe\\""',
    [0],
    `${REF}/regexp-syntax.html (a double-quoted part is literal)`,
  ),
  // --- in / in~ / not in
  C("in", 'any where process.name in ("cmd.exe", "svchost.exe")', [0, 5], lookup),
  C("in is case-sensitive", 'any where process.name in ("CMD.exe")', [], lookup),
  C("in~ is case-insensitive", 'any where process.name in~ ("CMD.exe")', [0, 1], lookup),
  C("not in", 'process where process.name not in ("cmd.exe", "CMD.EXE")', [4, 5, 7], lookup),
  C(
    "not in matches events without the field",
    'any where process.name not in ("cmd.exe")',
    [1, 2, 3, 4, 5, 6, 7],
    TRANSLATOR,
  ),
  C("not in~", 'process where process.name not in~ ("cmd.exe")', [4, 5, 7], lookup),
  C("in numbers", "any where process.pid in (100, 300)", [0, 4], lookup),
  C("in does not expand wildcards", 'any where process.name in ("cmd*")', [], lookup),
  C("in multi-valued", 'any where user.name in ("SYSTEM")', [5], multi),
  C("in~ multi-valued", 'any where user.name in~ ("system")', [5], multi),
  C("in with null", "any where ?dll.name in (null)", [0, 1, 2, 3, 4, 5, 6, 7], nulls),
  C("in ip", 'any where source.ip in ("10.0.0.5", "2001:db8::1")', [0, 3], lookup),
  // --- ip
  C("== ip", 'any where source.ip == "10.0.0.5"', [0], cmp),
  C(
    "== ipv6 normalised",
    'any where source.ip == "2001:0db8:0:0:0:0:0:1"',
    [3],
    `${REF}/ip.html (ip fields compare addresses)`,
  ),
  C("cidrMatch v4", 'any where cidrMatch(source.ip, "10.0.0.0/8")', [0], fn("cidrMatch")),
  C(
    "cidrMatch list",
    'any where cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")',
    [0, 1],
    fn("cidrMatch"),
  ),
  C("cidrMatch v6", 'any where cidrMatch(source.ip, "2001:db8::/32")', [3], fn("cidrMatch")),
  C("cidrMatch no match", 'any where cidrMatch(source.ip, "172.16.0.0/12")', [], fn("cidrMatch")),
  C(
    "not cidrMatch",
    'any where not cidrMatch(source.ip, "10.0.0.0/8")',
    [1, 2, 3, 4, 5, 6, 7],
    `${fn("cidrMatch")}; ${TRANSLATOR}`,
  ),
  C(
    "cidrMatch name is case-insensitive",
    'any where cidrmatch(source.ip, "10.0.0.0/8")',
    [0],
    `${REF}/eql-function-ref.html (function names)`,
  ),
  // --- logical operators
  C("and", 'any where host.id == "h1" and user.name == "alice"', [0, 5], logical),
  C("or", 'any where host.id == "h3" or user.name == "bob"', [1, 6, 7], logical),
  C("not", 'any where not host.id == "h1"', [2, 4, 6, 7], logical),
  C(
    "and binds tighter than or",
    'any where host.id == "h3" or host.id == "h2" and user.name == "alice"',
    [2, 4, 6, 7],
    logical,
  ),
  C(
    "parentheses",
    'any where (host.id == "h3" or host.id == "h2") and user.name == "alice"',
    [2, 4],
    logical,
  ),
  C("not binds tighter than and", 'any where not host.id == "h1" and user.name == "alice"', [2, 4], logical),
  C("not over parentheses", 'any where not (host.id == "h1" or host.id == "h2")', [6, 7], logical),
  C("double not", 'any where not not host.id == "h3"', [6, 7], logical),
  // --- functions
  C("add", "any where add(process.pid, 1) == 101", [0], fn("add")),
  C("subtract", "any where subtract(process.pid, 100) == 0", [0], fn("subtract")),
  C("multiply", "any where multiply(process.pid, 2) == 600", [4], fn("multiply")),
  C("divide integers rounds down", "any where divide(process.pid, 3) == 33", [0], fn("divide")),
  C("divide decimal", "any where divide(process.pid, 8.0) == 12.5", [0], fn("divide")),
  C("modulo", "any where modulo(process.pid, 200) == 0", [1, 7], fn("modulo")),
  C("arithmetic operators", "any where process.pid + 1 == 101", [0], `${SYNTAX}#eql-syntax-math-operators`),
  C(
    "arithmetic precedence",
    "any where process.pid * 2 + 1 == 201",
    [0],
    `${SYNTAX}#eql-syntax-math-operators`,
  ),
  C(
    "arithmetic parentheses",
    "any where process.pid * (2 + 1) == 300",
    [0],
    `${SYNTAX}#eql-syntax-math-operators`,
  ),
  C(
    "modulo operator",
    "any where process.pid % 100 == 0",
    [0, 1, 4, 7],
    `${SYNTAX}#eql-syntax-math-operators`,
  ),
  C("between", 'any where between(file.path, "Users\\\\", "\\\\") == "alice"', [2], fn("between")),
  C(
    "between is case-sensitive",
    'any where between(process.executable, "system32\\\\", ".exe") == "cmd"',
    [],
    fn("between"),
  ),
  C(
    "between~",
    'any where between~(process.executable, "system32\\\\", ".exe") == "cmd"',
    [0],
    fn("between"),
  ),
  C(
    "between greedy",
    'any where between(process.command_line, "c", "o", true) == "md.exe /c wh"',
    [0],
    fn("between"),
  ),
  C(
    "between not greedy",
    'any where between(process.command_line, "c", "o", false) == "md.exe /c wh"',
    [0],
    fn("between"),
  ),
  C(
    "between missing left is empty",
    'any where between(process.command_line, "zz", "o") == ""',
    [0, 1],
    fn("between"),
  ),
  C("concat", 'any where concat(process.name, ":", process.pid) == "cmd.exe:100"', [0], fn("concat")),
  C("concat with null is null", 'any where concat(process.name, ?dll.name) == "cmd.exe"', [], fn("concat")),
  C("endsWith", 'any where endsWith(process.name, ".exe")', [0, 4, 5, 7], fn("endsWith")),
  C("endsWith is case-sensitive", 'any where endsWith(process.name, ".EXE")', [1], fn("endsWith")),
  C("endsWith~", 'any where endsWith~(process.name, ".EXE")', [0, 1, 4, 5, 7], fn("endsWith")),
  C("startsWith", 'any where startsWith(process.name, "cmd")', [0], fn("startsWith")),
  C("startsWith~", 'any where startsWith~(process.name, "cmd")', [0, 1], fn("startsWith")),
  C("stringContains", 'any where stringContains(process.command_line, "who")', [0], fn("stringContains")),
  C(
    "stringContains is case-sensitive",
    'any where stringContains(process.command_line, "DIR")',
    [1],
    fn("stringContains"),
  ),
  C("stringContains~", 'any where stringContains~(process.command_line, "dir")', [1], fn("stringContains")),
  C("indexOf", 'any where indexOf(process.name, ".") == 3', [0, 1, 7], fn("indexOf")),
  C("indexOf with start", 'any where indexOf(process.name, "e", 6) == 6', [0, 7], fn("indexOf")),
  C(
    "indexOf not found is null",
    'any where indexOf(process.name, "zz") == null',
    [0, 1, 2, 3, 4, 5, 6, 7],
    `${fn("indexOf")} (null when not found; == null is an IsNull check, ${nulls})`,
  ),
  C("indexOf~", 'any where indexOf~(process.name, "EXE") == 4', [0, 1, 7], fn("indexOf")),
  C("length", "any where length(process.name) == 7", [0, 1, 7], fn("length")),
  C("length of a missing field is null", "any where length(?dll.name) == 0", [], fn("length")),
  C("number", 'any where number("100") == process.pid', [0], fn("number")),
  C("number base 16", 'any where number("0x64", 16) == process.pid', [0], fn("number")),
  C("string", 'any where string(process.pid) == "100"', [0], fn("string")),
  C("substring", 'any where substring(process.name, 0, 3) == "cmd"', [0], fn("substring")),
  C("substring negative", 'any where substring(process.name, -3) == "exe"', [0, 4, 5, 7], fn("substring")),
  C("substring end only", 'any where substring(process.name, 4) == "exe"', [0, 7], fn("substring")),
  C("substring negative end", 'any where substring(process.name, 0, -4) == "cmd"', [0], fn("substring")),
  C(
    "function compared to a field",
    "any where length(process.name) > process.pid",
    [5],
    `${FUNCTIONS} (scripts)`,
  ),
  C(
    "field against field",
    "any where process.name == process.parent.name",
    [],
    `${cmp} (script: first values)`,
  ),
  C("boolean function alone", 'any where startsWith(process.name, "power")', [4], fn("startsWith")),
  C(
    "not boolean function",
    'process where not startsWith(process.name, "power")',
    [0, 1, 5, 7],
    `${fn("startsWith")}; ${logical}`,
  ),
  // --- pipes
  C("head", "process where true | head 2", [0, 1], `${PIPES}#eql-pipe-head`),
  C("tail", "process where true | tail 2", [5, 7], `${PIPES}#eql-pipe-tail`),
  C("head then tail", "any where true | head 4 | tail 1", [3], PIPES),
  C("head 0", "any where true | head 0", [], `${PIPES}#eql-pipe-head`),
];

// --- sequences: inline event sets. ev(seconds, category, host, user, extra)
const S1 = [
  ev(1, "process", "h1", "alice", { process: { name: "a" } }),
  ev(2, "file", "h1", "alice", { file: { name: "x" } }),
  ev(3, "process", "h2", "bob", { process: { name: "a" } }),
  ev(4, "network", "h1", "alice"),
  ev(70, "file", "h2", "bob", { file: { name: "x" } }),
  ev(71, "network", "h2", "bob"),
];
const S_REPLACE = [
  ev(1, "process", "h1", "alice"),
  ev(5, "process", "h1", "alice"),
  ev(8, "file", "h1", "alice"),
];
const S_RUNS = [
  ev(1, "authentication", "h1", "alice", { event: { category: "authentication", outcome: "failure" } }),
  ev(2, "authentication", "h1", "alice", { event: { category: "authentication", outcome: "failure" } }),
  ev(3, "authentication", "h2", "alice", { event: { category: "authentication", outcome: "failure" } }),
  ev(4, "authentication", "h1", "alice", { event: { category: "authentication", outcome: "failure" } }),
  ev(5, "authentication", "h1", "alice", { event: { category: "authentication", outcome: "success" } }),
];
const S_UNTIL = [
  ev(1, "process", "h1", "alice", { event: { category: "process", type: "start" } }),
  ev(2, "process", "h1", "alice", { event: { category: "process", type: "end" } }),
  ev(3, "network", "h1", "alice"),
  ev(4, "process", "h2", "bob", { event: { category: "process", type: "start" } }),
  ev(5, "network", "h2", "bob"),
];
const S_MISSING = [
  ev(1, "process", "h1", "alice"),
  ev(2, "registry", "h1", "alice"),
  ev(3, "file", "h1", "alice"),
  ev(4, "process", "h2", "bob"),
  ev(5, "file", "h2", "bob"),
  ev(6, "registry", "h3", "bob"),
];
const S_TIE = [
  { "@timestamp": t(1), event: { category: "file", sequence: 2 }, host: { id: "h1" } },
  { "@timestamp": t(1), event: { category: "process", sequence: 1 }, host: { id: "h1" } },
];
const S_CASE = [ev(1, "process", "h1", "alice"), ev(2, "file", "H1", "alice"), ev(3, "file", "h1", "Alice")];
const S_NULLKEY = [
  { "@timestamp": t(1), event: { category: "process" } },
  { "@timestamp": t(2), event: { category: "file" } },
];

export const SEQUENCE_CASES: ConformanceCase[] = [
  C(
    "two steps",
    "sequence [process where true] [file where true]",
    [
      [0, 1],
      [2, 4],
    ],
    `${seq}; ${SEQUENCE_MATCHER}`,
    S1,
  ),
  C("steps in order only", "sequence [file where true] [process where true]", [[1, 2]], seq, S1),
  C(
    "by key",
    "sequence by host.id [process where true] [file where true]",
    [
      [0, 1],
      [2, 4],
    ],
    seq,
    S1,
  ),
  C(
    "by two keys",
    "sequence by host.id, user.name [process where true] [file where true]",
    [
      [0, 1],
      [2, 4],
    ],
    seq,
    S1,
  ),
  C(
    "per-step by",
    "sequence [process where true] by host.id [file where true] by host.id",
    [
      [0, 1],
      [2, 4],
    ],
    seq,
    S1,
  ),
  C(
    "sequence by plus step by",
    "sequence by user.name [process where true] by host.id [file where true] by host.id",
    [
      [0, 1],
      [2, 4],
    ],
    seq,
    S1,
  ),
  C(
    "three steps by",
    "sequence by host.id [process where true] [file where true] [network where true]",
    [
      [0, 1, 3],
      [2, 4, 5],
    ],
    seq,
    S1,
  ),
  C(
    "maxspan includes sequences within it",
    "sequence by host.id with maxspan=10s [process where true] [file where true]",
    [[0, 1]],
    maxspan,
    S1,
  ),
  C(
    "maxspan drops the slow sequence",
    "sequence by host.id with maxspan=1m [process where true] [file where true]",
    [[0, 1]],
    maxspan,
    S1,
  ),
  C(
    "maxspan measured from the first event",
    "sequence by host.id with maxspan=3s [process where true] [file where true] [network where true]",
    [[0, 1, 3]],
    maxspan,
    S1,
  ),
  C(
    "maxspan from the first event, not the previous",
    "sequence by host.id with maxspan=2s [process where true] [file where true] [network where true]",
    [],
    maxspan,
    S1,
  ),
  C(
    "maxspan at the boundary",
    "sequence by host.id with maxspan=67s [process where true] [file where true]",
    [
      [0, 1],
      [2, 4],
    ],
    maxspan,
    S1,
  ),
  C(
    "maxspan just outside",
    "sequence by host.id with maxspan=66s [process where true] [file where true]",
    [[0, 1]],
    maxspan,
    S1,
  ),
  C(
    "maxspan in ms",
    "sequence by host.id with maxspan=1000ms [process where true] [file where true]",
    [[0, 1]],
    maxspan,
    S1,
  ),
  C(
    "maxspan in hours",
    "sequence by host.id with maxspan=1h [process where true] [file where true]",
    [
      [0, 1],
      [2, 4],
    ],
    maxspan,
    S1,
  ),
  C(
    "new start replaces the partial sequence",
    "sequence by host.id [process where true] [file where true]",
    [[1, 2]],
    SEQUENCE_MATCHER,
    S_REPLACE,
  ),
  C(
    "replacement and maxspan",
    "sequence by host.id with maxspan=4s [process where true] [file where true]",
    [[1, 2]],
    SEQUENCE_MATCHER,
    S_REPLACE,
  ),
  C(
    "no sequence when the start is too old",
    "sequence by host.id with maxspan=2s [process where true] [file where true]",
    [],
    maxspan,
    S_REPLACE,
  ),
  C(
    "runs",
    'sequence by host.id [authentication where event.outcome == "failure"] with runs=3',
    [[0, 1, 3]],
    runs,
    S_RUNS,
  ),
  C(
    "runs with a following step",
    'sequence by host.id [authentication where event.outcome == "failure"] with runs=2 [authentication where event.outcome == "success"]',
    [[1, 3, 4]],
    `${runs}; ${SEQUENCE_MATCHER}`,
    S_RUNS,
  ),
  C(
    "runs not reached",
    'sequence by host.id [authentication where event.outcome == "failure"] with runs=4',
    [],
    runs,
    S_RUNS,
  ),
  C(
    "runs equals repeated steps",
    'sequence by host.id [authentication where event.outcome == "failure"] [authentication where event.outcome == "failure"] [authentication where event.outcome == "failure"]',
    [[0, 1, 3]],
    runs,
    S_RUNS,
  ),
  C(
    "runs without key",
    'sequence [authentication where event.outcome == "failure"] with runs=2',
    [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
    `${runs}; ${SEQUENCE_MATCHER} (an event matching both stages advances one sequence and starts another)`,
    S_RUNS,
  ),
  C(
    "until ends the key's partial sequence",
    'sequence by host.id [process where event.type == "start"] [network where true] until [process where event.type == "end"]',
    [[3, 4]],
    until,
    S_UNTIL,
  ),
  C(
    "until of another key does not",
    'sequence by user.name [process where event.type == "start"] [network where true] until [process where event.type == "end" and host.id == "h9"]',
    [
      [0, 2],
      [3, 4],
    ],
    until,
    S_UNTIL,
  ),
  C(
    "without until both match",
    'sequence by host.id [process where event.type == "start"] [network where true]',
    [
      [0, 2],
      [3, 4],
    ],
    seq,
    S_UNTIL,
  ),
  C(
    "missing event between",
    "sequence by host.id [process where true] ![registry where true] [file where true]",
    [[3, 4]],
    missing,
    S_MISSING,
  ),
  C(
    "missing event of another key",
    'sequence by user.name [process where true] ![registry where host.id == "h3"] [file where true]',
    [
      [0, 2],
      [3, 4],
    ],
    missing,
    S_MISSING,
  ),
  C(
    "trailing missing event",
    "sequence by user.name with maxspan=10s [process where true] [file where true] ![registry where true]",
    [[0, 2]],
    missing,
    S_MISSING,
  ),
  C(
    "missing event that never occurs",
    "sequence by host.id [process where true] ![network where true] [file where true]",
    [
      [0, 2],
      [3, 4],
    ],
    missing,
    S_MISSING,
  ),
  C(
    "tiebreaker orders equal timestamps",
    "sequence [process where true] [file where true]",
    [[1, 0]],
    `${REF}/eql-search-api.html (tiebreaker_field)`,
    S_TIE,
    { tiebreakerField: "event.sequence" },
  ),
  C(
    "without tiebreaker input order decides",
    "sequence [file where true] [process where true]",
    [[0, 1]],
    `${REF}/eql.html#eql-specify-a-sort-tiebreaker`,
    S_TIE,
  ),
  C(
    "join keys are case-sensitive",
    "sequence by host.id [process where true] [file where true]",
    [],
    `${seq} (join keys compare exact values)`,
    S_CASE.slice(0, 2),
  ),
  C(
    "join key user case variant",
    "sequence by user.name [process where true] [file where true]",
    [[0, 1]],
    seq,
    S_CASE,
  ),
  C(
    "null join keys do not join",
    "sequence by host.id [process where true] [file where true]",
    [],
    `${optional} (a null join key only joins through ?field)`,
    S_NULLKEY,
  ),
  C(
    "optional null join keys join",
    "sequence by ?host.id [process where true] [file where true]",
    [[0, 1]],
    optional,
    S_NULLKEY,
  ),
  C(
    "sequence with conditions",
    'sequence by host.id [process where process.name == "a"] [file where file.name : "X"]',
    [
      [0, 1],
      [2, 4],
    ],
    seq,
    S1,
  ),
  C(
    "sequence condition case-sensitive ==",
    'sequence by host.id [process where process.name == "A"] [file where true]',
    [],
    cmp,
    S1,
  ),
  C(
    "sequence head",
    "sequence by host.id [process where true] [file where true] | head 1",
    [[0, 1]],
    `${PIPES}#eql-pipe-head`,
    S1,
  ),
  C(
    "sequence tail",
    "sequence by host.id [process where true] [file where true] | tail 1",
    [[2, 4]],
    `${PIPES}#eql-pipe-tail`,
    S1,
  ),
  C(
    "an event ends one sequence and starts the next",
    "sequence [any where true] [any where true]",
    [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
    SEQUENCE_MATCHER,
    S_REPLACE.concat([ev(9, "file", "h1", "alice")]),
  ),
  C(
    "any where steps by key",
    "sequence by host.id [any where true] [any where true]",
    [
      [0, 1],
      [1, 3],
      [2, 4],
    ],
    SEQUENCE_MATCHER,
    S1.slice(0, 5),
  ),
  // --- samples
  C(
    "sample by key",
    "sample by host.id [process where true] [file where true]",
    [
      [0, 1],
      [2, 4],
    ],
    samples,
    S1,
  ),
  C(
    "sample in any order",
    "sample by host.id [file where true] [process where true]",
    [
      [1, 0],
      [4, 2],
    ],
    samples,
    S1,
  ),
  C(
    "sample needs every filter",
    "sample by host.id [process where true] [registry where true]",
    [],
    samples,
    S1,
  ),
  C(
    "sample three filters",
    "sample by host.id [network where true] [file where true] [process where true]",
    [
      [3, 1, 0],
      [5, 4, 2],
    ],
    samples,
    S1,
  ),
];
