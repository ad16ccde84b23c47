import { codeInfo } from "@dac/schema";
import type { FieldCatalog } from "@dac/fields";
import {
  EsqlEvaluationError,
  EsqlSyntaxError,
  evaluateEsql,
  parseEsql,
  printEsql,
  validateEsql,
} from "@dac/esql";
import type { EsqlFinding, EsqlQuery, EsqlResult } from "@dac/esql";
import { formatDiagnosticsPretty, printable } from "@dac/report";
import type { Command, CommandContext, OptionSpec, ParsedArgs } from "../command.js";
import { stringOption, UsageError } from "../command.js";
import { buildCatalog, catalogOptions, languageQueryOptions, readEvents, readLanguageQuery } from "./kql.js";

interface QueryText {
  text: string;
  origin: string;
}

const queryOptions = languageQueryOptions("ESQL");

const evalOptions: Record<string, OptionSpec> = {
  events: {
    type: "string",
    short: "e",
    valueName: "FILE",
    description: "The FROM indices' documents: ndjson, a JSON object or array, or a search response.",
  },
  lookup: {
    type: "string",
    multiple: true,
    valueName: "NAME=FILE",
    description:
      "Documents of a LOOKUP JOIN index or an ENRICH policy named NAME (same formats as --events).",
  },
  mapping: catalogOptions.mapping!,
  "unknown-fields": {
    ...catalogOptions["unknown-fields"]!,
    description:
      "Document fields the catalogue does not know: `keyword` takes their type from their values, `unmapped` leaves them out (not columns).",
  },
  now: {
    type: "string",
    valueName: "DATE",
    description: "The time NOW() returns (ISO 8601; default: the current time).",
  },
};

const readQuery = (values: ParsedArgs["values"], ctx: CommandContext) =>
  readLanguageQuery(values, ctx, "ESQL");

interface SpanFinding {
  start: number;
  end: number;
  severity: "error" | "warning";
  code: string;
  message: string;
  hint?: string | undefined;
}

/** Findings at file:line:col with the query line under them, as `dac validate` prints them. */
function report(query: QueryText, findings: SpanFinding[], ctx: CommandContext): void {
  const at = (offset: number) => {
    const before = query.text.slice(0, offset);
    return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
  };
  const diagnostics = findings.map((f) => {
    const start = at(f.start);
    const end = at(Math.max(f.end, f.start + 1));
    return {
      file: query.origin,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      severity: f.severity,
      code: f.code,
      name: codeInfo(f.code).name,
      message: f.message,
      ...(f.hint ? { hint: f.hint } : {}),
    };
  });
  ctx.stderr(
    formatDiagnosticsPretty(diagnostics, {
      color: ctx.color,
      sources: new Map([[query.origin, query.text]]),
    }),
  );
}

/** Parses, or prints the syntax error (DAC401, Elasticsearch's wording) at its position and returns undefined. */
function parseOrReport(query: QueryText, ctx: CommandContext): EsqlQuery | undefined {
  try {
    return parseEsql(query.text);
  } catch (error) {
    if (!(error instanceof EsqlSyntaxError)) throw error;
    report(
      query,
      [{ start: error.offset, end: error.end, severity: "error", code: "DAC401", message: error.message }],
      ctx,
    );
    return undefined;
  }
}

const fromFinding = (f: EsqlFinding): SpanFinding => ({
  start: f.span.start,
  end: f.span.end,
  severity: f.severity,
  code: f.code,
  message: f.message,
  hint: f.hint,
});

const parseCommand: Command = {
  name: "parse",
  summary: "Parse an ES|QL query and print its syntax tree (with source spans).",
  usage: "dac esql parse --query ESQL [options]",
  description: "Syntax only: `dac esql eval` and `dac validate` also check columns, types and functions.",
  options: queryOptions,
  async run({ values }, ctx) {
    const ast = parseOrReport(readQuery(values, ctx), ctx);
    if (!ast) return 1;
    // `text` is the input itself; the spans index it.
    const { text: _text, ...tree } = ast;
    ctx.stdout(`${JSON.stringify(tree, null, stringOption(values, "format") === "json" ? undefined : 2)}\n`);
    return 0;
  },
};

const fmtCommand: Command = {
  name: "fmt",
  summary: "Print an ES|QL query in canonical form (one command per line).",
  usage: "dac esql fmt --query ESQL [--check]",
  description:
    "The form `dac fmt` writes into rule files. Comments are not kept. Exit codes: 0 printed (with --check: already canonical), 1 a syntax error or, with --check, a query that is not canonical.",
  options: {
    ...queryOptions,
    check: {
      type: "boolean",
      description: "Print nothing; exit 1 if the query is not in canonical form.",
    },
  },
  async run({ values }, ctx) {
    const query = readQuery(values, ctx);
    const ast = parseOrReport(query, ctx);
    if (!ast) return 1;
    const text = printEsql(ast);
    if (values.check === true) {
      // A trailing newline (a query file's last line) is not a difference.
      if (query.text.replace(/\r?\n$/, "") === text) return 0;
      ctx.stderr(`${query.origin}: not in canonical form (run \`dac esql fmt\`)\n`);
      return 1;
    }
    ctx.stdout(
      stringOption(values, "format") === "json" ? `${JSON.stringify({ query: text })}\n` : `${text}\n`,
    );
    return 0;
  },
};

function readLookups(
  values: ParsedArgs["values"],
  ctx: CommandContext,
): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const spec of (values.lookup as string[] | undefined) ?? []) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--lookup \`${spec}\` is not NAME=FILE`);
    out[spec.slice(0, eq)] = readEvents({ events: spec.slice(eq + 1) }, ctx) as Record<string, unknown>[];
  }
  return out;
}

function nowOption(values: ParsedArgs["values"]): Date | undefined {
  const raw = stringOption(values, "now");
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now \`${raw}\` is not an ISO 8601 date`);
  return date;
}

/** A cell as Elasticsearch's `format=txt` writes it: strings bare, multi-values bracketed, null as `null`. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(cellText).join(", ")}]`;
  if (typeof v === "object") return JSON.stringify(v);
  return printable(String(v));
}

/** Aligned columns: the header, a rule, then one line per row. */
export function formatTable(result: Pick<EsqlResult, "columns" | "values">): string {
  const header = result.columns.map((c) => c.name);
  const rows = result.values.map((r) => r.map(cellText));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(" | ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("-+-"), ...rows.map(line)]
    .map((l) => `${l}\n`)
    .join("");
}

const evalCommand: Command = {
  name: "eval",
  summary: "Run an ES|QL query on documents with Elasticsearch's semantics and print the result table.",
  usage: "dac esql eval --query ESQL --events FILE [--mapping FILE] [options]",
  description:
    'The documents are the FROM indices\' contents (the FROM patterns are not matched against anything). Prints aligned columns, or with --format json the body of Elasticsearch\'s POST /_query response, {"columns": [{"name", "type"}], "values": [[...]]}, plus "warnings": the Warning headers Elasticsearch would send (also on stderr with the pretty format). Column types come from --mapping and ECS, then from the documents\' values. Exit codes: 0 the query ran (whatever it returned), 1 a syntax, validation or evaluation error at its line and column, 2 a usage error.',
  options: { ...queryOptions, ...evalOptions },
  async run({ values }, ctx) {
    const query = readQuery(values, ctx);
    const ast = parseOrReport(query, ctx);
    if (!ast) return 1;
    if (!stringOption(values, "events")) throw new UsageError("--events FILE is required");
    const catalog: FieldCatalog = buildCatalog(values, ctx);
    const rows = readEvents(values, ctx) as Record<string, unknown>[];
    const lookups = readLookups(values, ctx);
    const now = nowOption(values);
    // Validation first, so that every error is reported at its position, not only the first one.
    const errors = validateEsql(ast, { catalog }).filter((f) => f.severity === "error");
    if (errors.length > 0) {
      report(query, errors.map(fromFinding), ctx);
      return 1;
    }
    let result: EsqlResult;
    try {
      result = evaluateEsql(ast, { rows, catalog, lookups, ...(now ? { now } : {}) });
    } catch (error) {
      if (!(error instanceof EsqlEvaluationError)) throw error;
      // The documents' own types can make a query invalid that the catalogue alone could not judge.
      report(
        query,
        [
          {
            start: error.span.start,
            end: error.span.end,
            severity: "error",
            code: error.code ?? "DAC441",
            message: error.message,
          },
        ],
        ctx,
      );
      return 1;
    }
    if (stringOption(values, "format") === "json") {
      ctx.stdout(
        `${JSON.stringify({ columns: result.columns, values: result.values, warnings: result.warnings })}\n`,
      );
      return 0;
    }
    ctx.stdout(formatTable(result));
    for (const w of result.warnings) ctx.stderr(`warning: ${printable(w)}\n`);
    return 0;
  },
};

export const esqlCommand: Command = {
  name: "esql",
  summary: "Work with ES|QL queries: parse, fmt, eval.",
  usage: "dac esql <parse|fmt|eval> [options]",
  options: {},
  subcommands: [parseCommand, fmtCommand, evalCommand],
};
