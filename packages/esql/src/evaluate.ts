/**
 * The public evaluator: runs a query over source documents with ES|QL's semantics and answers in the shape of
 * `POST /_query` (columns and values), with the warnings Elasticsearch would send in `Warning` headers.
 */
import type { FieldCatalog } from "@dac/fields";
import type { Command, EsqlQuery } from "./ast.js";
import { type EsqlFinding, type Table, runEngine } from "./engine.js";
import { EsqlEvaluationError } from "./errors.js";
import { jsonCell } from "./values.js";

export interface EsqlInput {
  /** Source documents (ECS-shaped JSON: nested objects or dotted keys, arrays are multi-values). */
  rows: Record<string, unknown>[];
  catalog?: FieldCatalog;
  now?: Date;
  params?: Record<string, unknown>;
  /** ENRICH policy and LOOKUP JOIN index data, by policy or index name. */
  lookups?: Record<string, Record<string, unknown>[]>;
}

export interface EsqlResult {
  columns: { name: string; type: string }[];
  values: unknown[][];
  warnings: string[];
}

export interface EsqlTraceStep {
  command: string;
  columns: { name: string; type: string }[];
  values: unknown[][];
}

function toResult(table: Table): Omit<EsqlResult, "warnings"> {
  const columns = table.columns.map((c) => ({
    name: c.name,
    type: c.type === "unknown" ? "keyword" : c.type,
  }));
  const values = table.rows.map((r) => table.columns.map((c) => jsonCell(r[c.name] ?? null, c.type)));
  return { columns, values };
}

function check(findings: EsqlFinding[]): void {
  const error = findings.find((f) => f.severity === "error");
  if (error) throw new EsqlEvaluationError(error.message, error.span, error.code, error.hint);
}

/** Evaluates a query. Throws EsqlEvaluationError where Elasticsearch would refuse the query. */
export function evaluateEsql(q: EsqlQuery, input: EsqlInput): EsqlResult {
  const text = q.text;
  const { table, findings, warnings } = runEngine(q, text, input);
  check(findings);
  return { ...toResult(table), warnings };
}

/** The table after each command (for `dac explain`): the source first. */
export function traceEsql(q: EsqlQuery, input: EsqlInput): { steps: EsqlTraceStep[]; warnings: string[] } {
  const text = q.text;
  const steps: EsqlTraceStep[] = [];
  const { findings, warnings } = runEngine(q, text, {
    ...input,
    trace: (command: Command, table: Table) =>
      steps.push({
        command: text.slice(command.span.start, command.span.end),
        ...toResult({ columns: table.columns, rows: [...table.rows] }),
      }),
  });
  check(findings);
  return { steps, warnings };
}
