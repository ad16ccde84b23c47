/**
 * KQL lint: queries that parse, but where Kibana or Elasticsearch do something the author probably did not mean.
 * Codes DAC410–DAC417. The catalogue-dependent checks (DAC412, DAC413, DAC415) run only with a field catalogue.
 */
import type { IsNode, KqlNode, RangeNode, Span } from "./ast.js";
import type { FieldCatalog } from "@dac/fields";
import { resolveField, type FieldResolution } from "@dac/fields";
import { toQueryStringQuery } from "./dsl.js";
import { parse } from "./parser.js";
import { clipText, quoteValue } from "@dac/fields";
import { print, printValue } from "./print.js";

/** Terms of a split wildcard listed in a message. */
const MAX_TERMS = 5;
/** Longest lint message or hint. */
const MAX_MESSAGE = 600;
import { fullFieldName, visit } from "./walk.js";

export interface KqlLintFinding {
  code: string;
  name: string;
  severity: "warning";
  message: string;
  hint?: string;
  span: Span;
}

export interface LintOptions {
  /** Field types for DAC412, DAC413 and DAC415; without it those checks are skipped. */
  catalog?: FieldCatalog;
}

const NAMES: Record<string, string> = {
  DAC410: "or-splitting",
  DAC411: "question-mark-literal",
  DAC412: "case-sensitive-keyword",
  DAC413: "wildcard-on-text",
  DAC414: "leading-wildcard",
  DAC415: "never-matches",
  DAC416: "keyword-in-value",
  DAC417: "unquoted-phrase",
};

const CASE_SENSITIVE_TYPES = new Set(["keyword", "constant_keyword", "wildcard"]);
const TEXT_TYPES = new Set(["text", "match_only_text"]);
const TRAILING_KEYWORD = /\s(or|and|not)$/i;

export function lint(query: string | KqlNode, options: LintOptions = {}): KqlLintFinding[] {
  const ast = typeof query === "string" ? parse(query) : query;
  const { catalog } = options;
  const out: KqlLintFinding[] = [];
  const report = (code: string, span: Span, message: string, hint?: string): void => {
    // Values are cut where they are quoted; this bounds the rest (clauses listed by and/or, hints).
    const finding: KqlLintFinding = {
      code,
      name: NAMES[code]!,
      severity: "warning",
      message: clipText(message, MAX_MESSAGE),
      span,
    };
    if (hint !== undefined) finding.hint = clipText(hint, MAX_MESSAGE);
    out.push(finding);
  };

  visit(ast, (node, { nestedPath }) => {
    if (node.type === "is") lintIs(node, report);
    if (node.type === "range") lintTrailingKeyword(node, report);
    if (
      catalog &&
      (node.type === "is" || node.type === "range") &&
      node.field &&
      node.field.wildcard === null
    ) {
      const name = fullFieldName(node.field, nestedPath);
      lintWithCatalog(node, name, resolveField(catalog, name), nestedPath, report);
    }
  });
  return out.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
}

type Report = (code: string, span: Span, message: string, hint?: string) => void;

function lintIs(node: IsNode, report: Report): void {
  const { value } = node;
  const clause = print(node);
  const shown = printValue(value);
  if (value.type === "wildcard") {
    const lone = value.parts.length === 2 && value.parts[0] === "" && value.parts[1] === "";
    if (lone) return;
    if (value.parts.some((part) => /\s/.test(part))) {
      const sent = toQueryStringQuery(value.parts);
      const terms = sent.split(/\s+/).filter(Boolean);
      report(
        "DAC410",
        value.span,
        `${quoteValue(clause)} is sent as query_string ${quoteValue(sent)}, which Elasticsearch splits at spaces: it matches ${terms
          .slice(0, MAX_TERMS)
          .map((t) => quoteValue(t))
          .join(" OR ")}${terms.length > MAX_TERMS ? ` OR … (${terms.length} terms)` : ""}`,
        "query_string cannot keep a space inside a wildcard term; replace each space with `*` (one term), " +
          "or quote the value if no wildcard is needed",
      );
    }
    if (value.parts[0] === "") {
      report(
        "DAC414",
        value.span,
        `leading wildcard in ${quoteValue(shown)}: Elasticsearch has to scan every term of the field`,
        "anchor the pattern at its start if you can; Kibana rejects leading wildcards where " +
          "query:allowLeadingWildcards is off (detection rules allow them)",
      );
    }
    if (value.parts.some((part) => part.includes("?"))) reportQuestionMark(value.span, shown, report);
    const last = value.parts[value.parts.length - 1]!;
    if (TRAILING_KEYWORD.test(last)) reportTrailingKeyword(value.span, clause, last, report);
    return;
  }
  if (value.quoted || typeof value.value !== "string") return;
  if (value.value.includes("?")) reportQuestionMark(value.span, shown, report);
  if (TRAILING_KEYWORD.test(value.value)) {
    reportTrailingKeyword(value.span, clause, value.value, report);
  } else if (/\s/.test(value.value)) {
    const quoted = JSON.stringify(value.value);
    report(
      "DAC417",
      value.span,
      node.field === null
        ? `the unquoted free text ${quoteValue(shown)} matches documents containing any of its words`
        : `the unquoted value ${quoteValue(shown)} is sent as \`match\`: on a text field any one of its words matches, ` +
            `on a keyword field only the whole value`,
      `quote it (${quoted}) if you mean the phrase`,
    );
  }
}

function reportQuestionMark(span: Span, shown: string, report: Report): void {
  report(
    "DAC411",
    span,
    `\`?\` is not a wildcard in KQL: ${quoteValue(shown)} matches a literal \`?\``,
    "use `*` for any run of characters; KQL has no single-character wildcard",
  );
}

function reportTrailingKeyword(span: Span, clause: string, text: string, report: Report): void {
  const word = TRAILING_KEYWORD.exec(text)![1]!;
  report(
    "DAC416",
    span,
    `the trailing ${quoteValue(word)} is part of the value: ${quoteValue(clause)} compares with ${quoteValue(text.trim())}`,
    `finish the expression after ${quoteValue(word)}, or remove it`,
  );
}

function lintTrailingKeyword(node: RangeNode, report: Report): void {
  const { value } = node;
  if (!value.quoted && typeof value.value === "string" && TRAILING_KEYWORD.test(value.value)) {
    reportTrailingKeyword(value.span, print(node), value.value, report);
  }
}

function lintWithCatalog(
  node: IsNode | RangeNode,
  name: string,
  resolution: FieldResolution,
  nestedPath: string | null,
  report: Report,
): void {
  const clause = print(node);
  if (resolution.kind === "unmapped") {
    report(
      "DAC415",
      node.span,
      `${quoteValue(clause)} never matches: ${resolution.reason}`,
      "declare the field (schemas/fields/ or metadata.fields), or fix its name",
    );
    return;
  }
  // An unknown field under the `keyword` policy is reported as unknown by validation; no type advice on a guess.
  if (resolution.kind === "policy") return;
  const { info } = resolution;
  if (info.nestedPath !== undefined && info.nestedPath !== nestedPath) {
    report(
      "DAC415",
      node.span,
      nestedPath === null
        ? `field ${quoteValue(name)} lies inside the nested object ${quoteValue(info.nestedPath)}: outside a nested group ${quoteValue(clause)} never matches`
        : `field ${quoteValue(name)} lies inside the nested object ${quoteValue(info.nestedPath)}, not ${quoteValue(nestedPath)}: ${quoteValue(clause)} never matches`,
      `write it as \`${info.nestedPath}:{ ${name.slice(info.nestedPath.length + 1)}:... }\``,
    );
  }
  if (node.type !== "is") return;
  const { value } = node;
  if (value.type === "wildcard") {
    const lone = value.parts.length === 2 && value.parts[0] === "" && value.parts[1] === "";
    if (lone) return;
    if (TEXT_TYPES.has(info.type)) {
      report(
        "DAC413",
        value.span,
        `${quoteValue(name)} is a ${info.type} field: the wildcard ${quoteValue(printValue(value))} is matched against each analysed ` +
          `(lower-cased) word, not against the whole value`,
        "use a keyword field (or multi-field) for whole-value wildcards",
      );
    }
  }
  const text = value.type === "wildcard" ? value.parts.join("") : value.value;
  const caseSensitive = CASE_SENSITIVE_TYPES.has(info.type) && info.normalizer === undefined;
  if (caseSensitive && typeof text === "string" && /\p{Lu}/u.test(text) && /\p{Ll}/u.test(text)) {
    report(
      "DAC412",
      value.span,
      `${quoteValue(name)} is a ${info.type} field, compared case-sensitively: ${quoteValue(printValue(value))} matches only this exact case`,
      "match the case the data has, or list the variants: `f:(Value or value)`",
    );
  }
}
