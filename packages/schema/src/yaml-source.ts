import { isAlias, isMap, isScalar, LineCounter, parseAllDocuments, visit } from "yaml";
import type { Alias, Document, Node } from "yaml";
import { codeInfo } from "./codes.js";
import type { Diagnostic } from "./diagnostic.js";

/** A parsed YAML file that keeps its text and node ranges, so any value can be traced back to line and column. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export interface YamlLimits {
  /** Larger files are refused before parsing. */
  maxFileBytes: number;
  /** Bounds alias expansion (billion-laughs). */
  maxAliasCount: number;
}

export const defaultYamlLimits: YamlLimits = { maxFileBytes: 1024 * 1024, maxAliasCount: 100 };

export interface LoadedYaml {
  source?: YamlSource;
  /** The document as plain JSON-like data; absent when the file has errors that make it unusable. */
  value?: unknown;
  diagnostics: Diagnostic[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A diagnostic at a 1-based line/column span, for places that have no YAML node. */
export function diagnosticAtPosition(
  file: string,
  code: string,
  message: string,
  start: { line: number; column: number } = { line: 1, column: 1 },
  end: { line: number; column: number } = start,
  hint?: string,
): Diagnostic {
  const info = codeInfo(code);
  const diagnostic: Diagnostic = {
    file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    severity: info.severity,
    code,
    name: info.name,
    message,
  };
  if (hint) diagnostic.hint = hint;
  return diagnostic;
}

function position(lineCounter: LineCounter, offset: number) {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function parseYamlText(text: string) {
  const lineCounter = new LineCounter();
  const docs = withPlainEnv(() =>
    parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false }),
  );
  return { docs, lineCounter };
}

/**
 * Runs `parse` with a fast `process.env`. yaml's parser reads `process.env.LOG_TOKENS` once per token (and its
 * composer `LOG_STREAM` once per document), and Node's `process.env` is a native object whose every read asks the
 * C library: on rule files that was about a quarter of the parse. During the parse those two are plain own
 * properties, read once; any other variable is read through to the real environment. Nothing runs during the
 * parse that could set one, and the real object is back before `parse` returns.
 */
function withPlainEnv<T>(parse: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(process, "env");
  if (!descriptor?.configurable) return parse();
  const real = process.env;
  const env = Object.create(readThrough(real)) as NodeJS.ProcessEnv;
  for (const name of yamlReadsPerToken) env[name] = real[name];
  Object.defineProperty(process, "env", { ...descriptor, value: env });
  try {
    return parse();
  } finally {
    Object.defineProperty(process, "env", descriptor);
  }
}

const yamlReadsPerToken = ["LOG_TOKENS", "LOG_STREAM"] as const;

let readThroughOf: { env: NodeJS.ProcessEnv; proxy: object } | undefined;

/** A prototype whose every property is the environment's. */
function readThrough(env: NodeJS.ProcessEnv): object {
  if (readThroughOf?.env !== env)
    readThroughOf = {
      env,
      proxy: new Proxy({}, { get: (_, name) => (typeof name === "string" ? env[name] : undefined) }),
    };
  return readThroughOf.proxy;
}

/**
 * A source for text that `loadYaml` has already read without errors (in another thread, whose tree cannot be
 * sent across): the tree is parsed again, the same way, only when something asks for a position.
 */
export function lazyYamlSource(file: string, text: string): YamlSource {
  let parsed: { doc: Document.Parsed; lineCounter: LineCounter } | undefined;
  const parse = () => {
    if (!parsed) {
      const { docs, lineCounter } = parseYamlText(text);
      parsed = { doc: (docs as Document.Parsed[])[0]!, lineCounter };
    }
    return parsed;
  };
  return {
    file,
    text,
    get doc() {
      return parse().doc;
    },
    get lineCounter() {
      return parse().lineCounter;
    },
  };
}

/**
 * Reads YAML defensively: every hazard (size, encoding, emptiness, several documents, duplicate keys, alias
 * bombs, a non-mapping top level) becomes a positioned diagnostic, never an exception.
 */
export function loadYaml(
  file: string,
  input: string | Uint8Array,
  limits: Partial<YamlLimits> = {},
): LoadedYaml {
  const { maxFileBytes, maxAliasCount } = { ...defaultYamlLimits, ...limits };
  const byteLength = typeof input === "string" ? Buffer.byteLength(input) : input.byteLength;
  if (byteLength > maxFileBytes) {
    return {
      diagnostics: [
        diagnosticAtPosition(
          file,
          "DAC006",
          `file is ${byteLength} bytes, over the limit of ${maxFileBytes} bytes`,
          undefined,
          undefined,
          "split the file, or raise `limits.max_file_bytes` in dac.config.yaml",
        ),
      ],
    };
  }
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    try {
      text = utf8.decode(input);
    } catch {
      const lenient = new TextDecoder("utf-8").decode(input);
      const prefix = lenient.slice(0, Math.max(0, lenient.indexOf("\uFFFD")));
      const bad = Buffer.byteLength(prefix);
      const lines = prefix.split("\n");
      const at = { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
      return {
        diagnostics: [
          diagnosticAtPosition(
            file,
            "DAC005",
            `file is not valid UTF-8 (byte offset ${bad})`,
            at,
            at,
            "save the file as UTF-8",
          ),
        ],
      };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const { docs, lineCounter } = parseYamlText(text);
  const diagnostics: Diagnostic[] = [];
  if (
    !Array.isArray(docs) ||
    docs.length === 0 ||
    docs.every((d) => d.contents === null && d.errors.length === 0)
  ) {
    return { diagnostics: [diagnosticAtPosition(file, "DAC007", "file is empty: expected a YAML mapping")] };
  }
  if (docs.length > 1) {
    const second = docs[1]!;
    const start = position(lineCounter, second.range[0]);
    diagnostics.push(
      diagnosticAtPosition(
        file,
        "DAC003",
        `file holds ${docs.length} YAML documents; a rule file holds exactly one`,
        start,
        start,
        "move each document into its own file",
      ),
    );
  }
  const doc = docs[0]!;
  for (const error of doc.errors) {
    const [from, to] = error.pos;
    if (error.code === "DUPLICATE_KEY") {
      const key = keyAt(doc, text, from);
      diagnostics.push(
        diagnosticAtPosition(
          file,
          "DAC002",
          `duplicate key \`${key.text}\`: keys must be unique`,
          position(lineCounter, from),
          position(lineCounter, key.end),
        ),
      );
      continue;
    }
    diagnostics.push(
      diagnosticAtPosition(
        file,
        "DAC001",
        firstLine(error.message),
        position(lineCounter, from),
        position(lineCounter, to),
      ),
    );
  }
  // A plain `<<` key is YAML 1.1's merge key; YAML 1.2 (which dac and the yaml library read) makes it an
  // ordinary key named `<<`. Neither reading is safe to pick silently: refuse it where it is written. (A walk
  // of the tree per file is a cost on thousands of files: only when the text has `<<` at all.)
  if (text.includes("<<"))
    visit(doc, {
      Pair(_, pair) {
        const key = pair.key;
        if (!isScalar(key) || key.value !== "<<" || key.type !== "PLAIN" || !key.range) return;
        diagnostics.push(
          diagnosticAtPosition(
            file,
            "DAC012",
            "YAML merge keys (`<<`) are not supported: YAML 1.2 reads `<<` as an ordinary key, not as a merge",
            position(lineCounter, key.range[0]),
            position(lineCounter, key.range[1]),
            "write the merged keys out (an alias `*name` as a whole value still works)",
          ),
        );
      },
    });
  const source: YamlSource = { file, text, doc, lineCounter };
  if (diagnostics.length > 0) return { source, diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const isAlias = /alias/i.test(message);
    // Which alias failed is found only now, by converting again with every alias watched (the conversion is
    // deterministic, so it fails the same way); without any anchor, the first alias is the unresolved one.
    const alias = (isAlias ? aliasThatFails(doc, maxAliasCount) : undefined) ?? firstAlias(doc);
    const range = alias?.range ?? [doc.range[0], doc.range[0]];
    const start = position(lineCounter, range[0]);
    const end = position(lineCounter, range[1]);
    if (alias && /unresolved alias/i.test(message))
      return {
        source,
        diagnostics: [
          diagnosticAtPosition(
            file,
            "DAC001",
            `alias \`*${alias.source}\` has no anchor \`&${alias.source}\` before it`,
            start,
            end,
            `set \`&${alias.source}\` on an earlier value, or write the value out`,
          ),
        ],
      };
    const anchor = alias ? anchorOf(doc, alias) : undefined;
    const anchorAt = anchor?.range
      ? anchorPosition(text, lineCounter, anchor.range[0], alias!.source)
      : undefined;
    const what = alias
      ? `alias \`*${alias.source}\`${anchorAt ? ` (anchor \`&${alias.source}\` at ${anchorAt.line}:${anchorAt.column})` : ""} expands past ${maxAliasCount} nodes`
      : `alias expansion exceeds ${maxAliasCount} nodes`;
    return {
      source,
      diagnostics: [
        diagnosticAtPosition(
          file,
          isAlias ? "DAC004" : "DAC001",
          isAlias ? `${what}: ${message}` : message,
          start,
          end,
          isAlias ? "use fewer aliases, or raise `limits.max_alias_count` in dac.config.yaml" : undefined,
        ),
      ],
    };
  }
  if (!isMap(doc.contents)) {
    const at = position(lineCounter, doc.contents?.range?.[0] ?? 0);
    const what =
      value === null || value === undefined ? "empty" : Array.isArray(value) ? "a list" : `a ${typeof value}`;
    return {
      source,
      diagnostics: [
        diagnosticAtPosition(
          file,
          value === null || value === undefined ? "DAC007" : "DAC008",
          `top level is ${what}: expected a mapping of keys to values`,
          at,
        ),
      ],
    };
  }
  return { source, value, diagnostics };
}

/**
 * The key that starts at `offset`: the `yaml` library's duplicate-key error spans only its first character, so the
 * whole key (its value for a scalar, its source text otherwise) is looked up in the tree.
 */
function keyAt(doc: Document.Parsed, text: string, offset: number): { text: string; end: number } {
  let found: { text: string; end: number } | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as { range?: [number, number, number] } | null;
      if (found || !key?.range || key.range[0] !== offset) return;
      found = {
        text: isScalar(pair.key) ? String(pair.key.value) : text.slice(key.range[0], key.range[1]),
        end: key.range[1],
      };
      return visit.BREAK;
    },
  });
  return found ?? { text: text.slice(offset, offset + 1), end: offset + 1 };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** The document's first alias: without any anchor, the one yaml could not resolve. */
function firstAlias(doc: Document.Parsed): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * yaml's alias limit throws without saying which alias crossed it. Each alias of the document records itself
 * while it resolves, so the innermost one that threw is known; the nodes are put back as they were after.
 */
function aliasThatFails(doc: Document.Parsed, maxAliasCount: number): Alias | undefined {
  let failed: Alias | undefined;
  const watched: Alias[] = [];
  visit(doc, {
    Alias(_key, node) {
      const original = node.toJSON;
      watched.push(node);
      Object.defineProperty(node, "toJSON", {
        configurable: true,
        value: function (this: Alias, ...args: Parameters<Alias["toJSON"]>) {
          try {
            return original.apply(this, args);
          } catch (error) {
            failed ??= node;
            throw error;
          }
        },
      });
    },
  });
  try {
    doc.toJS({ maxAliasCount });
  } catch {
    // Expected: the same failure, now with the alias recorded.
  } finally {
    for (const node of watched) delete (node as { toJSON?: unknown }).toJSON;
  }
  return failed;
}

/** The anchored node an alias refers to: the last one with its name before it, as YAML resolves it. */
function anchorOf(doc: Document.Parsed, alias: Alias): Node | undefined {
  let found: Node | undefined;
  let done = false;
  visit(doc, (_key, node) => {
    if (done) return visit.BREAK;
    if (node === alias) {
      done = true;
      return visit.BREAK;
    }
    if (node && typeof node === "object" && "anchor" in node && (node as Node).anchor === alias.source)
      found = node as Node;
    return undefined;
  });
  return found && !isAlias(found) ? found : undefined;
}

/** The `&name` before a node's value (the node's range starts at the value, after its anchor). */
function anchorPosition(text: string, lineCounter: LineCounter, nodeStart: number, name: string) {
  const at = text.lastIndexOf(`&${name}`, nodeStart);
  return position(lineCounter, at >= 0 ? at : nodeStart);
}
