import {
  clipText,
  compile,
  fieldsOf,
  KqlEvaluationError,
  KqlSyntaxError,
  lint,
  lookupField,
  parse,
  suggestFields,
} from "@dac/kql";
import type { FieldCatalog, KqlNode, Span } from "@dac/kql";
import { codeInfo } from "./codes.js";
import type { Diagnostic } from "./diagnostic.js";
import { diagnosticAt, scalarOffsetToPosition } from "./position.js";
import type { Rule } from "./rule.js";

const MAX_MESSAGE = 600;

/** Rule types whose `query` (and `threat_query`) are KQL or Lucene. */
const kqlFamily = new Set(["query", "threshold", "new_terms", "threat_match", "saved_query"]);

/** The KQL queries of a rule, keyed by the YAML key that holds them. */
export function kqlQueries(rule: Rule): { key: "query" | "threat_query"; text: string }[] {
  const { data } = rule;
  if (!kqlFamily.has(data.type) || (data.language ?? "kuery") !== "kuery") return [];
  const out: { key: "query" | "threat_query"; text: string }[] = [];
  if (typeof data.query === "string") out.push({ key: "query", text: data.query });
  if (data.type === "threat_match" && typeof data.threat_query === "string")
    out.push({ key: "threat_query", text: data.threat_query });
  return out;
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

/** Query syntax, unknown fields, type misuse and KQL lint, reported inside the rule's YAML. */
export function checkQueries(rule: Rule, catalog: FieldCatalog): Diagnostic[] {
  const out: Diagnostic[] = [];
  const language = rule.data.language;
  if (language && language !== "kuery" && typeof rule.data.query === "string") {
    out.push(
      diagnosticAt(rule.source, ["language"], {
        code: "DAC405",
        message: `no local parser for ${language} yet: the query is not checked for syntax or fields`,
      }),
    );
  }
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
      const suggestions = suggestFields(catalog, field.name);
      out.push(
        spanDiagnostic(
          rule,
          key,
          field.span,
          "DAC402",
          `unknown field \`${field.name}\`${suggestions.length ? `, did you mean ${suggestions.map((s) => `\`${s}\``).join(" or ")}?` : ""}`,
          catalog.unknownFields === "unmapped"
            ? "the field is not mapped, so the clause never matches; declare it in schemas/fields/ or metadata.fields"
            : "declare it in schemas/fields/ or metadata.fields if it really exists",
        ),
      );
    }
    try {
      compile(ast, { catalog });
    } catch (error) {
      if (error instanceof KqlEvaluationError) {
        const span = (error as { span?: Span }).span ?? { start: 0, end: text.length };
        out.push(spanDiagnostic(rule, key, span, "DAC403", `${key}: ${error.message}`));
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
