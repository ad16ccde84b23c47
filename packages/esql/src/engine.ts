/**
 * The ES|QL engine: one walk over the commands that resolves columns and types as Elasticsearch's analyzer does
 * (x-pack/plugin/esql/.../analysis/Analyzer.java, Verifier.java) and, given rows, evaluates each command. The
 * validator runs it without rows and keeps the findings; the evaluator runs it with rows and throws on the first
 * error. References to the source index (`FROM`) stay open until a command closes the table (`STATS`, `KEEP`):
 * a name is looked up in the field catalogue when first used.
 */
import { compile as compileKql, parse as parseKql } from "@dac/kql";
import { type FieldCatalog, forEachLeaf, resolveField, valuesAt } from "@dac/fields";
import type {
  AggregateField,
  Column,
  Command,
  EsqlQuery,
  Expression,
  FunctionCall,
  Literal,
  NamePattern,
  Span,
} from "./ast.js";
import { lineColumn } from "./errors.js";
import {
  FUNCTIONS,
  SOURCE_FUNCTIONS,
  UNSUPPORTED_FUNCTIONS,
  type AggregateFunction,
  type FnContext,
  type ScalarFunction,
  overflow,
  parseDateText,
  widestNumber,
} from "./functions.js";
import { compileDissect, compileGrok } from "./patterns.js";
import { luceneToRegExp } from "./regex.js";
import {
  type Cell,
  type EsqlType,
  type Scalar,
  cellOf,
  compareValues,
  esqlTypeOfField,
  isDate,
  isNumeric,
  isString,
  isWholeNumber,
  parseIp,
  sameValue,
  valuesOf,
} from "./values.js";

export interface EsqlFinding {
  code: string;
  severity: "error" | "warning";
  message: string;
  span: Span;
  hint?: string;
}

export interface ColumnInfo {
  name: string;
  type: EsqlType;
}

const DOC = Symbol("source document");
export type Row = Record<string, Cell> & { [DOC]?: object };

export interface Table {
  columns: ColumnInfo[];
  rows: Row[];
}

export interface EngineInput {
  catalog?: FieldCatalog;
  /** Source documents; absent when only validating. */
  rows?: Record<string, unknown>[];
  now?: Date;
  params?: Record<string, unknown>;
  lookups?: Record<string, Record<string, unknown>[]>;
  /** Called with the table after each command (for `traceEsql`). */
  trace?: (command: Command, table: Table) => void;
  /** Called for each source field the query reads (for `fieldsOf`). */
  onSourceField?: (name: string, span: Span) => void;
}

export interface EngineResult {
  table: Table;
  findings: EsqlFinding[];
  warnings: string[];
}

/** ES|QL's implicit `LIMIT 1000` on the result (esql-limitations.html, "Result set size limit"). */
export const DEFAULT_LIMIT = 1000;

type SourceResolver = (name: string, span: Span) => EsqlType | undefined;

interface Schema {
  columns: ColumnInfo[];
  /** Open lookup of index fields not yet among the columns. */
  source?: SourceResolver;
  /** After an ENRICH or LOOKUP JOIN whose columns dac cannot know (validation): any name is a column. */
  anything?: boolean;
}

interface Compiled {
  type: EsqlType;
  evaluate: (row: Row) => Cell;
  /** Set for a literal or a folded constant. */
  constant?: boolean;
}

class Stop extends Error {}

/** Runs the engine. Findings collect every problem; with rows, the first error stops the run. */
export function runEngine(q: EsqlQuery, text: string, input: EngineInput): EngineResult {
  return new Engine(q, text, input).run();
}

class Engine {
  private readonly findings: EsqlFinding[] = [];
  private readonly warnings: string[] = [];
  private readonly evaluating: boolean;
  private table: Table = { columns: [], rows: [] };
  private schema: Schema = { columns: [] };
  private readonly now: Date;

  constructor(
    private readonly q: EsqlQuery,
    private readonly text: string,
    private readonly input: EngineInput,
  ) {
    this.evaluating = input.rows !== undefined;
    this.now = input.now ?? new Date();
  }

  run(): EngineResult {
    try {
      this.source();
      this.input.trace?.(this.q.source, this.table);
      for (const c of this.q.commands) {
        this.command(c);
        this.input.trace?.(c, this.table);
      }
      if (
        this.evaluating &&
        !this.q.commands.some((c) => c.type === "limit" || c.type === "stats") &&
        this.table.rows.length > DEFAULT_LIMIT
      )
        this.table.rows = this.table.rows.slice(0, DEFAULT_LIMIT);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
    }
    return { table: this.table, findings: this.findings, warnings: this.warnings };
  }

  // ---------- findings ----------

  private error(code: string, span: Span, message: string, hint?: string): void {
    this.findings.push({ code, severity: "error", message, span, ...(hint ? { hint } : {}) });
    if (this.evaluating) throw new Stop();
  }

  private warning(code: string, span: Span, message: string, hint?: string): void {
    this.findings.push({ code, severity: "warning", message, span, ...(hint ? { hint } : {}) });
  }

  private where(span: Span): string {
    const { line, column } = lineColumn(this.text, span.start);
    return `Line ${line}:${column}`;
  }

  /** Elasticsearch's Warnings: a header per failing expression, then up to 20 failure messages. */
  private failer(span: Span): FnContext {
    let count = 0;
    const at = this.where(span);
    const source = this.text.slice(span.start, span.end);
    return {
      now: this.now,
      fail: (reason: string) => {
        if (count === 0)
          this.warnings.push(
            `${at}: evaluation of [${source}] failed, treating result as null. Only first 20 failures recorded.`,
          );
        if (count < 20) this.warnings.push(`${at}: ${reason}`);
        count++;
        return null;
      },
    };
  }

  // ---------- schema ----------

  private column(name: string): ColumnInfo | undefined {
    return this.schema.columns.find((c) => c.name === name);
  }

  private setColumn(col: ColumnInfo, values?: (row: Row, i: number) => Cell): void {
    const i = this.schema.columns.findIndex((c) => c.name === col.name);
    // A redefined column moves to the end (EVAL, GROK, DISSECT: "a column with the same name is replaced").
    if (i >= 0) this.schema.columns.splice(i, 1);
    this.schema.columns.push(col);
    if (values) this.table.rows.forEach((r, j) => (r[col.name] = values(r, j)));
  }

  private syncTable(): void {
    this.table = { columns: [...this.schema.columns], rows: this.table.rows };
  }

  /** Resolves a column reference; `undefined` (after an error finding) when it does not exist. */
  private resolve(c: { name: string; span: Span }): ColumnInfo | undefined {
    const found = this.column(c.name);
    if (found) return found;
    const fromSource = this.schema.source?.(c.name, c.span);
    if (fromSource !== undefined) {
      const col = { name: c.name, type: fromSource };
      // A field the index maps but the documents lack is a column of nulls.
      this.schema.columns.push(col);
      if (this.evaluating)
        for (const r of this.table.rows) r[c.name] = this.readSource(r, c.name, fromSource);
      this.syncTable();
      return col;
    }
    if (this.schema.anything) return { name: c.name, type: "unknown" };
    const close = this.schema.columns.map((x) => x.name).filter((n) => similar(n, c.name));
    this.error(
      "DAC440",
      c.span,
      `Unknown column [${c.name}]${close.length ? `, did you mean ${close.length === 1 ? `[${close[0]}]` : `any of [${close.join(", ")}]`}?` : ""}`,
      this.schema.source
        ? undefined
        : "the columns here are those the previous commands produced (KEEP, DROP, RENAME, STATS, EVAL)",
    );
    return undefined;
  }

  // ---------- source ----------

  private fieldType(name: string): EsqlType | undefined {
    const catalog = this.input.catalog;
    if (!catalog) return undefined;
    const r = resolveField(catalog, name);
    if (r.kind === "unmapped") return undefined;
    const t = esqlTypeOfField(r.info.type);
    return r.kind === "policy" ? undefined : t;
  }

  private readSource(row: Row, name: string, type: EsqlType): Cell {
    const doc = row[DOC];
    if (!doc) return null;
    return sourceCell(valuesAt(doc, name), type);
  }

  private source(): void {
    const s = this.q.source;
    if (s.type === "row") {
      this.table.rows = [{}];
      for (const f of s.fields) {
        const c = this.expression(f.value);
        const name = f.name?.name ?? this.text.slice(f.value.span.start, f.value.span.end);
        this.setColumn({ name, type: c.type }, (r) => c.evaluate(r));
      }
      this.syncTable();
      return;
    }
    const onSource = this.input.onSourceField;
    const catalog = this.input.catalog;
    if (!this.evaluating) {
      this.schema.source = (name, span) => {
        onSource?.(name, span);
        if (!catalog) return "unknown";
        const r = resolveField(catalog, name);
        if (r.kind === "mapped") return esqlTypeOfField(r.info.type);
        // Unknown fields are reported by @dac/schema (DAC402/DAC406) through fieldsOf, with its policy.
        return "unknown";
      };
    } else {
      const docs = this.input.rows ?? [];
      const types = new Map<string, EsqlType>();
      for (const doc of docs)
        forEachLeaf(doc, (path, value) => {
          if (path === "_id" || path === "_index" || path === "_version") return false;
          if (!types.has(path)) {
            const t =
              this.fieldType(path) ??
              (catalog && resolveField(catalog, path).kind === "unmapped"
                ? undefined
                : inferSourceType(value));
            if (t !== undefined && t !== "unsupported") types.set(path, t);
          }
          return false;
        });
      this.table.rows = docs.map((doc) => {
        const row: Row = {};
        Object.defineProperty(row, DOC, { value: doc, enumerable: false });
        return row;
      });
      const names = [...types.keys()].sort();
      for (const n of names)
        this.setColumn({ name: n, type: types.get(n)! }, (r) => this.readSource(r, n, types.get(n)!));
      this.schema.source = (name, span) => {
        onSource?.(name, span);
        return this.fieldType(name);
      };
    }
    for (const m of s.metadata) {
      const type: EsqlType | undefined = {
        _id: "keyword",
        _index: "keyword",
        _version: "long",
        _score: "double",
        _source: "keyword",
        _ignored: "keyword",
        _index_mode: "keyword",
      }[m.name] as EsqlType | undefined;
      if (!type) {
        this.error("DAC440", m.span, `unsupported metadata field [${m.name}]`);
        continue;
      }
      const index = s.indices[0]?.pattern ?? "";
      this.setColumn({ name: m.name, type }, (r, i) => {
        const d = r[DOC] as Record<string, unknown> | undefined;
        const v = d?.[m.name];
        if (v !== undefined && v !== null) return v as Scalar;
        if (m.name === "_source") return d ? JSON.stringify(d) : null;
        return m.name === "_id" ? String(i) : m.name === "_index" ? index : m.name === "_version" ? 1 : null;
      });
    }
    this.syncTable();
  }

  // ---------- commands ----------

  private command(c: Command): void {
    switch (c.type) {
      case "where": {
        const cond = this.expression(c.condition);
        this.expectBoolean(cond, c.condition, "WHERE");
        if (this.evaluating) this.table.rows = this.table.rows.filter((r) => cond.evaluate(r) === true);
        break;
      }
      case "eval":
        for (const f of c.fields) {
          const e = this.expression(f.value);
          const name = f.name?.name ?? this.sourceName(f.value);
          this.setColumn({ name, type: e.type }, (r) => e.evaluate(r));
        }
        break;
      case "stats":
        this.stats(c);
        break;
      case "keep":
        this.keep(c.patterns);
        break;
      case "drop":
        this.drop(c.patterns);
        break;
      case "rename":
        for (const r of c.renames) {
          const col = this.resolve({ name: r.from.pattern, span: r.from.span });
          if (!col) continue;
          const i = this.schema.columns.findIndex((x) => x.name === col.name);
          const existing = this.schema.columns.findIndex((x) => x.name === r.to.name);
          if (existing >= 0 && existing !== i) this.schema.columns.splice(existing, 1);
          const at = this.schema.columns.findIndex((x) => x.name === col.name);
          this.schema.columns[at] = { name: r.to.name, type: col.type };
          if (this.evaluating)
            for (const row of this.table.rows) {
              const v = row[col.name] ?? null;
              delete row[col.name];
              row[r.to.name] = v;
            }
          const prev = this.schema.source;
          if (prev) this.schema.source = (n, s) => (n === col.name ? undefined : prev(n, s));
        }
        break;
      case "sort":
        this.sort(c.keys);
        break;
      case "limit":
        if (this.evaluating) this.table.rows = this.table.rows.slice(0, c.count);
        break;
      case "mv_expand": {
        const col = this.resolve(c.column);
        if (col && this.evaluating) {
          const out: Row[] = [];
          for (const r of this.table.rows) {
            const v = r[col.name] ?? null;
            if (Array.isArray(v))
              for (const x of v) {
                const copy = copyRow(r);
                copy[col.name] = x;
                out.push(copy);
              }
            else out.push(r);
          }
          this.table.rows = out;
        }
        break;
      }
      case "dissect":
      case "grok": {
        const input = this.expression(c.input);
        if (!["keyword", "text", "null", "unknown"].includes(input.type))
          this.error(
            "DAC441",
            c.input.span,
            `${c.type.toUpperCase()} only supports KEYWORD or TEXT values, found expression [${this.sourceName(c.input)}] type [${input.type}]`,
          );
        let parser: { columns: ColumnInfo[]; parse: (s: string) => Record<string, Cell> | undefined };
        try {
          parser =
            c.type === "dissect"
              ? compileDissect(c.pattern.value, c.appendSeparator ?? "")
              : compileGrok(c.patterns.map((p) => p.value));
        } catch (e) {
          this.error(
            "DAC441",
            c.type === "dissect" ? c.pattern.span : c.patterns[0]!.span,
            (e as Error).message,
          );
          break;
        }
        const ctx = this.failer(c.input.span);
        const parsed = this.evaluating
          ? this.table.rows.map((r) => {
              const v = input.evaluate(r);
              if (Array.isArray(v)) {
                ctx.fail("java.lang.IllegalArgumentException: single-value function encountered multi-value");
                return undefined;
              }
              return v === null ? undefined : parser.parse(String(v));
            })
          : [];
        for (const col of parser.columns) this.setColumn(col, (_r, i) => parsed[i]?.[col.name] ?? null);
        break;
      }
      case "enrich":
        this.enrich(c);
        break;
      case "lookup_join":
        this.lookupJoin(c);
        break;
      case "completion": {
        this.expression(c.prompt);
        if (this.evaluating)
          this.error(
            "DAC443",
            c.span,
            "COMPLETION calls an inference endpoint: dac validates it but cannot evaluate it",
            "test the rule on a cluster (dac test --engine elasticsearch)",
          );
        this.setColumn({ name: c.target?.name ?? "completion", type: "keyword" });
        break;
      }
      case "sample":
        if (c.probability <= 0 || c.probability >= 1)
          this.error(
            "DAC441",
            c.span,
            `invalid value for SAMPLE probability [${c.probability}], expecting a number between 0 and 1, exclusive`,
          );
        if (this.evaluating)
          this.error("DAC443", c.span, "SAMPLE is random: dac validates it but does not evaluate it");
        break;
      default:
        break;
    }
    this.syncTable();
  }

  private sourceName(e: Expression): string {
    return e.type === "column" ? e.name : this.text.slice(e.span.start, e.span.end);
  }

  private expectBoolean(c: Compiled, e: Expression, where: string): void {
    if (!["boolean", "null", "unknown"].includes(c.type))
      this.error(
        "DAC441",
        e.span,
        `Condition expression needs to be boolean, found [${c.type.toUpperCase()}]`,
        `${where} keeps the rows where the condition is true`,
      );
  }

  private keep(patterns: NamePattern[]): void {
    const cols = this.schema.columns;
    // Each column goes with its best pattern: an exact name over a partial wildcard over `*` (KEEP docs).
    const priority = (p: string, name: string) =>
      p === name ? 3 : p === "*" ? 1 : matchPattern(p, name) ? 2 : 0;
    for (const p of patterns)
      if (!p.pattern.includes("*") && !this.column(p.pattern))
        this.resolve({ name: p.pattern, span: p.span });
    const best = new Map<string, { at: number; prio: number }>();
    for (const c of this.schema.columns)
      patterns.forEach((p, at) => {
        const prio = priority(p.pattern, c.name);
        const cur = best.get(c.name);
        if (prio > 0 && (!cur || prio > cur.prio)) best.set(c.name, { at, prio });
      });
    const kept = this.schema.columns
      .map((c, i) => ({ c, i, b: best.get(c.name) }))
      .filter((x) => x.b)
      .sort((a, b) => a.b!.at - b.b!.at || a.i - b.i)
      .map((x) => x.c);
    void cols;
    this.schema.columns = kept;
    const prev = this.schema.source;
    const wild = patterns.filter((p) => p.pattern.includes("*"));
    this.schema.source =
      prev && wild.length
        ? (n, s) => (wild.some((p) => matchPattern(p.pattern, n)) ? prev(n, s) : undefined)
        : undefined;
    if (this.evaluating) this.table.rows = this.table.rows.map((r) => pick(r, kept));
  }

  private drop(patterns: NamePattern[]): void {
    for (const p of patterns) {
      if (p.pattern.includes("*")) continue;
      if (!this.column(p.pattern)) this.resolve({ name: p.pattern, span: p.span });
    }
    this.schema.columns = this.schema.columns.filter(
      (c) => !patterns.some((p) => matchPattern(p.pattern, c.name)),
    );
    const prev = this.schema.source;
    if (prev)
      this.schema.source = (n, s) =>
        patterns.some((p) => matchPattern(p.pattern, n)) ? undefined : prev(n, s);
    if (this.evaluating) this.table.rows = this.table.rows.map((r) => pick(r, this.schema.columns));
  }

  private sort(keys: { value: Expression; order: "ASC" | "DESC"; nulls?: "FIRST" | "LAST" }[]): void {
    const compiled = keys.map((k) => ({ k, c: this.expression(k.value) }));
    for (const { k, c } of compiled)
      if (c.type === "geo_point" || c.type === "cartesian_point" || c.type === "unsupported")
        this.error("DAC441", k.value.span, `cannot sort on ${c.type}`);
    if (!this.evaluating) return;
    const withKeys = this.table.rows.map((r, i) => ({
      r,
      i,
      keys: compiled.map(({ k, c }) => {
        const v = valuesOf(c.evaluate(r));
        if (v.length === 0) return null;
        // A multi-value sorts by its lowest value ascending, its highest descending (SORT docs).
        return v.reduce((m, x) => ((k.order === "ASC" ? -1 : 1) * compareValues(x, m, c.type) > 0 ? x : m));
      }),
    }));
    withKeys.sort((a, b) => {
      for (let j = 0; j < compiled.length; j++) {
        const { k, c } = compiled[j]!;
        const x = a.keys[j]!;
        const y = b.keys[j]!;
        const nullsFirst = (k.nulls ?? (k.order === "ASC" ? "LAST" : "FIRST")) === "FIRST";
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null ? -1 : 1) * (nullsFirst ? 1 : -1);
        }
        const d = compareValues(x, y, c.type);
        if (d !== 0) return k.order === "ASC" ? d : -d;
      }
      return a.i - b.i;
    });
    this.table.rows = withKeys.map((x) => x.r);
  }

  // ---------- STATS ----------

  private stats(c: Extract<Command, { type: "stats" }>): void {
    const inputSchema = this.schema;
    const groups = c.groups.map((g) => {
      const e = this.expression(g.value);
      return { name: g.name?.name ?? this.sourceName(g.value), e, field: g };
    });
    const groupSchema: Schema = { columns: groups.map((g) => ({ name: g.name, type: g.e.type })) };
    const slots: { fn: AggregateFunction; call: FunctionCall; args: Compiled[]; filter?: Compiled }[] = [];
    const aggregates = c.aggregates.map((a: AggregateField) => {
      const filter = a.filter ? this.expression(a.filter) : undefined;
      if (filter && a.filter) this.expectBoolean(filter, a.filter, "STATS ... WHERE");
      const before = slots.length;
      this.schema = groupSchema;
      const e = this.expression(a.value, { slots, inputSchema, filter });
      this.schema = inputSchema;
      if (
        slots.length === before &&
        e.type !== "unknown" &&
        !(a.value.type === "column" && groups.some((g) => g.name === (a.value as Column).name))
      )
        this.error(
          "DAC442",
          a.value.span,
          `expected an aggregate function but found [${this.sourceName(a.value)}]`,
        );
      return { name: a.name?.name ?? this.text.slice(a.value.span.start, a.value.span.end), e };
    });
    this.schema = inputSchema;
    const aggCols = aggregates.map((a) => ({ name: a.name, type: a.e.type }));
    const groupCols = groups.map((g) => ({ name: g.name, type: g.e.type }));
    // Later columns win over earlier ones of the same name.
    const dedupe = (cols: ColumnInfo[]) =>
      cols.filter((col, i) => !cols.slice(i + 1).some((x) => x.name === col.name));
    if (!this.evaluating) {
      if (c.inline) {
        const names = new Set(aggCols.map((x) => x.name));
        this.schema = {
          ...inputSchema,
          columns: [...inputSchema.columns.filter((x) => !names.has(x.name)), ...aggCols],
        };
      } else this.schema = { columns: dedupe([...aggCols, ...groupCols]) };
      return;
    }
    // Group the rows: a multi-valued key puts the row in one group per value (STATS docs, "multivalued").
    const buckets = new Map<string, { key: Cell[]; rows: Row[] }>();
    const rowKeys: string[][] = [];
    for (const r of this.table.rows) {
      let combos: Cell[][] = [[]];
      for (const g of groups) {
        const v = g.e.evaluate(r);
        const vals: Cell[] = v === null ? [null] : Array.isArray(v) ? distinctCells(v, g.e.type) : [v];
        combos = combos.flatMap((k) => vals.map((x) => [...k, x]));
      }
      const keys: string[] = [];
      for (const k of combos) {
        const id = JSON.stringify(k);
        keys.push(id);
        let b = buckets.get(id);
        if (!b) buckets.set(id, (b = { key: k, rows: [] }));
        b.rows.push(r);
      }
      rowKeys.push(keys);
    }
    if (groups.length === 0 && buckets.size === 0) buckets.set("[]", { key: [], rows: [] });
    const results = new Map<string, Row>();
    for (const [id, b] of buckets) {
      const out: Row = {};
      groups.forEach((g, i) => (out[g.name] = b.key[i]!));
      slots.forEach((s, i) => {
        const rows = s.filter ? b.rows.filter((r) => s.filter!.evaluate(r) === true) : b.rows;
        const ctx = Object.assign(this.failer(s.call.span), { star: s.call.star });
        out[`\u0000agg${i}`] = s.fn.aggregate(
          rows.map((r) => s.args.map((a) => a.evaluate(r))),
          s.args.map((a) => a.type),
          ctx,
        );
      });
      for (const a of aggregates) out[a.name] = a.e.evaluate(out);
      results.set(id, out);
    }
    if (c.inline) {
      const names = new Set(aggCols.map((x) => x.name));
      this.schema = {
        ...inputSchema,
        columns: [...inputSchema.columns.filter((x) => !names.has(x.name)), ...aggCols],
      };
      this.table.rows = this.table.rows.map((r, i) => {
        const keys = rowKeys[i]!;
        const res = keys.length === 1 ? results.get(keys[0]!) : undefined;
        const copy = copyRow(r);
        for (const a of aggCols) copy[a.name] = res ? (res[a.name] ?? null) : null;
        return copy;
      });
      return;
    }
    const columns = dedupe([...aggCols, ...groupCols]);
    this.schema = { columns };
    this.table.rows = [...results.values()].map((r) => pick(r, columns));
  }

  // ---------- ENRICH, LOOKUP JOIN ----------

  private lookupRows(name: string, span: Span, what: string): Record<string, unknown>[] | undefined {
    // Own names only: a lookup index named `constructor` is not Object.prototype's.
    const lookups = this.input.lookups;
    const rows = lookups && Object.hasOwn(lookups, name) ? lookups[name] : undefined;
    if (rows === undefined && this.evaluating)
      this.error(
        "DAC443",
        span,
        `no lookup data for ${what} [${name}]`,
        `in a fixture case of \`dac test\`, give its rows under \`lookups:\` (\`lookups: {${name}: [<row>, ...]}\`); with \`dac esql eval\`, \`--lookup ${name}=FILE\``,
      );
    return rows;
  }

  private enrich(c: Extract<Command, { type: "enrich" }>): void {
    const data = this.lookupRows(c.policy, c.policySpan, "enrich policy");
    const onName = c.on?.name;
    const on = c.on ? this.resolve(c.on) : undefined;
    if (!data) {
      for (const w of c.with) this.setColumn({ name: (w.name ?? w.field).name, type: "unknown" });
      if (c.with.length === 0) this.schema.anything = true;
      return;
    }
    const matchField =
      onName && data.some((d) => valuesAt(d, onName).length) ? onName : (Object.keys(data[0] ?? {})[0] ?? "");
    const inputName = on?.name ?? matchField;
    const fields = c.with.length
      ? c.with.map((w) => ({ as: (w.name ?? w.field).name, from: w.field.name }))
      : lookupFieldNames(data)
          .filter((f) => f !== matchField)
          .map((f) => ({ as: f, from: f }));
    const types = fields.map((f) => inferColumnType(data, f.from));
    const matches = this.table.rows.map((r) => {
      const keys = valuesOf(r[inputName] ?? null);
      return data.filter((d) =>
        valuesAt(d, matchField).some((v) => keys.some((k) => String(k) === String(v))),
      );
    });
    fields.forEach((f, j) =>
      this.setColumn({ name: f.as, type: types[j]! }, (_r, i) =>
        cellOf(matches[i]!.flatMap((d) => valuesOf(sourceCell(valuesAt(d, f.from), types[j]!)))),
      ),
    );
  }

  private lookupJoin(c: Extract<Command, { type: "lookup_join" }>): void {
    const data = this.lookupRows(c.index, c.indexSpan, "lookup index");
    const keys = c.on.map((o) => this.resolve(o));
    if (!data) {
      this.schema.anything = true;
      return;
    }
    const names = lookupFieldNames(data).filter((n) => !c.on.some((o) => o.name === n));
    const types = names.map((n) => inferColumnType(data, n));
    const ctx = this.failer(c.span);
    const out: Row[] = [];
    for (const r of this.table.rows) {
      const vals = c.on.map((o) => r[o.name] ?? null);
      if (vals.some((v) => Array.isArray(v)))
        ctx.fail("java.lang.IllegalArgumentException: LOOKUP JOIN encountered multi-value");
      const hits = vals.some((v) => v === null || Array.isArray(v))
        ? []
        : data.filter((d) =>
            c.on.every((o, i) =>
              valuesAt(d, o.name).some((x) =>
                sameValue(x as Scalar, vals[i] as Scalar, keys[i]?.type ?? "keyword"),
              ),
            ),
          );
      if (hits.length === 0) {
        const copy = copyRow(r);
        names.forEach((n) => (copy[n] = null));
        out.push(copy);
      }
      for (const h of hits) {
        const copy = copyRow(r);
        names.forEach((n, j) => (copy[n] = sourceCell(valuesAt(h, n), types[j]!)));
        out.push(copy);
      }
    }
    names.forEach((n, j) => this.setColumn({ name: n, type: types[j]! }));
    if (this.evaluating) this.table.rows = out;
  }

  // ---------- expressions ----------

  private expression(e: Expression, agg?: AggContext): Compiled {
    switch (e.type) {
      case "null":
        return constant("null", null);
      case "boolean":
        return constant("boolean", e.value);
      case "integer":
        return constant(
          Number.isSafeInteger(e.value) && e.value <= 2147483647
            ? "integer"
            : e.value < 2 ** 63
              ? "long"
              : "unsigned_long",
          e.value,
        );
      case "decimal":
        return constant("double", e.value);
      case "string":
        return constant("keyword", e.value);
      case "quantity":
        return this.quantity(e);
      case "list": {
        const items = e.items.map((i) => this.expression(i));
        const type = items.find((i) => i.type !== "null")?.type ?? "null";
        return constant(
          type,
          cellOf(
            items.map((i) => i.evaluate({})).filter((v): v is Scalar => v !== null && !Array.isArray(v)),
          ),
        );
      }
      case "param": {
        const params = this.input.params ?? {};
        if (!(e.name in params)) {
          if (this.evaluating)
            this.error("DAC441", e.span, `Unknown query parameter [${e.name}]`, "give it under `params`");
          return { type: "unknown", evaluate: () => null };
        }
        const v = params[e.name];
        return constant(inferType(v) ?? "keyword", (v ?? null) as Cell);
      }
      case "column": {
        const col = this.resolve(e);
        if (!col) return { type: "unknown", evaluate: () => null };
        if (col.type === "unsupported")
          this.error("DAC441", e.span, `Cannot use field [${e.name}] with unsupported type`);
        const name = col.name;
        return { type: col.type, evaluate: (r) => r[name] ?? null };
      }
      case "map":
        return { type: "unknown", evaluate: () => null };
      case "call":
        return this.call(e, agg);
      case "cast":
        return this.cast(e, agg);
      case "unary":
        return this.unary(e, agg);
      case "binary":
        return this.binary(e, agg);
      case "in":
        return this.inList(e, agg);
      case "like":
        return this.like(e, agg);
      case "isNull": {
        const v = this.expression(e.value, agg);
        return { type: "boolean", evaluate: (r) => (v.evaluate(r) === null) !== e.negated };
      }
      case "match":
        // `field : "text"` is MATCH(field, "text").
        return this.sourceQuery(e.span, `${e.field.name}:${kqlUnquoted(this.constantString(e.query))}`, [
          e.field,
        ]);
    }
  }

  private constantString(e: Expression): string {
    const c = this.expression(e);
    const v = c.evaluate({});
    if (!c.constant || typeof v !== "string") {
      this.error("DAC441", e.span, `argument of [${this.sourceName(e)}] must be a constant string`);
      return "";
    }
    return v;
  }

  private quantity(e: Extract<Literal, { type: "quantity" }>): Compiled {
    const ms: Record<string, number> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000 };
    const months: Record<string, number> = { month: 1, quarter: 3, year: 12 };
    const days: Record<string, number> = { day: 1, week: 7 };
    if (e.unit in ms) return constant("time_duration", { ms: e.value * ms[e.unit]! });
    if (e.unit in months) return constant("date_period", { months: e.value * months[e.unit]!, days: 0 });
    if (e.unit in days) return constant("date_period", { months: 0, days: e.value * days[e.unit]! });
    // EsqlDataTypeConverter.parseTemporalAmount rejects it; only a warning, since newer clusters may know more units.
    const message = `Unexpected temporal unit: '${e.unit}'`;
    const hint = "ES|QL's time units: ms, s, min, h, d, w, mo, q, yr (or their long names)";
    if (this.evaluating) this.error("DAC441", e.span, message, hint);
    else this.warning("DAC444", e.span, message, hint);
    return { type: "unknown", evaluate: () => null };
  }

  private call(e: FunctionCall, agg?: AggContext): Compiled {
    if (SOURCE_FUNCTIONS.has(e.name)) {
      if (e.name === "KQL" || e.name === "QSTR") {
        if (e.args.length < 1) this.error("DAC441", e.span, `[${e.name}] expects one argument`);
        const q = this.constantString(e.args[0]!);
        return e.name === "KQL" ? this.sourceQuery(e.span, q, [], e.args[0]!.span) : this.unsupported(e);
      }
      // MATCH(field, query [, options]): a match query on the field.
      let target = e.args[0];
      while (target?.type === "cast") target = target.value;
      if (e.args.length < 2 || target?.type !== "column") {
        this.error("DAC441", e.span, `[${e.name}] expects a field and a query`);
        return { type: "unknown", evaluate: () => null };
      }
      const field = target;
      // MATCH is a match query (any of the analysed terms: KQL's unquoted value); MATCH_PHRASE a phrase (quoted).
      const value = this.constantString(e.args[1]!);
      const kql = e.name === "MATCH_PHRASE" ? kqlQuote(value) : kqlUnquoted(value);
      return this.sourceQuery(e.span, `${field.name}:${kql}`, [field]);
    }
    const fn = FUNCTIONS.get(e.name);
    if (!fn) return this.unsupported(e);
    if (e.star && !(fn.name === "COUNT")) this.error("DAC441", e.span, `[*] is only allowed in COUNT(*)`);
    const n = e.args.length;
    if (n < fn.min || n > fn.max) {
      const want =
        fn.min === fn.max
          ? `exactly ${fn.min}`
          : fn.max === Infinity
            ? `at least ${fn.min}`
            : `${fn.min} to ${fn.max}`;
      this.error(
        "DAC441",
        e.span,
        `[${fn.name}] takes ${want} argument${fn.min === 1 && fn.max === 1 ? "" : "s"}, found ${n}`,
      );
      return { type: "unknown", evaluate: () => null };
    }
    if (fn.kind === "aggregate") {
      if (!agg) {
        this.error(
          "DAC442",
          e.span,
          `aggregate function [${this.text.slice(e.span.start, e.span.end)}] not allowed outside STATS command`,
        );
        return { type: "unknown", evaluate: () => null };
      }
      const outer = this.schema;
      this.schema = agg.inputSchema;
      const args = e.args.map((a) => this.expression(a));
      this.schema = outer;
      for (const i of fn.constant ?? [])
        if (args[i] && !args[i]!.constant)
          this.error(
            "DAC441",
            e.args[i]!.span,
            `${["first", "second", "third"][i]} argument of [${fn.name}] must be a constant`,
          );
      const ret = fn.returns(args.map((a) => a.type));
      if (typeof ret === "string" && ret.includes(" ")) {
        this.error("DAC441", e.span, ret);
        return { type: "unknown", evaluate: () => null };
      }
      const slot = agg.slots.length;
      agg.slots.push({ fn, call: e, args, ...(agg.filter ? { filter: agg.filter } : {}) });
      const key = `\u0000agg${slot}`;
      return { type: ret as EsqlType, evaluate: (r) => r[key] ?? null };
    }
    const args = e.args.map((a) => this.expression(a, agg));
    return this.applyScalar(fn, e, args);
  }

  private unsupported(e: FunctionCall): Compiled {
    const known = (UNSUPPORTED_FUNCTIONS as readonly string[]).includes(e.name);
    this.error(
      "DAC443",
      e.nameSpan,
      known ? `function [${e.name}] is not supported by dac` : `Unknown function [${e.name.toLowerCase()}]`,
      known ? "docs/esql.md lists the functions dac models" : undefined,
    );
    return { type: "unknown", evaluate: () => null };
  }

  private applyScalar(fn: ScalarFunction, e: { span: Span; name?: string }, args: Compiled[]): Compiled {
    const types = args.map((a) => a.type);
    const ret = fn.returns(types);
    if (ret.includes(" ")) {
      this.error("DAC441", e.span, ret);
      return { type: "unknown", evaluate: () => null };
    }
    const ctx = this.failer(e.span);
    const evaluate = (r: Row): Cell => {
      const vals = args.map((a) => a.evaluate(r));
      if (!fn.nulls && vals.some((v) => v === null)) return null;
      if (!fn.multi && vals.some((v) => Array.isArray(v)))
        return ctx.fail("java.lang.IllegalArgumentException: single-value function encountered multi-value");
      return fn.evaluate(vals, types, ctx);
    };
    const isConst = args.every((a) => a.constant) && fn.name !== "NOW";
    return { type: ret as EsqlType, evaluate, ...(isConst ? { constant: true } : {}) };
  }

  private cast(e: Extract<Expression, { type: "cast" }>, agg?: AggContext): Compiled {
    const target: Record<string, string> = {
      double: "TO_DOUBLE",
      long: "TO_LONG",
      integer: "TO_INTEGER",
      int: "TO_INTEGER",
      keyword: "TO_STRING",
      string: "TO_STRING",
      text: "TO_STRING",
      ip: "TO_IP",
      datetime: "TO_DATETIME",
      date: "TO_DATETIME",
      boolean: "TO_BOOLEAN",
      bool: "TO_BOOLEAN",
      geo_point: "TO_GEOPOINT",
      version: "TO_VERSION",
    };
    const fnName = target[e.to];
    const v = this.expression(e.value, agg);
    if (!fnName) {
      this.error("DAC441", e.span, `Unsupported conversion to type [${e.to.toUpperCase()}]`);
      return { type: "unknown", evaluate: () => null };
    }
    return this.applyScalar(FUNCTIONS.get(fnName) as ScalarFunction, e, [v]);
  }

  private unary(e: Extract<Expression, { type: "unary" }>, agg?: AggContext): Compiled {
    const v = this.expression(e.operand, agg);
    const ctx = this.failer(e.span);
    if (e.op === "NOT") {
      this.expectBoolean(v, e.operand, "NOT");
      return {
        type: "boolean",
        evaluate: (r) => {
          const x = v.evaluate(r);
          if (Array.isArray(x))
            return ctx.fail(
              "java.lang.IllegalArgumentException: single-value function encountered multi-value",
            );
          return x === null ? null : !x;
        },
      };
    }
    if (!isNumeric(v.type) && !["null", "unknown", "time_duration", "date_period"].includes(v.type))
      this.error(
        "DAC441",
        e.span,
        `argument of [${this.text.slice(e.span.start, e.span.end)}] must be [numeric], found value [${this.sourceName(e.operand)}] type [${v.type}]`,
      );
    if (e.op === "+") return v;
    return {
      type: v.type,
      ...(v.constant ? { constant: true } : {}),
      evaluate: (r) => {
        const x = v.evaluate(r);
        if (x === null) return null;
        if (Array.isArray(x))
          return ctx.fail(
            "java.lang.IllegalArgumentException: single-value function encountered multi-value",
          );
        if (typeof x === "object" && "ms" in x) return { ms: -x.ms };
        if (typeof x === "object" && "months" in x) return { months: -x.months, days: -x.days };
        return overflow(-(x as number), v.type, ctx);
      },
    };
  }

  private binary(e: Extract<Expression, { type: "binary" }>, agg?: AggContext): Compiled {
    const l = this.expression(e.left, agg);
    const r = this.expression(e.right, agg);
    const ctx = this.failer(e.span);
    const mv = () =>
      ctx.fail("java.lang.IllegalArgumentException: single-value function encountered multi-value");
    const src = this.text.slice(e.span.start, e.span.end);
    if (e.op === "AND" || e.op === "OR") {
      this.expectBoolean(l, e.left, e.op);
      this.expectBoolean(r, e.right, e.op);
      const and = e.op === "AND";
      return {
        type: "boolean",
        evaluate: (row) => {
          let a = l.evaluate(row);
          let b = r.evaluate(row);
          if (Array.isArray(a)) a = mv();
          if (Array.isArray(b)) b = mv();
          // Three-valued logic: false AND null is false, true OR null is true.
          if (and) return a === false || b === false ? false : a === null || b === null ? null : true;
          return a === true || b === true ? true : a === null || b === null ? null : false;
        },
      };
    }
    if (["==", "!=", "<", "<=", ">", ">=", "=~"].includes(e.op)) {
      const type = this.comparable(l, r, e, src);
      const conv = (c: Compiled) => converter(c, type);
      const lc = conv(l);
      const rc = conv(r);
      const op = e.op;
      return {
        type: "boolean",
        evaluate: (row) => {
          const a = lc(row);
          const b = rc(row);
          if (a === null || b === null) return null;
          if (Array.isArray(a) || Array.isArray(b)) return mv();
          if (op === "=~") return String(a).toLowerCase() === String(b).toLowerCase();
          const d = compareValues(a, b, type);
          switch (op) {
            case "==":
              return d === 0;
            case "!=":
              return d !== 0;
            case "<":
              return d < 0;
            case "<=":
              return d <= 0;
            case ">":
              return d > 0;
            default:
              return d >= 0;
          }
        },
      };
    }
    // Arithmetic.
    const type = this.arithmeticType(l, r, e, src);
    const op = e.op;
    const whole = isWholeNumber(type);
    return {
      type,
      ...(l.constant && r.constant ? { constant: true } : {}),
      evaluate: (row) => {
        const a = l.evaluate(row);
        const b = r.evaluate(row);
        if (a === null || b === null) return null;
        if (Array.isArray(a) || Array.isArray(b)) return mv();
        if (isDate(type)) return dateArithmetic(a, b, op, ctx);
        if (type === "time_duration") {
          const x = (a as { ms: number }).ms;
          const y = (b as { ms: number }).ms;
          return { ms: op === "-" ? x - y : x + y };
        }
        const x = a as number;
        const y = b as number;
        let v: number;
        switch (op) {
          case "+":
            v = x + y;
            break;
          case "-":
            v = x - y;
            break;
          case "*":
            v = x * y;
            break;
          case "/":
            if (y === 0) return ctx.fail("java.lang.ArithmeticException: / by zero");
            v = whole ? Math.trunc(x / y) : x / y;
            break;
          default:
            if (y === 0) return ctx.fail("java.lang.ArithmeticException: / by zero");
            v = x % y;
        }
        return overflow(v, type, ctx);
      },
    };
  }

  private comparable(
    l: Compiled,
    r: Compiled,
    e: { span: Span; left: Expression; right: Expression },
    src: string,
  ): EsqlType {
    const a = l.type;
    const b = r.type;
    if (a === "unknown" || b === "unknown" || a === "null" || b === "null")
      return a === "unknown" || a === "null" ? b : a;
    if (isNumeric(a) && isNumeric(b)) return widestNumber([a, b]);
    if (isString(a) && isString(b)) return "keyword";
    if (a === b) {
      if (a === "geo_point" || a === "cartesian_point")
        this.error(
          "DAC441",
          e.span,
          `first argument of [${src}] must be [comparable], found value [${this.sourceName(e.left)}] type [${a}]`,
        );
      return a;
    }
    // A string constant compared with a date, ip or version is converted (EsqlDataTypeConverter implicit casting).
    for (const [x, y, c] of [
      [a, b, r],
      [b, a, l],
    ] as const)
      if ((isDate(x) || x === "ip" || x === "version" || x === "boolean") && isString(y) && c.constant)
        return x;
    if (isDate(a) && isDate(b)) return "date";
    this.error(
      "DAC441",
      e.span,
      `first argument of [${src}] is [${a}] so second argument must also be [${a}] but was [${b}]`,
    );
    return "unknown";
  }

  private arithmeticType(
    l: Compiled,
    r: Compiled,
    e: Extract<Expression, { type: "binary" }>,
    src: string,
  ): EsqlType {
    const a = l.type;
    const b = r.type;
    if (a === "unknown" || b === "unknown")
      return isDate(a) || isDate(b) ? "date" : isNumeric(a) ? a : isNumeric(b) ? b : "unknown";
    if (a === "null" || b === "null") return a === "null" ? b : a;
    if (isNumeric(a) && isNumeric(b)) return widestNumber([a, b]);
    const temporal = (t: EsqlType) => t === "time_duration" || t === "date_period";
    if ((e.op === "+" || e.op === "-") && isDate(a) && temporal(b)) return a;
    if (e.op === "+" && temporal(a) && isDate(b)) return b;
    if ((e.op === "+" || e.op === "-") && a === b && temporal(a)) return a;
    this.error(
      "DAC441",
      e.span,
      `[${e.op}] has arguments with incompatible types [${a}] and [${b}]`,
      `in [${src}]`,
    );
    return "unknown";
  }

  private inList(e: Extract<Expression, { type: "in" }>, agg?: AggContext): Compiled {
    const v = this.expression(e.value, agg);
    const list = e.list.map((x) => this.expression(x, agg));
    let type = v.type;
    for (let i = 0; i < list.length; i++) {
      const t = this.comparable(
        v,
        list[i]!,
        { span: e.list[i]!.span, left: e.value, right: e.list[i]! },
        this.text.slice(e.span.start, e.span.end),
      );
      if (type === "null" || type === "unknown") type = t;
    }
    const lc = converter(v, type);
    const items = list.map((x) => converter(x, type));
    const ctx = this.failer(e.span);
    return {
      type: "boolean",
      evaluate: (row) => {
        const a = lc(row);
        if (a === null) return null;
        if (Array.isArray(a))
          return ctx.fail(
            "java.lang.IllegalArgumentException: single-value function encountered multi-value",
          );
        let sawNull = false;
        for (const it of items) {
          const b = it(row);
          if (b === null) sawNull = true;
          else if (Array.isArray(b)) sawNull = true;
          else if (compareValues(a, b, type) === 0) return !e.negated;
        }
        // `x IN (a, null)` is null when x is not a: three-valued logic.
        return sawNull ? null : e.negated;
      },
    };
  }

  private like(e: Extract<Expression, { type: "like" }>, agg?: AggContext): Compiled {
    const v = this.expression(e.value, agg);
    if (!["keyword", "text", "null", "unknown"].includes(v.type))
      this.error(
        "DAC441",
        e.value.span,
        `argument of [${this.text.slice(e.span.start, e.span.end)}] must be [string], found value [${this.sourceName(e.value)}] type [${v.type}]`,
      );
    const regexes: RegExp[] = [];
    for (const p of e.patterns) {
      const text = p.type === "param" ? String(this.input.params?.[p.name] ?? "") : p.value;
      try {
        const operators: string[] = [];
        regexes.push(e.op === "LIKE" ? likeRegExp(text) : luceneToRegExp(text, operators));
        if (operators.length && !this.evaluating)
          this.warning(
            "DAC445",
            p.span,
            `\`${operators[0]}\` in an RLIKE pattern is Lucene's ${operators[0] === "&" ? "intersection" : "complement"} operator (ES|QL compiles RLIKE with RegExp.ALL), not the character`,
            `escape it as \`\\\\${operators[0]}\` to match the character; dac evaluates it as the character`,
          );
      } catch (err) {
        this.error("DAC441", p.span, `invalid ${e.op} pattern [${text}]: ${(err as Error).message}`);
      }
    }
    const ctx = this.failer(e.span);
    return {
      type: "boolean",
      evaluate: (row) => {
        const a = v.evaluate(row);
        if (a === null) return null;
        if (Array.isArray(a))
          return ctx.fail(
            "java.lang.IllegalArgumentException: single-value function encountered multi-value",
          );
        const s = String(a);
        return regexes.some((re) => re.test(s)) !== e.negated;
      },
    };
  }

  /** KQL() and MATCH(): a query on the source document, so only where rows still are documents. */
  private sourceQuery(span: Span, kql: string, fields: Column[], querySpan?: Span): Compiled {
    if (!this.schema.source) {
      this.error(
        "DAC441",
        span,
        `[${this.text.slice(span.start, span.end)}] can only be used on the rows of FROM, before commands that change them (STATS, KEEP, DROP, RENAME)`,
      );
      return { type: "unknown", evaluate: () => null };
    }
    let test: (doc: object) => boolean = () => false;
    try {
      const ast = parseKql(kql);
      for (const f of fields) this.schema.source(f.name, f.span);
      if (this.input.onSourceField && querySpan)
        for (const name of kqlFieldNames(ast)) this.input.onSourceField(name, querySpan);
      // Validation checks the KQL syntax only; how each field type matches is the evaluator's concern.
      if (this.evaluating)
        test = compileKql(ast, {
          ...(this.input.catalog ? { catalog: this.input.catalog } : {}),
          now: () => this.now,
        });
    } catch (err) {
      this.error("DAC441", querySpan ?? span, `KQL: ${(err as Error).message}`);
    }
    return {
      type: "boolean",
      evaluate: (r) => {
        const doc = r[DOC];
        return doc ? test(doc) : false;
      },
    };
  }
}

interface AggContext {
  slots: { fn: AggregateFunction; call: FunctionCall; args: Compiled[]; filter?: Compiled }[];
  inputSchema: Schema;
  filter?: Compiled | undefined;
}

function constant(type: EsqlType, value: Cell): Compiled {
  return { type, constant: true, evaluate: () => value };
}

/** Reads a side of a comparison as the comparison's type (string constants to dates, ips, versions). */
function converter(c: Compiled, type: EsqlType): (r: Row) => Cell {
  if (!isString(c.type) || isString(type) || type === "unknown") return c.evaluate;
  const conv = (s: Scalar): Scalar | null =>
    isDate(type)
      ? (parseDateText(String(s)) ?? null)
      : type === "ip"
        ? (parseIp(String(s)) ?? null)
        : type === "boolean"
          ? String(s).toLowerCase() === "true"
          : s;
  return (r) => {
    const v = c.evaluate(r);
    if (v === null) return null;
    return Array.isArray(v) ? cellOf(v.map(conv).filter((x): x is Scalar => x !== null)) : conv(v);
  };
}

function dateArithmetic(a: Cell, b: Cell, op: string, ctx: FnContext): Cell {
  const [date, amount] = typeof a === "number" ? [a, b] : [b as number, a];
  const sign = op === "-" ? -1 : 1;
  if (typeof amount === "object" && amount !== null && "ms" in amount)
    return date + sign * (amount as { ms: number }).ms;
  const p = amount as { months: number; days: number };
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() + sign * p.months);
  // Java's plusMonths clamps to the month's last day.
  const want = (new Date(date).getUTCMonth() + sign * p.months) % 12;
  if (p.months && (((d.getUTCMonth() - want) % 12) + 12) % 12 !== 0) d.setUTCDate(0);
  const r = d.getTime() + sign * p.days * 86_400_000;
  return Number.isFinite(r) ? r : ctx.fail("java.lang.ArithmeticException: long overflow");
}

/** LIKE: `*` any run, `?` one character, `\` escapes; case-sensitive, whole value (WildcardPattern). */
export function likeRegExp(pattern: string): RegExp {
  let src = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      src += escapeRe(pattern[++i]!);
    } else if (c === "*") src += "[\\s\\S]*";
    else if (c === "?") src += "[\\s\\S]";
    else src += escapeRe(c);
  }
  return new RegExp(`^${src}$`, "u");
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function kqlQuote(s: string): string {
  return `"${s.replace(/["\\]/g, "\\$&")}"`;
}

/** An unquoted KQL value that means the text itself: special characters and the keywords escaped. */
function kqlUnquoted(s: string): string {
  if (s.trim() === "") return kqlQuote(s);
  return s.replace(/[\\():<>"*{}]/g, "\\$&").replace(/\b(or|and|not)\b/gi, "\\$1");
}

function kqlFieldNames(ast: unknown): string[] {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Record<string, unknown>;
    if (typeof o.field === "string" && !o.field.includes("*")) out.push(o.field);
    for (const v of Object.values(o)) if (typeof v === "object") walk(v);
  };
  walk(ast);
  return out;
}

export function matchPattern(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) return pattern === name;
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => escapeRe(p))
      .join(".*")}$`,
  );
  return re.test(name);
}

function pick(r: Row, cols: ColumnInfo[]): Row {
  const out: Row = {};
  const doc = r[DOC];
  if (doc) Object.defineProperty(out, DOC, { value: doc, enumerable: false });
  for (const c of cols) out[c.name] = r[c.name] ?? null;
  return out;
}

function copyRow(r: Row): Row {
  const out: Row = { ...r };
  const doc = r[DOC];
  if (doc) Object.defineProperty(out, DOC, { value: doc, enumerable: false });
  return out;
}

function distinctCells(values: Scalar[], type: EsqlType): Cell[] {
  const out: Scalar[] = [];
  for (const v of values) if (!out.some((x) => sameValue(x, v, type))) out.push(v);
  return out;
}

function similar(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  if (Math.abs(x.length - y.length) > 2) return false;
  let diff = 0;
  const m = Math.max(x.length, y.length);
  for (let i = 0; i < m; i++) if (x[i] !== y[i]) diff++;
  return diff <= 2;
}

/** The type dynamic mapping gives a JSON value (a field the catalogue does not know). */
export function inferType(v: unknown): EsqlType | undefined {
  if (typeof v === "string") return "keyword";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "number")
    return Number.isInteger(v) ? (Math.abs(v) <= 2147483647 ? "integer" : "long") : "double";
  if (Array.isArray(v)) return v.length ? inferType(v[0]) : undefined;
  return undefined;
}

function inferSourceType(v: unknown): EsqlType | undefined {
  // Dynamic mapping maps whole numbers as long (not integer).
  const t = inferType(v);
  return t === "integer" ? "long" : t;
}

function lookupFieldNames(data: Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  for (const d of data)
    forEachLeaf(d, (p) => {
      names.add(p);
      return false;
    });
  return [...names];
}

function inferColumnType(data: Record<string, unknown>[], name: string): EsqlType {
  for (const d of data) {
    const v = valuesAt(d, name)[0];
    if (v !== undefined && v !== null) return inferSourceType(v) ?? "keyword";
  }
  return "keyword";
}

/**
 * A source field's values as ES|QL reads them from doc values (esql-multivalued-fields.html): keyword and ip
 * multi-values come back sorted and deduplicated, numbers, dates and booleans sorted; text keeps the source order.
 * Values the mapping would reject are dropped (Elasticsearch would have refused the document).
 */
export function sourceCell(raw: unknown[], type: EsqlType): Cell {
  const vals: Scalar[] = [];
  for (const v of raw) {
    const c = coerce(v, type);
    if (c !== undefined) vals.push(c);
  }
  if (vals.length > 1 && type !== "text" && type !== "unknown" && type !== "geo_point") {
    vals.sort((a, b) => compareValues(a, b, type));
    if (type === "keyword" || type === "ip" || type === "version")
      return cellOf(vals.filter((v, i) => i === 0 || compareValues(v, vals[i - 1]!, type) !== 0));
  }
  return cellOf(vals);
}

function coerce(v: unknown, type: EsqlType): Scalar | undefined {
  if (v === null || v === undefined) return undefined;
  switch (type) {
    case "keyword":
    case "text":
    case "version":
      return typeof v === "object" ? JSON.stringify(v) : String(v);
    case "integer":
    case "long":
    case "unsigned_long": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      return Number.isFinite(n) ? Math.trunc(n) : undefined;
    }
    case "double": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case "boolean":
      return typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined;
    case "date":
    case "date_nanos":
      return typeof v === "number" ? v : typeof v === "string" ? parseDateText(v) : undefined;
    case "ip":
      return typeof v === "string" ? parseIp(v) : undefined;
    case "geo_point": {
      if (typeof v === "object" && v !== null && "lat" in v && "lon" in v)
        return { x: Number((v as { lon: unknown }).lon), y: Number((v as { lat: unknown }).lat) };
      if (typeof v === "string") {
        const m = /^\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$/i.exec(v);
        if (m) return { x: Number(m[1]), y: Number(m[2]) };
        const ll = /^\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*$/.exec(v);
        if (ll) return { x: Number(ll[2]), y: Number(ll[1]) };
      }
      return undefined;
    }
    default:
      return typeof v === "object" ? undefined : (v as Scalar);
  }
}
