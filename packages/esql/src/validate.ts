/**
 * Validation: the engine's walk without rows. Unknown columns (DAC440), type and arity errors (DAC441),
 * aggregates outside STATS (DAC442), functions and commands dac does not model (DAC443). Unknown source fields are
 * not findings here: `fieldsOf` lists them for @dac/schema, which reports them with the catalogue's policy
 * (DAC402/DAC406), as it does for KQL and EQL.
 */
import type { FieldCatalog } from "@dac/fields";
import type { EsqlQuery, Span } from "./ast.js";
import { type EsqlFinding, runEngine } from "./engine.js";

export type { EsqlFinding } from "./engine.js";

export interface ValidateOptions {
  catalog: FieldCatalog;
  params?: Record<string, unknown>;
}

export function validateEsql(q: EsqlQuery, options: ValidateOptions): EsqlFinding[] {
  const text = q.text;
  const { findings } = runEngine(q, text, {
    catalog: options.catalog,
    ...(options.params ? { params: options.params } : {}),
  });
  return findings;
}

/** The source fields the query reads: names resolved against the FROM index, KQL() fields included. */
export function fieldsOf(q: EsqlQuery): { name: string; span: Span }[] {
  return validateWithFields(q, {}).fields;
}

/**
 * `validateEsql` and `fieldsOf` in one walk (validation reports every finding and walks the whole query, so the
 * source fields it meets are those `fieldsOf` lists).
 */
export function validateWithFields(
  q: EsqlQuery,
  options: Partial<ValidateOptions>,
): { findings: EsqlFinding[]; fields: { name: string; span: Span }[] } {
  const fields: { name: string; span: Span }[] = [];
  const seen = new Set<string>();
  const { findings } = runEngine(q, q.text, {
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.params ? { params: options.params } : {}),
    onSourceField: (name, span) => {
      if (seen.has(name) || isMetadata(name)) return;
      seen.add(name);
      fields.push({ name, span });
    },
  });
  return { findings, fields };
}

function isMetadata(name: string): boolean {
  return name === "_id" || name === "_index" || name === "_version" || name === "_score";
}

/** Whether the query aggregates (a STATS that is not INLINE): Kibana then makes one alert per result row. */
export function isAggregating(q: EsqlQuery): boolean {
  return q.commands.some((c) => c.type === "stats" && !c.inline);
}

/** `FROM … METADATA _id`: Kibana deduplicates a non-aggregating rule's alerts by `_id`. */
export function hasMetadataId(q: EsqlQuery): boolean {
  return q.source.type === "from" && q.source.metadata.some((m) => m.name === "_id");
}
