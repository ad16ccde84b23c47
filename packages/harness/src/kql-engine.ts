/**
 * The in-memory KQL engine: custom query rules (`type: query`) and threshold rules (`type: threshold`) in KQL.
 * The query (with the rule's `filters`) is compiled into closures per field catalogue; `executeRule`
 * (`alerts/execute.ts`) turns the matching events of an execution into the type's alerts.
 */
import {
  compile,
  explain,
  fieldsOf,
  formatExplain,
  KqlEvaluationError,
  KqlSyntaxError,
  parse,
  print,
} from "@dac/kql";
import type { KqlNode } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import { compileFilters, FilterError } from "./alerts/filters.js";
import type { CompiledFilters } from "./alerts/filters.js";
import { EngineError, executeInMemory, languageOf } from "./engine.js";
import type { ClauseTree, CompiledRule, Engine, EngineContext, EngineRule, Mutant } from "./engine.js";
import { lazyMutations } from "./kql-mutants.js";

/**
 * Compiled queries per rule and catalogue, so that `compile` (coverage, mutation) and `execute` share the work.
 * Keyed by the rule's data object and the catalogue object, both stable for a run, and dropped with them.
 */
const compiledByRule = new WeakMap<
  object,
  { now: Date | undefined; byCatalog: WeakMap<FieldCatalog, CompiledRule> }
>();

function compiledFor(rule: EngineRule, context: EngineContext): CompiledRule {
  let entry = compiledByRule.get(rule.data);
  if (!entry || entry.now !== context.now) {
    entry = { now: context.now, byCatalog: new WeakMap() };
    compiledByRule.set(rule.data, entry);
  }
  let compiled = entry.byCatalog.get(context.catalog);
  if (!compiled) {
    const { ast, query } = parseRuleQuery(rule);
    compiled = compileKql(ast, query, context, ruleFiltersFor(rule, context));
    entry.byCatalog.set(context.catalog, compiled);
  }
  return compiled;
}

/** The rule's query, parsed; a syntax error becomes an engine error with its place. */
export function parseRuleQuery(rule: EngineRule): { ast: KqlNode; query: string } {
  // Kibana stores a missing query as "", which matches every event.
  const query = typeof rule.data.query === "string" ? rule.data.query : "";
  try {
    return { ast: parse(query), query };
  } catch (error) {
    if (error instanceof KqlSyntaxError)
      throw new EngineError(`syntax error at line ${error.line}, column ${error.column}: ${error.message}`);
    throw error;
  }
}

/** The rule's `filters` compiled on this catalogue; a filter that cannot be evaluated fails the rule. */
export function ruleFiltersFor(rule: EngineRule, context: EngineContext): CompiledFilters | undefined {
  if (!Array.isArray(rule.data.filters) || rule.data.filters.length === 0) return undefined;
  try {
    return compileFilters(rule.data.filters, context.catalog, context.now);
  } catch (error) {
    if (error instanceof FilterError) throw new EngineError(error.message);
    throw error;
  }
}

/** The rule types this engine executes. */
export const inMemoryTypes = new Set(["query", "threshold"]);

export const kqlEngine: Engine = {
  name: "kql",
  supports: (rule) => inMemoryTypes.has(String(rule.data.type)) && languageOf(rule) === "kuery",
  compile: compiledFor,
  // In memory, every execution is every event evaluated on its own; a query rule alerts on each match.
  execute(rule, executions, options = {}) {
    const { ast } = parseRuleQuery(rule);
    const run = executeInMemory(rule, executions, (context) => compiledFor(rule, context), options);
    return Promise.resolve({ ...run, fields: [...new Set(fieldsOf(ast).map((f) => f.name))] });
  },
};

export function compileKql(
  ast: KqlNode,
  query: string,
  context: EngineContext,
  filters?: CompiledFilters,
): CompiledRule {
  const now = context.now;
  const options = { catalog: context.catalog, ...(now ? { now: () => now } : {}) };
  const predicate = guarded(() => compile(ast, options));
  return {
    evaluate(event) {
      try {
        const matched = predicate(event);
        const rejected = matched ? filters?.rejects(event) : undefined;
        if (rejected)
          return {
            matched: false,
            explain: () =>
              [
                `✗ the rule's filter ${rejected.index + 1} ${rejected.negate ? "(negated) " : ""}rejects the event: ${rejected.kql}`,
                "  the query alone matches:",
                ...formatExplain(explain(query, event, options))
                  .split("\n")
                  .map((l) => `  ${l}`),
              ].join("\n"),
          };
        return { matched, explain: () => formatExplain(explain(query, event, options)) };
      } catch (error) {
        // Some problems only show with a value in hand (a date that does not parse for the field, say).
        if (!(error instanceof KqlEvaluationError)) throw error;
        return {
          matched: false,
          error: error.message,
          explain: () => `✗ the query cannot be evaluated on this event: ${error.message}`,
        };
      }
    },
    fields: [...new Set(fieldsOf(ast).map((f) => f.name))],
    clauses: () => clauseTree(ast, options),
    mutants: (limit) => mutantsOf(ast, limit, filters),
  };
}

/** Compile problems (a type the catalogue rules out, say) become engine errors the runner reports. */
function guarded<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof KqlEvaluationError) throw new EngineError(error.message);
    throw error;
  }
}

/** The boolean structure, with every other node (a comparison, a nested group) as a leaf compiled on its own. */
function clauseTree(node: KqlNode, options: Parameters<typeof compile>[1]): ClauseTree {
  const text = print(node);
  switch (node.type) {
    case "and":
    case "or":
      return {
        kind: node.type,
        children: node.children.map((c) => clauseTree(c, options)),
        text,
        span: node.span,
      };
    case "not":
      return { kind: "not", child: clauseTree(node.child, options), text, span: node.span };
    default: {
      let test: ((event: Record<string, unknown>) => boolean) | undefined;
      return {
        kind: "leaf",
        text,
        span: node.span,
        test: (event) => {
          test ??= guarded(() => compile(node, options));
          try {
            return test(event);
          } catch (error) {
            if (error instanceof KqlEvaluationError) return false;
            throw error;
          }
        },
      };
    }
  }
}

function mutantsOf(
  ast: KqlNode,
  limit: number,
  filters: CompiledFilters | undefined,
): { mutants: Mutant[]; skipped: number } {
  const original = print(ast);
  const seen = new Set([original]);
  const mutants: Mutant[] = [];
  let skipped = 0;
  for (const m of lazyMutations(ast, print)) {
    // Past the limit, only count: building and printing each mutant costs as much as the query is long.
    if (mutants.length >= limit) {
      skipped++;
      continue;
    }
    const tree = m.tree();
    const query = print(tree);
    // Equivalent or repeated mutants add nothing.
    if (seen.has(query)) continue;
    seen.add(query);
    mutants.push({
      operator: m.operator,
      description: m.description,
      query,
      span: m.span,
      // The rule's filters stay as they are: mutants change the query only.
      compile: (context) => compileKql(tree, query, context, filters),
    });
  }
  return { mutants, skipped };
}
