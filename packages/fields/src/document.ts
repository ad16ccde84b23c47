/**
 * Field access on JSON documents as Elasticsearch sees them: `{"a.b": 1}`, `{"a": {"b": 1}}` and mixtures such as
 * `{"a.b": {"c": 1}}` are the same field; arrays at any level hold several values (or objects); `null` and `[]`
 * are no value. Keys may contain `/` and other characters; only `.` separates path segments.
 */

/** Called for each value of a field (after arrays are flattened, nulls skipped); return true to stop. */
export type Visitor = (value: unknown) => boolean;

/** Splits a field name into path segments. */
export function pathSegments(path: string): string[] {
  return path.split(".");
}

function keyRead(key: string): string {
  const literal = JSON.stringify(key);
  // A key that names an Object.prototype member ("constructor", "__proto__") must be an own property.
  return key in Object.prototype
    ? `(Object.hasOwn(o, ${literal}) ? o[${literal}] : undefined)`
    : `o[${literal}]`;
}

function walkerSource(segments: readonly string[]): string {
  const n = segments.length;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    let body =
      "if (typeof o !== 'object' || o === null) return false;\n" +
      `if (Array.isArray(o)) { for (let k = 0; k < o.length; k++) if (w${i}(o[k])) return true; return false; }\n` +
      "let v;\n";
    // Every way of spelling the rest of the path with dotted keys: o["b"]["c"], o["b.c"], ...
    for (let j = i + 1; j <= n; j++) {
      // Scalars, the common case, go straight to the visitor.
      const next = j === n ? "(typeof v === 'object' ? leaf(v) : visit(v))" : `w${j}(v)`;
      body += `v = ${keyRead(segments.slice(i, j).join("."))}; if (v !== undefined && ${next}) return true;\n`;
    }
    lines.push(`function w${i}(o) {\n${body}return false;\n}`);
  }
  lines.push(
    "function leaf(v) {\n" +
      "if (v === null) return false;\n" +
      "if (Array.isArray(v)) { for (let k = 0; k < v.length; k++) if (leaf(v[k])) return true; return false; }\n" +
      "return visit(v);\n}",
  );
  lines.push("return w0;");
  return lines.join("\n");
}

/**
 * Compiles a function that calls `visit` for each value of the field at `path` and returns true as soon as
 * `visit` does. The walker is generated code with the path's keys as literals, so each property read gets its
 * own inline cache; a generic loop over key arrays reads megamorphically and runs several times slower. Keys are
 * embedded with JSON.stringify, so any field name is safe.
 */
export function compileWalker(path: string, visit: Visitor): (doc: unknown) => boolean {
  let factory = walkerFactories.get(path);
  if (!factory) {
    // Generating and parsing the code is most of the cost: one factory per path serves every visitor.
    if (walkerFactories.size >= 10_000) walkerFactories.clear();
    factory = new Function("visit", walkerSource(pathSegments(path))) as WalkerFactory;
    walkerFactories.set(path, factory);
  }
  return factory(visit);
}

type WalkerFactory = (visit: Visitor) => (doc: unknown) => boolean;

const walkerFactories = new Map<string, WalkerFactory>();

function collect(o: unknown, segments: readonly string[], i: number, out: unknown[]): void {
  if (o === null || o === undefined) return;
  if (i === segments.length) {
    if (Array.isArray(o)) for (const v of o) collect(v, segments, i, out);
    else out.push(o);
    return;
  }
  if (typeof o !== "object") return;
  if (Array.isArray(o)) {
    for (const v of o) collect(v, segments, i, out);
    return;
  }
  let key = "";
  for (let j = i; j < segments.length; j++) {
    key = j === i ? segments[j]! : `${key}.${segments[j]}`;
    if (Object.hasOwn(o, key)) collect((o as Record<string, unknown>)[key], segments, j + 1, out);
  }
}

/** All values of the field at `path` (arrays flattened, nulls dropped). Objects are returned as they are. */
export function valuesAt(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, pathSegments(path), 0, out);
  return out;
}

function collectObjects(o: unknown, segments: readonly string[], i: number, out: object[]): void {
  if (o === null || typeof o !== "object") return;
  if (Array.isArray(o)) {
    for (const v of o) collectObjects(v, segments, i, out);
    return;
  }
  if (i === segments.length) {
    out.push(o);
    return;
  }
  const record = o as Record<string, unknown>;
  let key = "";
  for (let j = i; j < segments.length; j++) {
    key = j === i ? segments[j]! : `${key}.${segments[j]}`;
    if (Object.hasOwn(record, key)) collectObjects(record[key], segments, j + 1, out);
  }
  // Keys that spell the rest of the path and go further ({"a.b.c": 1} for the object at a.b) make an object too,
  // as Elasticsearch expands dotted field names.
  const tail = `${key}.`;
  let synthesised: Record<string, unknown> | undefined;
  for (const k of Object.keys(record)) {
    if (k.startsWith(tail)) (synthesised ??= {})[k.slice(tail.length)] = record[k];
  }
  if (synthesised) out.push(synthesised);
}

/**
 * The objects at `path`: object values (arrays flattened) plus one object made of the dotted keys that continue
 * the path at any level. Used for fields whose values are objects: flattened, nested, and exists on an object.
 */
export function objectsAt(doc: unknown, path: string): object[] {
  const out: object[] = [];
  collectObjects(doc, pathSegments(path), 0, out);
  return out;
}

/**
 * Calls `visit` with the full dotted path and value of every scalar of the document; array elements share their
 * array's path. Returns true as soon as `visit` does.
 */
export function forEachLeaf(doc: unknown, visit: (path: string, value: unknown) => boolean): boolean {
  const walk = (o: unknown, path: string): boolean => {
    if (o === null || o === undefined) return false;
    if (Array.isArray(o)) {
      for (const v of o) if (walk(v, path)) return true;
      return false;
    }
    if (typeof o === "object") {
      for (const key of Object.keys(o)) {
        if (walk((o as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`)) return true;
      }
      return false;
    }
    return visit(path, o);
  };
  return walk(doc, "");
}
