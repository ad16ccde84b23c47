/**
 * The in-memory Lucene engine: query and threshold rules with `language: lucene`, evaluated with Elasticsearch's
 * `query_string` semantics (`@dac/lucene`), with the rule's `filters` as for KQL. new_terms and indicator match
 * rules in Lucene run on their own engines with this query part (`ruleQueryFor`).
 */
import {
  buildPlan,
  explainPlan,
  fieldsOf,
  LuceneEvaluationError,
  LuceneSyntaxError,
  parse,
} from "@dac/lucene";
import type { BoolNode, Plan } from "@dac/lucene";
import type { FieldCatalog } from "@dac/fields";
import { EngineError, executeInMemory, languageOf } from "./engine.js";
import type { ClauseTree, CompiledRule, Engine, EngineContext, EngineRule, Mutant } from "./engine.js";
import type { CompiledFilters } from "./alerts/filters.js";
import { kqlEngine, parseRuleQuery, ruleFiltersFor } from "./kql-engine.js";
import { fieldsOf as kqlFieldsOf } from "@dac/kql";
import { luceneMutations } from "./lucene-mutants.js";

const compiledByRule = new WeakMap<
  object,
  { now: Date | undefined; byCatalog: WeakMap<FieldCatalog, CompiledRule> }
>();

export function parseLuceneQuery(rule: EngineRule): { ast: BoolNode; query: string } {
  const query = typeof rule.data.query === "string" ? rule.data.query : "";
  return { ast: parseLucene(query), query };
}

/** A Lucene query parsed; a syntax error becomes an engine error with its place (`what` names the query). */
export function parseLucene(query: string, what = ""): BoolNode {
  try {
    return parse(query);
  } catch (error) {
    if (error instanceof LuceneSyntaxError)
      throw new EngineError(
        `${what ? `${what}: ` : ""}syntax error at line ${error.line}, column ${error.column}: ${error.message}`,
      );
    throw error;
  }
}

function guarded<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof LuceneEvaluationError) throw new EngineError(error.message);
    throw error;
  }
}

export function compileLucene(
  ast: BoolNode,
  query: string,
  context: EngineContext,
  filters?: CompiledFilters,
): CompiledRule {
  const now = context.now;
  const options = { catalog: context.catalog, ...(now ? { now: () => now } : {}) };
  const plan = guarded(() => buildPlan(ast, options));
  const fields = [...new Set(fieldsOf(ast).map((f) => f.name))];
  return {
    evaluate(event) {
      try {
        const matched = plan.test(event);
        const rejected = matched ? filters?.rejects(event) : undefined;
        if (rejected)
          return {
            matched: false,
            explain: () =>
              `✗ the rule's filter ${rejected.index + 1} ${rejected.negate ? "(negated) " : ""}rejects the event: ${rejected.kql}\n  the query alone matches:\n${explainPlan(
                plan,
                event,
                query,
              )
                .split("\n")
                .map((l) => `  ${l}`)
                .join("\n")}`,
          };
        return { matched, explain: () => explainPlan(plan, event, query) };
      } catch (error) {
        if (!(error instanceof LuceneEvaluationError)) throw error;
        return {
          matched: false,
          error: error.message,
          explain: () => `✗ the query cannot be evaluated on this event: ${error.message}`,
        };
      }
    },
    fields,
    clauses: () => clauseTree(plan, query),
    mutants: (limit) => mutantsOf(ast, query, limit, filters),
  };
}

function mutantsOf(
  ast: BoolNode,
  query: string,
  limit: number,
  filters: CompiledFilters | undefined,
): { mutants: Mutant[]; skipped: number } {
  const mutants: Mutant[] = [];
  let skipped = 0;
  for (const m of luceneMutations(query, ast)) {
    if (mutants.length >= limit) {
      skipped++;
      continue;
    }
    let tree: BoolNode;
    try {
      tree = parse(m.query);
    } catch (error) {
      // A rewrite the parser refuses is no mutant of this query.
      if (error instanceof LuceneSyntaxError) continue;
      throw error;
    }
    mutants.push({
      operator: m.operator,
      description: m.description,
      query: m.query,
      span: m.span,
      // The rule's filters stay as they are: mutants change the query only.
      compile: (context) => compileLucene(tree, m.query, context, filters),
    });
  }
  return { mutants, skipped };
}

/**
 * Coverage's boolean structure: a group with `must`/`must_not` clauses is their AND (its `should` clauses then
 * do not decide the match, so they are left out); a group of only `should` clauses is their OR.
 */
function clauseTree(plan: Plan, query: string): ClauseTree {
  const text = query.slice(plan.node.span.start, plan.node.span.end);
  const span = plan.node.span;
  if (plan.kind === "leaf") return { kind: "leaf", text, span, test: (event) => safe(plan.test, event) };
  const required = plan.clauses.filter((c) => c.occur !== "should");
  const tree = (c: (typeof plan.clauses)[number]): ClauseTree => {
    const child = clauseTree(c.plan, query);
    return c.occur === "must_not" ? { kind: "not", child, text: child.text, span: child.span } : child;
  };
  const children = (required.length > 0 ? required : plan.clauses).map(tree);
  if (children.length === 1) return children[0]!;
  if (children.length === 0) return { kind: "leaf", text, span, test: () => true };
  return { kind: required.length > 0 ? "and" : "or", children, text, span };
}

function safe(test: (doc: unknown) => boolean, event: unknown): boolean {
  try {
    return test(event);
  } catch (error) {
    if (error instanceof LuceneEvaluationError) return false;
    throw error;
  }
}

function compiledFor(rule: EngineRule, context: EngineContext): CompiledRule {
  let entry = compiledByRule.get(rule.data);
  if (!entry || entry.now !== context.now) {
    entry = { now: context.now, byCatalog: new WeakMap() };
    compiledByRule.set(rule.data, entry);
  }
  let compiled = entry.byCatalog.get(context.catalog);
  if (!compiled) {
    const { ast, query } = parseLuceneQuery(rule);
    compiled = compileLucene(ast, query, context, ruleFiltersFor(rule, context));
    entry.byCatalog.set(context.catalog, compiled);
  }
  return compiled;
}

export const luceneEngine: Engine = {
  name: "lucene",
  supports: (rule) =>
    (rule.data.type === "query" || rule.data.type === "threshold") && languageOf(rule) === "lucene",
  compile: compiledFor,
  execute(rule, executions, options = {}) {
    const { ast } = parseLuceneQuery(rule);
    const run = executeInMemory(rule, executions, (context) => compiledFor(rule, context), options);
    return Promise.resolve({ ...run, fields: [...new Set(fieldsOf(ast).map((f) => f.name))] });
  },
};

/** The in-memory engine of a rule's query part: Lucene or KQL by its `language`. */
export function ruleQueryEngine(rule: EngineRule): Engine {
  return languageOf(rule) === "lucene" ? luceneEngine : kqlEngine;
}

/** The fields a rule's query names, in either language (a syntax error is an engine error). */
export function ruleQueryFields(rule: EngineRule): string[] {
  const query = typeof rule.data.query === "string" ? rule.data.query : "";
  if (languageOf(rule) === "lucene") return [...new Set(fieldsOf(parseLucene(query)).map((f) => f.name))];
  return [...new Set(kqlFieldsOf(parseRuleQuery(rule).ast).map((f) => f.name))];
}
