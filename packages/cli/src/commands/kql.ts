import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  compile,
  dslFieldsFromCatalog,
  explain,
  formatExplain,
  KqlDslError,
  KqlEvaluationError,
  KqlSyntaxError,
  parse,
  print,
  toDsl,
} from "@dac/kql";
import { fieldCatalog } from "@dac/fields";
import type { CompileOptions, KqlNode } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import { parseEventFile } from "@dac/harness";
import type { EventDocument } from "@dac/harness";
import { formatDiagnosticsPretty, printable } from "@dac/report";
import type { Command, CommandContext, OptionSpec, ParsedArgs } from "../command.js";
import { stringOption, UsageError, formatOption } from "../command.js";

/** `--query`, `--query-file` and `--format`, shared by the query language command groups (kql, eql, esql). */
export function languageQueryOptions(language: string): Record<string, OptionSpec> {
  return {
    query: { type: "string", short: "q", valueName: language, description: "The query text." },
    "query-file": { type: "string", valueName: "FILE", description: "Read the query from FILE." },
    format: formatOption(),
  };
}

const queryOptions = languageQueryOptions("KQL");

export const catalogOptions: Record<string, OptionSpec> = {
  mapping: {
    type: "string",
    multiple: true,
    valueName: "FILE",
    description:
      "Field types: an Elasticsearch mapping (JSON, as GET <index>/_mapping returns) or a fields.yml file.",
  },
  "unknown-fields": {
    type: "string",
    valueName: "POLICY",
    choices: ["keyword", "unmapped"],
    default: "keyword",
    description: "How to treat fields the catalogue does not know.",
  },
  now: {
    type: "string",
    valueName: "DATE",
    description: "The time `now` stands for in date math (ISO 8601; default: the current time).",
  },
};

const eventOptions: Record<string, OptionSpec> = {
  events: {
    type: "string",
    short: "e",
    valueName: "FILE",
    description: "Events: ndjson, a JSON object or array, or a search response.",
  },
};

/** The query of `--query` or `--query-file` (exactly one), with where it came from for positions. */
export function readLanguageQuery(
  values: ParsedArgs["values"],
  ctx: CommandContext,
  language: string,
): { text: string; origin: string } {
  const inline = stringOption(values, "query");
  const file = stringOption(values, "query-file");
  if (inline !== undefined && file !== undefined)
    throw new UsageError("give either --query or --query-file, not both");
  if (inline !== undefined) return { text: inline, origin: "<query>" };
  if (file !== undefined) return { text: readText(file, ctx), origin: file };
  throw new UsageError(`a query is required: --query ${language} or --query-file FILE`);
}

const readQuery = (values: ParsedArgs["values"], ctx: CommandContext) =>
  readLanguageQuery(values, ctx, "KQL");

export function readText(file: string, ctx: CommandContext): string {
  try {
    return readFileSync(resolve(ctx.cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Parses, or prints the syntax error at its position in the query and returns undefined. */
function parseOrReport(query: { text: string; origin: string }, ctx: CommandContext): KqlNode | undefined {
  try {
    return parse(query.text);
  } catch (error) {
    if (!(error instanceof KqlSyntaxError)) throw error;
    const end = { line: error.line, column: error.column + 1 };
    ctx.stderr(
      formatDiagnosticsPretty(
        [
          {
            file: query.origin,
            line: error.line,
            column: error.column,
            endLine: end.line,
            endColumn: end.column,
            severity: "error",
            code: "DAC401",
            name: "query-syntax",
            message: error.message,
          },
        ],
        { color: ctx.color, sources: new Map([[query.origin, query.text]]) },
      ),
    );
    return undefined;
  }
}

export function buildCatalog(values: ParsedArgs["values"], ctx: CommandContext): FieldCatalog {
  const files = (values.mapping as string[] | undefined) ?? [];
  const mappings: unknown[] = [];
  const fieldFiles: string[] = [];
  for (const file of files) {
    if (/\.ya?ml$/i.test(file)) fieldFiles.push(resolve(ctx.cwd, file));
    else {
      try {
        mappings.push(JSON.parse(readText(file, ctx)));
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
      }
    }
  }
  return fieldCatalog({
    ecs: true,
    mappings,
    fieldFiles,
    unknownFields: (stringOption(values, "unknown-fields") ?? "keyword") as "keyword" | "unmapped",
  });
}

function nowOption(values: ParsedArgs["values"]): (() => Date) | undefined {
  const raw = stringOption(values, "now");
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now \`${raw}\` is not an ISO 8601 date`);
  return () => date;
}

export function readEvents(values: ParsedArgs["values"], ctx: CommandContext) {
  const file = stringOption(values, "events");
  if (!file) throw new UsageError("--events FILE is required");
  const parsed = parseEventFile(file, readText(file, ctx));
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    ctx.stderr(formatDiagnosticsPretty(parsed.diagnostics, { color: ctx.color }));
    throw new UsageError(`${file} has ${errors.length} unreadable event${errors.length === 1 ? "" : "s"}`);
  }
  return parsed.events.map((e) => e.document);
}

function evaluationFailed(error: unknown, ctx: CommandContext): number {
  if (error instanceof KqlEvaluationError) {
    ctx.stderr(`error: ${error.message}\n`);
    return 1;
  }
  throw error;
}

const parseCommand: Command = {
  name: "parse",
  summary: "Parse a query and print its syntax tree (with source spans).",
  usage: "dac kql parse --query KQL [options]",
  options: queryOptions,
  async run({ values }, ctx) {
    const ast = parseOrReport(readQuery(values, ctx), ctx);
    if (!ast) return 1;
    ctx.stdout(`${JSON.stringify(ast, null, stringOption(values, "format") === "json" ? undefined : 2)}\n`);
    return 0;
  },
};

const fmtCommand: Command = {
  name: "fmt",
  summary: "Print a query in canonical KQL.",
  usage: "dac kql fmt --query KQL",
  options: queryOptions,
  async run({ values }, ctx) {
    const ast = parseOrReport(readQuery(values, ctx), ctx);
    if (!ast) return 1;
    const text = print(ast);
    ctx.stdout(
      stringOption(values, "format") === "json" ? `${JSON.stringify({ query: text })}\n` : `${text}\n`,
    );
    return 0;
  },
};

const dslCommand: Command = {
  name: "dsl",
  summary:
    "Print the Elasticsearch query DSL that Kibana's detection engine builds for a rule with this query.",
  usage: "dac kql dsl --query KQL [--mapping FILE]",
  description:
    "Without --mapping, the DSL Kibana builds when it knows no field types (match, match_phrase, query_string). " +
    "With --mapping, the DSL of Kibana 8.15+, which loads the index's field types (term/wildcard on keyword, ranges on dates).",
  options: {
    ...queryOptions,
    mapping: catalogOptions.mapping!,
    "unknown-fields": catalogOptions["unknown-fields"]!,
  },
  async run({ values }, ctx) {
    const ast = parseOrReport(readQuery(values, ctx), ctx);
    if (!ast) return 1;
    const typed = ((values.mapping as string[] | undefined) ?? []).length > 0;
    try {
      const dsl = toDsl(ast, typed ? { fields: dslFieldsFromCatalog(buildCatalog(values, ctx)) } : {});
      ctx.stdout(`${JSON.stringify(dsl, null, stringOption(values, "format") === "json" ? undefined : 2)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof KqlDslError) {
        ctx.stderr(`error: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};

/**
 * `eval` and `explain` share everything but what they print per event: the query, the events, the catalogue,
 * the injectable `now`, and turning an Elasticsearch-style error into exit 1.
 */
function evaluationCommand(
  spec: Pick<Command, "name" | "summary" | "usage" | "description">,
  report: (
    ast: KqlNode,
    events: EventDocument[],
    options: CompileOptions,
    values: ParsedArgs["values"],
    ctx: CommandContext,
  ) => void,
): Command {
  return {
    ...spec,
    options: { ...queryOptions, ...eventOptions, ...catalogOptions },
    async run({ values }, ctx) {
      const ast = parseOrReport(readQuery(values, ctx), ctx);
      if (!ast) return 1;
      const events = readEvents(values, ctx);
      try {
        const now = nowOption(values);
        report(ast, events, { catalog: buildCatalog(values, ctx), ...(now ? { now } : {}) }, values, ctx);
        return 0;
      } catch (error) {
        return evaluationFailed(error, ctx);
      }
    },
  };
}

const evalCommand = evaluationCommand(
  {
    name: "eval",
    summary: "Evaluate a query on events with Elasticsearch semantics; one JSON line per event.",
    usage: "dac kql eval --query KQL --events FILE [--mapping FILE] [options]",
    description:
      'Writes {"index": N, "match": true|false} per event. Exit 0 whatever matched; 1 if the query is invalid.',
  },
  (ast, events, options, _values, ctx) => {
    const matches = compile(ast, options);
    ctx.stdout(
      events.map((event, index) => `${JSON.stringify({ index, match: matches(event) })}\n`).join(""),
    );
  },
);

const explainCommand = evaluationCommand(
  {
    name: "explain",
    summary: "Explain, clause by clause, why a query matches each event or not.",
    usage: "dac kql explain --query KQL --events FILE [--mapping FILE] [options]",
  },
  (ast, events, options, values, ctx) => {
    const json = stringOption(values, "format") === "json";
    events.forEach((event, index) => {
      const trace = explain(ast, event, options);
      ctx.stdout(
        json
          ? `${JSON.stringify({ index, trace })}\n`
          : `event ${index}:\n${printable(formatExplain(trace))}\n`,
      );
    });
  },
);

export const kqlCommand: Command = {
  name: "kql",
  summary: "Work with KQL queries: parse, fmt, dsl, eval, explain.",
  usage: "dac kql <parse|fmt|dsl|eval|explain> [options]",
  options: {},
  subcommands: [parseCommand, fmtCommand, dslCommand, evalCommand, explainCommand],
};
