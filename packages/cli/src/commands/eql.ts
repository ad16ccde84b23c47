import {
  EqlEvaluationError,
  EqlSyntaxError,
  evaluate,
  explainFilter,
  explainSequence,
  formatExplain,
  parse,
  print,
} from "@dac/eql";
import type { EqlQuery, EvaluateOptions } from "@dac/eql";
import { formatDiagnosticsPretty, printable } from "@dac/report";
import type { Command, CommandContext, OptionSpec, ParsedArgs } from "../command.js";
import { stringOption, UsageError } from "../command.js";
import { buildCatalog, catalogOptions, languageQueryOptions, readEvents, readLanguageQuery } from "./kql.js";

const queryOptions = languageQueryOptions("EQL");

const evalOptions: Record<string, OptionSpec> = {
  events: {
    type: "string",
    short: "e",
    valueName: "FILE",
    description: "Events: ndjson, a JSON object or array, or a search response. Sorted by timestamp first.",
  },
  "timestamp-field": {
    type: "string",
    valueName: "FIELD",
    default: "@timestamp",
    description: "The field events are ordered by (EQL search API timestamp_field).",
  },
  "tiebreaker-field": {
    type: "string",
    valueName: "FIELD",
    description: "Orders events with equal timestamps (EQL search API tiebreaker_field).",
  },
  "event-category-field": {
    type: "string",
    valueName: "FIELD",
    default: "event.category",
    description: "The field `<category> where` compares (a rule's event_category_override).",
  },
  size: {
    type: "string",
    valueName: "N",
    description: "At most N results (EQL search API size; default: all).",
  },
  mapping: catalogOptions.mapping!,
  "unknown-fields": catalogOptions["unknown-fields"]!,
};

const readQuery = (values: ParsedArgs["values"], ctx: CommandContext) =>
  readLanguageQuery(values, ctx, "EQL");

/** Parses, or prints the syntax error at its position in the query and returns undefined. */
function parseOrReport(query: { text: string; origin: string }, ctx: CommandContext): EqlQuery | undefined {
  try {
    return parse(query.text);
  } catch (error) {
    if (!(error instanceof EqlSyntaxError)) throw error;
    const endText = query.text.slice(0, error.end);
    const endLine = endText.split("\n").length;
    const endColumn = error.end - endText.lastIndexOf("\n");
    ctx.stderr(
      formatDiagnosticsPretty(
        [
          {
            file: query.origin,
            line: error.line,
            column: error.column,
            endLine,
            endColumn: Math.max(endColumn, error.line === endLine ? error.column + 1 : endColumn),
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

function evaluateOptions(values: ParsedArgs["values"], ctx: CommandContext): EvaluateOptions {
  const sizeText = stringOption(values, "size");
  let size: number | undefined;
  if (sizeText !== undefined) {
    size = Number(sizeText);
    if (!Number.isInteger(size) || size < 0)
      throw new UsageError(`--size \`${sizeText}\` is not a whole number`);
  }
  const options: EvaluateOptions = {
    catalog: buildCatalog(values, ctx),
    timestampField: stringOption(values, "timestamp-field") ?? "@timestamp",
    eventCategoryField: stringOption(values, "event-category-field") ?? "event.category",
  };
  const tiebreaker = stringOption(values, "tiebreaker-field");
  if (tiebreaker) options.tiebreakerField = tiebreaker;
  if (size !== undefined) options.size = size;
  return options;
}

const parseCommand: Command = {
  name: "parse",
  summary: "Parse an EQL query and print its syntax tree (with source spans).",
  usage: "dac eql parse --query EQL [options]",
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
  summary: "Print an EQL query in canonical form (one sequence step per line).",
  usage: "dac eql fmt --query EQL",
  description: "Comments are not kept.",
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

function evaluationCommand(
  spec: Pick<Command, "name" | "summary" | "usage" | "description">,
  report: (
    ast: EqlQuery,
    events: Record<string, unknown>[],
    options: EvaluateOptions,
    values: ParsedArgs["values"],
    ctx: CommandContext,
  ) => void,
): Command {
  return {
    ...spec,
    options: { ...queryOptions, ...evalOptions },
    async run({ values }, ctx) {
      const ast = parseOrReport(readQuery(values, ctx), ctx);
      if (!ast) return 1;
      if (!stringOption(values, "events")) throw new UsageError("--events FILE is required");
      const options = evaluateOptions(values, ctx);
      const events = readEvents(values, ctx) as Record<string, unknown>[];
      try {
        report(ast, events, options, values, ctx);
        return 0;
      } catch (error) {
        if (error instanceof EqlEvaluationError) {
          ctx.stderr(`error: ${error.message}\n`);
          return 1;
        }
        throw error;
      }
    },
  };
}

const evalCommand = evaluationCommand(
  {
    name: "eval",
    summary: "Run an EQL query on events with Elasticsearch's semantics; one JSON line per result.",
    usage: "dac eql eval --query EQL --events FILE [--mapping FILE] [options]",
    description:
      'Events are ordered by --timestamp-field, then --tiebreaker-field, then file order; events without a timestamp are left out, as Elasticsearch does. Writes {"event": N} per matching event of an event query, and {"events": [N, ...], "join_keys": [...]} per sequence or sample (N: the event\'s 0-based position in the file). Exit 0 whatever matched; 1 if the query is invalid.',
  },
  (ast, events, options, _values, ctx) => {
    const results = evaluate(ast, events, options);
    const lines = results.map((r) =>
      ast.body.type === "event"
        ? JSON.stringify({ event: r.events[0] })
        : JSON.stringify({ events: r.events, join_keys: r.joinKeys ?? [] }),
    );
    ctx.stdout(lines.map((l) => `${l}\n`).join(""));
  },
);

const explainCommand = evaluationCommand(
  {
    name: "explain",
    summary: "Explain why an EQL query matches each event, or where a sequence stopped for each join key.",
    usage: "dac eql explain --query EQL --events FILE [--mapping FILE] [options]",
    description:
      "For an event query, clause by clause per event. For a sequence, per join key: the step its furthest partial sequence waited for and what stopped it (no matching event, maxspan, until, a missing event). For a sample, the per-event view of each filter.",
  },
  (ast, events, options, values, ctx) => {
    const json = stringOption(values, "format") === "json";
    const body = ast.body;
    if (body.type === "sequence") {
      for (const k of explainSequence(ast, events, options))
        ctx.stdout(json ? `${JSON.stringify(k)}\n` : `${printable(k.message)}\n`);
      return;
    }
    const filters = body.type === "event" ? [body] : body.steps.map((s) => s.filter);
    events.forEach((event, index) => {
      const traces = filters.map((f) => explainFilter(f, event, options));
      if (json) ctx.stdout(`${JSON.stringify({ index, trace: traces.length === 1 ? traces[0] : traces })}\n`);
      else ctx.stdout(`event ${index}:\n${traces.map((t) => printable(formatExplain(t))).join("\n")}\n`);
    });
  },
);

export const eqlCommand: Command = {
  name: "eql",
  summary: "Work with EQL queries: parse, fmt, eval, explain.",
  usage: "dac eql <parse|fmt|eval|explain> [options]",
  options: {},
  subcommands: [parseCommand, fmtCommand, evalCommand, explainCommand],
};
