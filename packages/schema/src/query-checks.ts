import { compile, fieldsOf, KqlEvaluationError, KqlSyntaxError, lint, parse } from "@dac/kql";
import { clipText, lookupField } from "@dac/fields";
import {
  compile as compileLucene,
  fieldsOf as luceneFieldsOf,
  LuceneEvaluationError,
  LuceneSyntaxError,
  parse as parseLucene,
} from "@dac/lucene";
import type { KqlNode, Span } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import {
  EqlSyntaxError,
  fieldsOf as eqlFieldsOf,
  parse as parseEql,
  validate as validateEql,
} from "@dac/eql";
import type { EqlQuery } from "@dac/eql";
import { EsqlSyntaxError, parseEsql, validateWithFields } from "@dac/esql";
import type { EsqlQuery } from "@dac/esql";
import { codeInfo } from "./codes.js";
import { classifyUnknownField } from "./unknown-field.js";
import type { QueryCheckOptions } from "./unknown-field.js";

export type { QueryCheckOptions };
import type { Diagnostic } from "./diagnostic.js";
import { diagnosticAt, scalarOffsetToPosition } from "./position.js";
import type { Rule } from "./rule.js";

const MAX_MESSAGE = 600;

/** Rule types whose `query` (and `threat_query`) are KQL or Lucene. */
const kqlFamily = new Set(["query", "threshold", "new_terms", "threat_match", "saved_query"]);

/** The KQL and Lucene queries of a rule, keyed by the YAML key that holds them, with their language. */
export function ruleQueries(rule: Rule): { key: "query" | "threat_query"; text: string; language: string }[] {
  const { data } = rule;
  if (!kqlFamily.has(data.type)) return [];
  const out: { key: "query" | "threat_query"; text: string; language: string }[] = [];
  const language = typeof data.language === "string" ? data.language : "kuery";
  if (typeof data.query === "string") out.push({ key: "query", text: data.query, language });
  // The indicator query has a language of its own (`threat_language`, default kuery).
  if (data.type === "threat_match" && typeof data.threat_query === "string") {
    const threatLanguage = typeof data.threat_language === "string" ? data.threat_language : "kuery";
    out.push({ key: "threat_query", text: data.threat_query, language: threatLanguage });
  }
  return out.filter((q) => q.language === "kuery" || q.language === "lucene");
}

/** The KQL queries of a rule, keyed by the YAML key that holds them. */
export function kqlQueries(rule: Rule): { key: "query" | "threat_query"; text: string }[] {
  return ruleQueries(rule)
    .filter((q) => q.language === "kuery")
    .map(({ key, text }) => ({ key, text }));
}

function spanDiagnostic(
  rule: Rule,
  key: string,
  span: Span,
  code: string,
  message: string,
  hint?: string,
  severity?: Diagnostic["severity"],
): Diagnostic {
  const start = scalarOffsetToPosition(rule.source, [key], span.start);
  const end = scalarOffsetToPosition(rule.source, [key], Math.max(span.start, span.end));
  const info = codeInfo(code);
  const d: Diagnostic = {
    file: rule.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    severity: severity ?? info.severity,
    code,
    name: info.name,
    // Messages quote parts of the query, which can be huge: bounded, as kql bounds the values it quotes.
    message: clipText(message, MAX_MESSAGE),
  };
  if (hint) d.hint = clipText(hint, MAX_MESSAGE);
  return d;
}

function unknownFieldDiagnostic(
  rule: Rule,
  key: string,
  field: { name: string; span: Span },
  catalog: FieldCatalog,
  options: QueryCheckOptions,
): Diagnostic {
  const { code, message, hint } = classifyUnknownField(catalog, field.name, options);
  return spanDiagnostic(rule, key, field.span, code, message, hint);
}

/** Query syntax, unknown fields, type misuse and KQL lint, reported inside the rule's YAML. */
export function checkQueries(
  rule: Rule,
  catalog: FieldCatalog,
  options: QueryCheckOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const language = rule.data.language;
  if (language === "eql" && typeof rule.data.query === "string") {
    out.push(...checkEqlQuery(rule, rule.data.query, catalog, options));
  } else if (language === "esql" && typeof rule.data.query === "string") {
    out.push(...checkEsqlQuery(rule, rule.data.query, catalog, options));
  } else if (
    language &&
    language !== "kuery" &&
    language !== "lucene" &&
    typeof rule.data.query === "string"
  ) {
    out.push(
      diagnosticAt(rule.source, ["language"], {
        code: "DAC405",
        message: `no local parser for ${language} yet: the query is not checked for syntax or fields`,
      }),
    );
  }
  for (const { key, text } of ruleQueries(rule).filter((q) => q.language === "lucene"))
    out.push(...checkLucene(rule, key, text, catalog, options));
  for (const { key, text } of kqlQueries(rule)) {
    let ast: KqlNode;
    try {
      ast = parse(text);
    } catch (error) {
      if (error instanceof KqlSyntaxError) {
        out.push(
          spanDiagnostic(
            rule,
            key,
            { start: error.offset, end: error.offset + 1 },
            "DAC401",
            `${key}: ${error.message}`,
          ),
        );
        continue;
      }
      throw error;
    }
    const unknown = new Set<string>();
    for (const field of fieldsOf(ast)) {
      if (field.name.includes("*") || lookupField(catalog, field.name)) continue;
      unknown.add(field.name);
      out.push(unknownFieldDiagnostic(rule, key, field, catalog, options));
    }
    try {
      compile(ast, { catalog });
    } catch (error) {
      if (error instanceof KqlEvaluationError) {
        // A misuse of a field the catalogue does not know is a guess about its mapping: the unknown-field
        // diagnostic above already says so (Kibana checks nesting only for fields its data view has).
        const field = (error as { field?: string }).field;
        const aboutUnknown =
          field !== undefined && [...unknown].some((u) => u === field || u.startsWith(`${field}.`));
        if (!aboutUnknown) {
          const span = (error as { span?: Span }).span ?? { start: 0, end: text.length };
          out.push(spanDiagnostic(rule, key, span, "DAC403", `${key}: ${error.message}`));
        }
      } else throw error;
    }
    for (const finding of lint(ast, { catalog })) {
      if (finding.code === "DAC415" && [...unknown].some((name) => finding.message.includes(name))) continue;
      out.push(
        spanDiagnostic(
          rule,
          key,
          finding.span,
          finding.code,
          finding.message,
          finding.hint,
          finding.severity,
        ),
      );
    }
  }
  return out;
}

/**
 * A Lucene query: syntax (DAC401), unknown fields (DAC402/DAC406, the same policy as KQL) and values its field
 * types cannot take (DAC403). What the in-memory engine does not model (regex, fuzzy) is not a rule error here.
 */
function checkLucene(
  rule: Rule,
  key: string,
  text: string,
  catalog: FieldCatalog,
  options: QueryCheckOptions,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  let ast: ReturnType<typeof parseLucene>;
  try {
    ast = parseLucene(text);
  } catch (error) {
    if (!(error instanceof LuceneSyntaxError)) throw error;
    const span = { start: error.offset, end: error.offset + 1 };
    return [spanDiagnostic(rule, key, span, "DAC401", `${key}: ${error.message}`)];
  }
  const unknown = new Set<string>();
  for (const field of luceneFieldsOf(ast)) {
    // `_exists_` names its field as the value; `*` and patterns match what exists.
    if (field.name === "_exists_" || field.name.includes("*") || lookupField(catalog, field.name)) continue;
    if (unknown.has(field.name)) continue;
    unknown.add(field.name);
    out.push(unknownFieldDiagnostic(rule, key, field, catalog, options));
  }
  try {
    compileLucene(ast, { catalog });
  } catch (error) {
    if (!(error instanceof LuceneEvaluationError)) throw error;
    const field = error.field;
    const aboutUnknown = field !== undefined && unknown.has(field);
    if (!aboutUnknown && !/not modelled/.test(error.message)) {
      const span = error.span ?? { start: 0, end: text.length };
      out.push(spanDiagnostic(rule, key, span, "DAC403", `${key}: ${error.message}`));
    }
  }
  return out;
}

/**
 * ES|QL syntax (DAC401), unknown source fields (DAC402/DAC406, as for KQL and EQL), unknown columns (DAC440), type
 * and arity errors (DAC441), aggregate misuse (DAC442), unsupported functions (DAC443) and ES|QL lint.
 */
function checkEsqlQuery(
  rule: Rule,
  text: string,
  catalog: FieldCatalog,
  options: QueryCheckOptions,
): Diagnostic[] {
  let ast: EsqlQuery;
  try {
    ast = parseEsql(text);
  } catch (error) {
    if (error instanceof EsqlSyntaxError)
      return [
        spanDiagnostic(
          rule,
          "query",
          { start: error.offset, end: error.end },
          "DAC401",
          `query: ${error.message}`,
        ),
      ];
    throw error;
  }
  const out: Diagnostic[] = [];
  const checked = validateWithFields(ast, { catalog });
  for (const field of checked.fields) {
    if (lookupField(catalog, field.name)) continue;
    // ES|QL resolves columns against the mapping of every index FROM names (often several integrations), so an
    // unknown field is a warning here: the catalogue may lack one of those integrations' fields.
    out.push({ ...unknownFieldDiagnostic(rule, "query", field, catalog, options), severity: "warning" });
  }
  for (const f of checked.findings)
    out.push(spanDiagnostic(rule, "query", f.span, f.code, `query: ${f.message}`, f.hint, f.severity));
  return out;
}

/** EQL syntax (DAC401), unknown fields (DAC402/DAC406, `?field` exempt), type misuse (DAC403) and EQL lint. */
function checkEqlQuery(
  rule: Rule,
  text: string,
  catalog: FieldCatalog,
  options: QueryCheckOptions,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  let ast: EqlQuery;
  try {
    ast = parseEql(text);
  } catch (error) {
    if (error instanceof EqlSyntaxError)
      return [
        spanDiagnostic(
          rule,
          "query",
          { start: error.offset, end: error.end },
          "DAC401",
          `query: ${error.message}`,
        ),
      ];
    throw error;
  }
  const seen = new Set<string>();
  for (const field of eqlFieldsOf(ast)) {
    // Elasticsearch resolves `?field` to null when the mapping lacks it (EQL syntax reference, "Optional fields").
    if (field.optional || lookupField(catalog, field.name)) continue;
    if (seen.has(field.name)) continue;
    seen.add(field.name);
    out.push(unknownFieldDiagnostic(rule, "query", field, catalog, options));
  }
  const override = rule.data.event_category_override;
  const findings = validateEql(ast, {
    catalog,
    categoryField: typeof override === "string" && override ? override : "event.category",
  });
  for (const f of findings)
    out.push(spanDiagnostic(rule, "query", f.span, f.code, f.message, f.hint, f.severity));
  return out;
}
