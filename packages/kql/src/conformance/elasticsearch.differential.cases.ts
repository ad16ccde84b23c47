/**
 * The typed mapping and the generators of the differential proof (elasticsearch.differential.test.ts).
 * Value pools are small and shared between documents and queries so that queries match often.
 */
import fc from "fast-check";

/** Every field type the proof covers. `dynamic: false`: documents only carry mapped fields anyway. */
export const differentialMapping = {
  mappings: {
    dynamic: false,
    properties: {
      txt: { type: "text" },
      kw: { type: "keyword", ignore_above: 10 },
      kwl: { type: "keyword", normalizer: "lowercase" },
      kwm: { type: "keyword", fields: { text: { type: "text" } } },
      num: { type: "long" },
      dbl: { type: "double" },
      addr: { type: "ip" },
      ts: { type: "date" },
      flag: { type: "boolean" },
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
  ],
  kw: ["alpha", "Alpha", "beta", "alpha beta", "alphabetically", "a*b", "42", "Ærø"],
  kwl: ["Alpha", "ALPHA", "beta", "Gamma Ray", "ÆRØ"],
  kwm: ["hello world", "Hello", "world"],
  // Numeric strings and a fraction in a long: Elasticsearch coerces them ("4.5" indexes 4).
  num: [-5, 0, 1, 10, 42, 1000, "42", 4.5, "7"],
  dbl: [-1.5, 0, 0.1, 2.5, 10, "2.5"],
  addr: ["10.0.0.1", "10.0.0.255", "10.0.1.7", "192.168.1.10", "::1", "2001:db8::1", "::ffff:10.0.0.1"],
  flag: [true, false, "true", "false"],
  nestName: ["alpha", "beta", "gamma"],
  nestN: [1, 3, 5, 8],
  flat: ["x", "y", "Alpha", "42"],
};

const HOUR = 3_600_000;
/** Dates: fixed ones, and ones relative to the clock for date math (hours away from every query's bound). */
const dateValues = (): fc.Arbitrary<string | number> =>
  fc.oneof(
    fc.constantFrom("2024-01-01T00:00:00Z", "2024-01-01T12:30:00Z", "2024-06-15", "2023-12-31T23:59:59.999Z"),
    fc.constantFrom(1704067200000, "1704103200000", "2024-01-01T10:00:00+02:00"),
    fc
      .constantFrom(0.5, 5, 30, 100, 400)
      .map((hoursAgo) => new Date(Date.now() - hoursAgo * HOUR).toISOString()),
  );

/** A field's presence: missing, null, an empty array, one value, or an array (with a null now and then). */
function presence<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | null | (T | null)[] | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant([]) },
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

const nestedObject = fc.record(
  { name: fc.constantFrom(...pools.nestName), n: fc.constantFrom(...pools.nestN) },
  { requiredKeys: [] },
);
const flattenedObject = fc.record(
  { a: fc.constantFrom(...pools.flat), b: fc.record({ c: fc.constantFrom(...pools.flat) }) },
  { requiredKeys: [] },
);

const documentArbitrary: fc.Arbitrary<object> = fc
  .record({
    txt: presence(fc.constantFrom(...pools.txt)),
    kw: presence(fc.constantFrom(...pools.kw)),
    kwl: presence(fc.constantFrom(...pools.kwl)),
    kwm: presence(fc.constantFrom(...pools.kwm)),
    num: presence(fc.constantFrom(...pools.num)),
    dbl: presence(fc.constantFrom(...pools.dbl)),
    addr: presence(fc.constantFrom(...pools.addr)),
    ts: presence(dateValues()),
    flag: presence(fc.constantFrom(...pools.flag)),
    nest: fc.oneof(fc.constant(undefined), nestedObject, fc.array(nestedObject, { maxLength: 3 })),
    flat: fc.oneof(fc.constant(undefined), flattenedObject),
  })
  // Missing fields are absent keys, not `undefined` values.
  .map((doc) => Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)));

export const documentsArbitrary = fc.array(documentArbitrary, { minLength: 1, maxLength: 20, size: "max" });

/** A KQL value: quoted when it has spaces or KQL's special characters. */
function literal(value: string | number | boolean): string {
  const text = String(value);
  return /[\s\\():<>"*{}]/.test(text) || text === "" ? JSON.stringify(text) : text;
}

const comparison = fc.constantFrom(">", ">=", "<", "<=");

/** Leaf queries, per field type. */
const leaf: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...pools.txt, "quick", "FOX", "dog").map((v) => `txt: ${literal(v)}`),
  fc.constantFrom("qu*", "*ox", '"quick fox"', '"brown fox"').map((v) => `txt: ${v}`),
  fc.constantFrom(...pools.kw).map((v) => `kw: ${literal(v)}`),
  fc.constantFrom("alp*", "*ta", "Al*", "alpha*").map((v) => `kw: ${v}`),
  fc.constantFrom(...pools.kwl, "alpha", "GAMMA RAY").map((v) => `kwl: ${literal(v)}`),
  fc.constantFrom("alp*", "AL*", "gam*").map((v) => `kwl: ${v}`),
  fc.constantFrom(...pools.kwm).map((v) => `kwm: ${literal(v)}`),
  fc
    .constantFrom("hello", "World", "hello world", "hel*")
    .map((v) => `kwm.text: ${v.includes(" ") ? JSON.stringify(v) : v}`),
  fc.constantFrom(...pools.num, 7).map((v) => `num: ${v}`),
  fc.tuple(comparison, fc.constantFrom(...pools.num, 7)).map(([op, v]) => `num ${op} ${v}`),
  fc.constantFrom(...pools.dbl, 2).map((v) => `dbl: ${v}`),
  fc.tuple(comparison, fc.constantFrom(...pools.dbl, 1)).map(([op, v]) => `dbl ${op} ${v}`),
  fc.constantFrom(...pools.addr).map((v) => `addr: ${literal(v)}`),
  fc
    .constantFrom("10.0.0.0/24", "10.0.0.0/16", "192.168.0.0/16", "::/0", "2001:db8::/32")
    .map((v) => `addr: ${JSON.stringify(v)}`),
  fc.tuple(comparison, fc.constantFrom("10.0.0.100", "10.0.1.0")).map(([op, v]) => `addr ${op} ${v}`),
  fc.constantFrom("2024-01-01", "2024-06-15", '"2024-01-01T12:30:00Z"').map((v) => `ts: ${v}`),
  fc
    .tuple(
      comparison,
      fc.constantFrom("2024-01-01", '"2024-01-01T06:00:00Z"', "now-1d", "now-2h", "now-7d/d", "now/d"),
    )
    .map(([op, v]) => `ts ${op} ${v}`),
  fc.constantFrom("true", "false").map((v) => `flag: ${v}`),
  fc.constantFrom(...pools.nestName).map((v) => `nest:{ name: ${v} }`),
  fc
    .tuple(fc.constantFrom(...pools.nestName), comparison, fc.constantFrom(...pools.nestN))
    .map(([name, op, n]) => `nest:{ name: ${name} and n ${op} ${n} }`),
  fc.constantFrom(...pools.flat).map((v) => `flat.a: ${v}`),
  fc.constantFrom(...pools.flat).map((v) => `flat.b.c: ${v}`),
  fc.constantFrom(...pools.flat).map((v) => `flat: ${v}`),
  fc.constantFrom("42", '"42"', "4.5", "4").map((v) => `num: ${v}`),
  fc.constantFrom("42", "Alpha", "ærø").map((v) => `kw: ${v}`),
  fc.tuple(comparison, fc.constantFrom("alpha", "b", "Alpha")).map(([op, v]) => `kw ${op} ${v}`),
  fc.tuple(comparison, fc.constantFrom("alpha", "b")).map(([op, v]) => `kwl ${op} ${v}`),
  fc.tuple(comparison, fc.constantFrom("fox", "m")).map(([op, v]) => `txt ${op} ${v}`),
  fc.constantFrom("2024-01-01T08:00:00Z", "1704067200000").map((v) => `ts: ${JSON.stringify(v)}`),
  fc.constantFrom('"::ffff:10.0.0.1"', '"10.0.0.1/32"').map((v) => `addr: ${v}`),
  fc.constantFrom("flat.a", "flat.b.c").map((f) => `${f}: A*`),
  fc
    .constantFrom("txt", "kw", "kwl", "kwm", "num", "dbl", "addr", "ts", "flag", "flat", "flat.a", "nest")
    .map((f) => `${f}: *`),
  fc.constantFrom("fox", "alpha", '"quick brown"', "42", "10.0.0.1", "true", "Alpha", "2024-01-01", "x"),
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
