/**
 * The typed mapping, the generators and the known differences of the differential proof (differential.test.ts).
 * Value pools are small and shared between documents and queries so that queries match often, and they hold
 * the edge cases: values over ignore_above, case and Unicode under the lowercase normalizer, numeric strings
 * and fractions coerced into a long, IPv4-mapped IPv6, dates around the bounds of date math and its rounding.
 */
import { parse, visit } from "@dac/kql";
import fc from "fast-check";

/**
 * Every field type the proof covers. `dynamic: false`: a document's unmapped keys (`extra`) are kept in
 * `_source` but not indexed. The normalizer is Elasticsearch's built-in `lowercase`, which the node from Maven
 * Central has (so has a custom normalizer with the `lowercase` filter; the analysis-common filters such as
 * `asciifolding` it lacks).
 */
export const differentialMapping = {
  mappings: {
    dynamic: false,
    properties: {
      txt: { type: "text" },
      kw: { type: "keyword", ignore_above: 10 },
      kwl: { type: "keyword", normalizer: "lowercase" },
      kwn: { type: "keyword", ignore_above: 8, normalizer: "lowercase" },
      kwm: { type: "keyword", fields: { text: { type: "text" } } },
      num: { type: "long" },
      dbl: { type: "double" },
      addr: { type: "ip" },
      ts: { type: "date" },
      flag: { type: "boolean" },
      obj: { properties: { a: { type: "keyword" }, b: { type: "long" } } },
      nest: { type: "nested", properties: { name: { type: "keyword" }, n: { type: "long" } } },
      flat: { type: "flattened" },
    },
  },
} as const;

const pools = {
  txt: [
    "quick brown fox",
    "The Quick Fox",
    "lazy dog",
    "fox-trot",
    "brown",
    "dog.fox",
    "Ærø straße",
    "42 foxes",
    "user@example.com",
    "C:\\Windows\\System32",
    "don't stop",
    "x_y 3.14",
  ],
  kw: ["alpha", "Alpha", "beta", "alpha beta", "alphabetically", "a*b", "42", "Ærø", "😀😀😀😀😀😀"],
  kwl: ["Alpha", "ALPHA", "beta", "Gamma Ray", "ÆRØ", "İstanbul"],
  kwn: ["Alpha", "ALPHABETIC", "İstanbul", "beta", "BETA"],
  kwm: ["hello world", "Hello", "world"],
  // Numeric strings and a fraction in a long: Elasticsearch coerces them ("4.5" indexes 4).
  num: [-5, 0, 1, 10, 42, 1000, "42", 4.5, "7"],
  // "-0.0" as a string: JSON.stringify writes the number -0 as 0, the node would never see it.
  dbl: [-1.5, 0, 0.1, 2.5, 10, "2.5", "-0.0"],
  addr: ["10.0.0.1", "10.0.0.255", "10.0.1.7", "192.168.1.10", "::1", "2001:db8::1", "::ffff:10.0.0.1"],
  flag: [true, false, "true", "false"],
  objA: ["x", "y", "Alpha"],
  objB: [1, 2, 42],
  nestName: ["alpha", "beta", "gamma"],
  nestN: [1, 3, 5, 8],
  flat: ["x", "y", "Alpha", "42"],
};

/**
 * Pieces of text for strings built at random: words, numbers, versions, apostrophes, e-mail and path parts,
 * punctuation, scripts without spaces, an emoji, letters whose case mapping is special. The standard analyzer's
 * word breaks (UAX#29) and lowercasing decide most text verdicts; these strings probe them.
 */
const atoms = [
  "fox",
  "Fox",
  "dog",
  "x1",
  "3.5",
  "v2.0",
  "a.b",
  "foo_bar",
  "don't",
  "l'été",
  "über",
  "STRASSE",
  "日本語",
  "😀",
  "user@host",
  "C:",
  "\\",
  "/",
  "-",
  "_",
  ".",
  ",",
  "'",
  ":",
  "#",
  " ",
  "İ",
  "ǅ",
  "42",
];
const randomText = (maxLength: number) =>
  fc.array(fc.constantFrom(...atoms), { minLength: 1, maxLength }).map((parts) => parts.join(""));

const HOUR = 3_600_000;
/**
 * Dates: fixed ones (ISO, date only, epoch millis as number and string, an offset), and ones relative to the
 * clock for date math: in the past and in the future, and around now-7d, so that the rounding of `/d` decides.
 * None is within minutes of a bound the queries use, so the milliseconds between the two verdicts do not count.
 */
const dateValues = (): fc.Arbitrary<string | number> =>
  fc.oneof(
    fc.constantFrom("2024-01-01T00:00:00Z", "2024-01-01T12:30:00Z", "2024-06-15", "2023-12-31T23:59:59.999Z"),
    fc.constantFrom(1704067200000, "1704103200000", "2024-01-01T10:00:00+02:00", "2024-01-02"),
    fc
      .constantFrom(0.5, 5, 30, 100, 166, 170, 400, -3, -30)
      .map((hoursAgo) => new Date(Date.now() - hoursAgo * HOUR).toISOString()),
  );

/** A field's presence: missing, null, an empty array, one value, or an array (with a null now and then). */
function presence<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | null | (T | null)[] | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant<(T | null)[]>([]) },
    { weight: 5, arbitrary: value },
    {
      weight: 2,
      arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: value }, fc.constant(null)), {
        minLength: 1,
        maxLength: 3,
      }),
    },
  );
}

const withoutMissing = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const objectValue = fc
  .record({ a: presence(fc.constantFrom(...pools.objA)), b: presence(fc.constantFrom(...pools.objB)) })
  .map(withoutMissing);
const nestedObject = fc.record(
  { name: fc.constantFrom(...pools.nestName), n: fc.constantFrom(...pools.nestN) },
  { requiredKeys: [] },
);
const flattenedObject = fc.record(
  { a: fc.constantFrom(...pools.flat), b: fc.record({ c: fc.constantFrom(...pools.flat) }) },
  { requiredKeys: [] },
);

/** One document. `obj` comes as an object, an array of objects (flattened by Lucene), or as dotted keys. */
const documentArbitrary: fc.Arbitrary<object> = fc
  .record({
    txt: presence(fc.oneof(fc.constantFrom(...pools.txt), randomText(6))),
    kw: presence(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pools.kw) }, randomText(4))),
    kwl: presence(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pools.kwl) }, randomText(3))),
    kwn: presence(fc.constantFrom(...pools.kwn)),
    kwm: presence(fc.constantFrom(...pools.kwm)),
    num: presence(fc.constantFrom(...pools.num)),
    dbl: presence(fc.constantFrom(...pools.dbl)),
    addr: presence(fc.constantFrom(...pools.addr)),
    ts: presence(dateValues()),
    flag: presence(fc.constantFrom(...pools.flag)),
    obj: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: objectValue },
      { weight: 1, arbitrary: fc.array(objectValue, { maxLength: 3 }) },
      { weight: 1, arbitrary: objectValue.map((o) => ({ dotted: true as const, o })) },
    ),
    nest: fc.oneof(fc.constant(undefined), nestedObject, fc.array(nestedObject, { maxLength: 3 })),
    flat: fc.oneof(fc.constant(undefined), flattenedObject),
    extra: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.constantFrom("x", "alpha")),
  })
  .map(({ obj, ...rest }) => {
    const doc: Record<string, unknown> = withoutMissing(rest);
    if (obj && "dotted" in obj) {
      for (const [k, v] of Object.entries(obj.o)) doc[`obj.${k}`] = v;
    } else if (obj !== undefined) doc["obj"] = obj;
    return doc;
  });

export const documentsArbitrary = fc.array(documentArbitrary, { minLength: 1, maxLength: 20, size: "max" });

/** A KQL value: quoted when it has spaces or KQL's special characters. */
function literal(value: string | number | boolean): string {
  const text = String(value);
  return /[\s\\():<>"*{}]/.test(text) || text === "" ? JSON.stringify(text) : text;
}

/** A KQL value unquoted, with KQL's special characters escaped (whitespace may stay: the literal is trimmed). */
function escaped(value: string): string {
  return value.replace(/[\\():<>"*{}]/g, (c) => `\\${c}`);
}

const comparison = fc.constantFrom(">", ">=", "<", "<=");
const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/** Leaf queries, per field type. */
const leaf: fc.Arbitrary<string> = fc.oneof(
  // text: match, match_phrase, query_string wildcards, unquoted several words, ranges on tokens
  pick(...pools.txt, "quick", "FOX", "dog", "example.com", "windows", "system32", "don't", "3.14", "x_y").map(
    (v) => `txt: ${literal(v)}`,
  ),
  pick("qu*", "*ox", '"quick fox"', '"brown fox"', "quick fox", "lazy cat", "ærø", "STRASSE", "strasse").map(
    (v) => `txt: ${v}`,
  ),
  fc.tuple(comparison, pick("fox", "m")).map(([op, v]) => `txt ${op} ${v}`),
  // random text: as a phrase (quoted), as a match (escaped, unquoted), and as a wildcard
  randomText(3).map((v) => `txt: ${JSON.stringify(v)}`),
  randomText(3).map((v) => `txt: ${escaped(v)}`),
  randomText(2).map((v) => `kw: ${JSON.stringify(v)}`),
  fc.tuple(randomText(2), pick("*", "")).map(([v, star]) => `kw: ${escaped(v)}${star}`),
  // keyword with ignore_above: exact terms, escapes, wildcards, ranges
  pick(...pools.kw).map((v) => `kw: ${literal(v)}`),
  pick("alp*", "*ta", "Al*", "alpha*", "a\\*b", "alpha beta", "42", "Alpha", "ærø").map((v) => `kw: ${v}`),
  pick("(alpha or beta)", "(alpha and Alpha)", "(42 or 43)").map((v) => `kw: ${v}`),
  fc.tuple(comparison, pick("alpha", "b", "Alpha")).map(([op, v]) => `kw ${op} ${v}`),
  // keywords with the lowercase normalizer (one with ignore_above on the original value too)
  fc
    .tuple(pick("kwl", "kwn"), pick(...pools.kwl, ...pools.kwn, "alpha", "GAMMA RAY", "istanbul", "İSTANBUL"))
    .map(([f, v]) => `${f}: ${literal(v)}`),
  fc.tuple(pick("kwl", "kwn"), pick("alp*", "AL*", "gam*", "İst*", "*ETA")).map(([f, v]) => `${f}: ${v}`),
  fc
    .tuple(pick("kwl", "kwn"), comparison, pick("alpha", "b", "ALPHA"))
    .map(([f, op, v]) => `${f} ${op} ${v}`),
  randomText(2).map((v) => `kwl: ${JSON.stringify(v)}`),
  fc.tuple(randomText(2), pick("*", "")).map(([v, star]) => `kwl: ${escaped(v)}${star}`),
  // keyword with a text multi-field
  pick(...pools.kwm).map((v) => `kwm: ${literal(v)}`),
  pick("hello", "World", '"hello world"', "hel*", "hello world").map((v) => `kwm.text: ${v}`),
  // long and double: terms, numeric strings, fractions, ranges
  pick(...pools.num, 7, "4.5", "4", '"42"').map((v) => `num: ${v}`),
  fc.tuple(comparison, pick(...pools.num, 7)).map(([op, v]) => `num ${op} ${v}`),
  pick(...pools.dbl, 2, "1e1", "2.50", "-0").map((v) => `dbl: ${v}`),
  fc.tuple(comparison, pick(...pools.dbl, 1, "-0")).map(([op, v]) => `dbl ${op} ${v}`),
  pick("(1 or 42)", "(0 or 10)").map((v) => `num: ${v}`),
  // ip: addresses, CIDR, IPv4-mapped IPv6, ranges
  pick(...pools.addr, "10.0.0.1/32", "::ffff:10.0.0.1").map((v) => `addr: ${literal(v)}`),
  pick("10.0.0.0/24", "10.0.0.0/16", "192.168.0.0/16", "::/0", "2001:db8::/32", "::ffff:10.0.0.0/104").map(
    (v) => `addr: ${JSON.stringify(v)}`,
  ),
  fc.tuple(comparison, pick("10.0.0.100", "10.0.1.0", '"::1"')).map(([op, v]) => `addr ${op} ${v}`),
  // date: absolute dates (partial ones too), epoch millis, date math with and without rounding
  pick("2024-01-01", "2024-06-15", '"2024-01-01T12:30:00Z"', "2024-01", '"2024-01-01T08:00:00Z"').map(
    (v) => `ts: ${v}`,
  ),
  pick("1704067200000", '"2024-01-01T10:00:00+02:00"').map((v) => `ts: ${v}`),
  fc
    .tuple(
      comparison,
      pick(
        "2024-01-01",
        '"2024-01-01T06:00:00Z"',
        "2024",
        "1704067200000",
        '"2024-01-01||+1d"',
        '"2024-01-01T12:00:00Z||/d"',
        "now-1d",
        "now-2h",
        "now-7d/d",
        "now/d",
        "now+1h",
        '"now-1M/M"',
      ),
    )
    .map(([op, v]) => `ts ${op} ${v}`),
  // boolean
  pick("true", "false", '"true"').map((v) => `flag: ${v}`),
  // object (arrays of objects are flattened: a and b may come from different elements)
  pick("x", "y", "Alpha", "x*").map((v) => `obj.a: ${v}`),
  pick("1", "42", "(1 or 2)").map((v) => `obj.b: ${v}`),
  pick("obj.a: x and obj.b: 1", "obj.a: y and not obj.b: 2").map((q) => q),
  fc.tuple(comparison, pick(1, 2)).map(([op, v]) => `obj.b ${op} ${v}`),
  // nested: conditions on one element, negation inside and outside
  pick(...pools.nestName).map((v) => `nest:{ name: ${v} }`),
  fc
    .tuple(pick(...pools.nestName), comparison, pick(...pools.nestN))
    .map(([name, op, n]) => `nest:{ name: ${name} and n ${op} ${n} }`),
  pick(...pools.nestName).map((v) => `nest:{ not name: ${v} }`),
  pick("nest:{ name: alpha or n > 3 }", "nest:{ name: * }", "nest:{ n: (1 or 8) }").map((q) => q),
  // flattened: root and keys, wildcards, ranges (keyword semantics on the leaves)
  pick(...pools.flat).map((v) => `flat.a: ${v}`),
  pick(...pools.flat).map((v) => `flat.b.c: ${v}`),
  pick(...pools.flat).map((v) => `flat: ${v}`),
  pick("flat.a", "flat.b.c", "flat").map((f) => `${f}: A*`),
  fc.tuple(comparison, pick("x", "B")).map(([op, v]) => `flat.a ${op} ${v}`),
  // exists, on every kind of field (objects and nested roots too)
  pick(
    "txt",
    "kw",
    "kwl",
    "kwn",
    "kwm",
    "kwm.text",
    "num",
    "dbl",
    "addr",
    "ts",
    "flag",
    "obj",
    "obj.a",
    "flat",
    "flat.a",
    "flat.b",
    "nest",
    "extra",
  ).map((f) => `${f}: *`),
  // fields the mapping does not index: an unmapped key of the documents, a name no document has
  pick("extra: x", "nope: x", "extra: *").map((q) => q),
  // free text (no field): every field, leniently
  pick("fox", "alpha", '"quick brown"', "42", "10.0.0.1", "true", "Alpha", "2024-01-01", "x", "alp*", "x*"),
);

/** Boolean combinations of leaves, two levels deep. */
const query: fc.Arbitrary<string> = fc.letrec<{ q: string }>((tie) => ({
  q: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: tie("q").map((q) => `not (${q})`) },
    {
      weight: 1,
      arbitrary: fc
        .array(tie("q"), { minLength: 2, maxLength: 3 })
        .map((qs) => qs.map((q) => `(${q})`).join(" and ")),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(tie("q"), { minLength: 2, maxLength: 3 })
        .map((qs) => qs.map((q) => `(${q})`).join(" or ")),
    },
  ),
})).q;

export const queriesArbitrary = fc.array(query, { minLength: 1, maxLength: 30, size: "max" });

/** A verdict: the ids of the documents a query returns, or why it was refused. */
export type Verdict = { matched: string[] } | { refused: string };

/** What a known difference may ask the node to tell whether it applies. */
export interface NodeProbe {
  /** Whether the node refuses this KQL query on its own (`_validate/query`, on the same index). */
  refuses: (query: string) => Promise<boolean>;
  /** Whether the evaluator refuses it on its own. */
  refusedInMemory: (query: string) => boolean;
}

/**
 * Disagreements that are true differences, each with its reason. A disagreement is excused only when one of
 * these recognises it, with the node's own word; everything else fails the test.
 */
export interface KnownDifference {
  name: string;
  why: string;
  applies: (query: string, memory: Verdict, node: Verdict, probe: NodeProbe) => Promise<boolean>;
}

/** The field:value and range leaves of a query outside nested groups, as KQL text. */
function leaves(query: string): string[] {
  const out: string[] = [];
  visit(parse(query), (node, context) => {
    if (node.type === "nested") return false;
    if ((node.type === "is" || node.type === "range") && !context.nestedPath)
      out.push(query.slice(node.span.start, node.span.end));
  });
  return out;
}

export const knownDifferences: KnownDifference[] = [
  {
    name: "error skipped by a match_none rewrite",
    why:
      "Before it builds a query, a shard rewrites it: an exists, term, range, prefix or wildcard query on a field " +
      "the index does not map, and a date range outside every value the shard holds, become match_none, and a " +
      "bool with a match_none filter becomes match_none as a whole (BoolQueryBuilder.doRewrite). The invalid " +
      "value of another clause of that bool (a CIDR block after an IPv4-mapped address, say) is then never " +
      "parsed, and the node answers instead of refusing the query. The evaluator judges one document, not a " +
      "shard, and always refuses the invalid value; on an index that maps the field or holds such dates, the " +
      "node refuses the query too.",
    // Applies when the node answered the whole query but refuses one of its leaves on its own, as the
    // evaluator does.
    applies: async (query, memory, node, probe) => {
      if (!("refused" in memory) || !("matched" in node)) return false;
      for (const leaf of leaves(query)) {
        if (probe.refusedInMemory(leaf) && (await probe.refuses(leaf))) return true;
      }
      return false;
    },
  },
];
