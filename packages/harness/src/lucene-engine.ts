/**
 * The in-memory Lucene engine: custom query rules with `language: lucene`, evaluated with Elasticsearch's
 * `query_string` semantics (`@dac/lucene`). As for KQL, only `type: query` runs here: the other types' alerts
 * depend on many events.
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
import type { ClauseTree, CompiledRule, Engine, EngineContext, EngineRule } from "./engine.js";

const compiledByRule = new WeakMap<
  object,
  { now: Date | undefined; byCatalog: WeakMap<FieldCatalog, CompiledRule> }
>();

function parseLuceneQuery(rule: EngineRule): { ast: BoolNode; query: string } {
  const query = typeof rule.data.query === "string" ? rule.data.query : "";
  try {
    return { ast: parse(query), query };
  } catch (error) {
    if (error instanceof LuceneSyntaxError)
      throw new EngineError(`syntax error at line ${error.line}, column ${error.column}: ${error.message}`);
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

export function compileLucene(ast: BoolNode, query: string, context: EngineContext): CompiledRule {
  const now = context.now;
  const options = { catalog: context.catalog, ...(now ? { now: () => now } : {}) };
  const plan = guarded(() => buildPlan(ast, options));
  const fields = [...new Set(fieldsOf(ast).map((f) => f.name))];
  return {
    evaluate(event) {
      try {
        const matched = plan.test(event);
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
  };
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
    compiled = compileLucene(ast, query, context);
    entry.byCatalog.set(context.catalog, compiled);
  }
  return compiled;
}

export const luceneEngine: Engine = {
  name: "lucene",
  supports: (rule) => rule.data.type === "query" && languageOf(rule) === "lucene",
  compile: compiledFor,
  execute(rule, executions, options = {}) {
    const { ast } = parseLuceneQuery(rule);
    const run = executeInMemory(rule, executions, (context) => compiledFor(rule, context), options);
    return Promise.resolve({ ...run, fields: [...new Set(fieldsOf(ast).map((f) => f.name))] });
  },
};
