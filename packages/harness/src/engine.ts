/**
 * Engines behind one interface: the harness asks for "an engine for this rule" and never looks at the query
 * language itself. Today that is KQL in memory; EQL, Lucene or a real Elasticsearch plug in here without the
 * runner changing. A rule no engine supports gets `{unsupported: "<type>/<language>"}`, which the runner
 * reports as a failure, never as a skip.
 */
import type { FieldCatalog } from "@dac/kql";
import type { Rule } from "@dac/schema";
import type { EventDocument } from "./event-files.js";

export interface Evaluation {
  matched: boolean;
  /** Set when the engine cannot evaluate the event (Elasticsearch would reject the query): never a pass. */
  error?: string;
  /** Why, as display text; computed only when asked (failures, reports). */
  explain(): string;
}

export interface CompiledRule {
  evaluate(event: EventDocument): Evaluation;
  /** The field names the query reads, to trim events in failure reports (may contain `*`). */
  fields: readonly string[];
  /** The query's boolean structure with a test per leaf clause, for coverage (built on demand). */
  clauses?(): ClauseTree;
  /** Variants of the query for mutation testing (at most `limit`, and how many more there were), each compiled on demand. */
  mutants?(limit: number): { mutants: Mutant[]; skipped: number };
}

/** A query's boolean structure. `span` is the clause's place in the query text. */
export type ClauseTree =
  | { kind: "and" | "or"; children: ClauseTree[]; text: string; span: TextSpan }
  | { kind: "not"; child: ClauseTree; text: string; span: TextSpan }
  | { kind: "leaf"; text: string; span: TextSpan; test(event: EventDocument): boolean };

export interface TextSpan {
  start: number;
  end: number;
}

export interface Mutant {
  /** `drop-clause`, `swap-and-or`, `remove-not`, `change-literal`, `widen-wildcard`. */
  operator: string;
  description: string;
  /** The whole mutated query as text. */
  query: string;
  /** Where in the original query the change is. */
  span: TextSpan;
  /** Compiles the mutant against a catalogue (a case's field overrides apply to mutants too). */
  compile(context: EngineContext): CompiledRule;
}

export interface EngineContext {
  catalog: FieldCatalog;
  /** The clock for relative dates (`now-1d`); fixed in tests. */
  now?: Date;
}

export interface Engine {
  name: string;
  supports(rule: EngineRule): boolean;
  /** Throws `EngineError` when the rule cannot be compiled (for example a query syntax error). */
  compile(rule: EngineRule, context: EngineContext): CompiledRule;
}

export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineError";
  }
}

export type EngineChoice = Engine | { unsupported: string };

/** What engines read of a rule: its file name and its data (never the YAML source), so jobs can cross threads. */
export type EngineRule = Pick<Rule, "file" | "data">;

/** `<type>/<language>` as Kibana would default it (a query rule without `language` is KQL). */
export function ruleEngineKey(rule: EngineRule): string {
  const type = typeof rule.data.type === "string" ? rule.data.type : "unknown";
  return `${type}/${languageOf(rule)}`;
}

export function languageOf(rule: EngineRule): string {
  const { type, language } = rule.data;
  if (typeof language === "string") return language;
  switch (type) {
    case "query":
    case "threshold":
    case "new_terms":
    case "threat_match":
    case "saved_query":
      return "kuery";
    case "eql":
      return "eql";
    case "esql":
      return "esql";
    default:
      return "none";
  }
}

export function chooseEngine(rule: EngineRule, engines: readonly Engine[]): EngineChoice {
  return engines.find((engine) => engine.supports(rule)) ?? { unsupported: ruleEngineKey(rule) };
}

export function isUnsupported(choice: EngineChoice): choice is { unsupported: string } {
  return "unsupported" in choice;
}
