/**
 * The alerts of a new_terms or indicator match execution, from a compiled query: what mutation testing reruns for
 * each mutant (of the query, or of the rule's settings) of these types. Other types: undefined (`executeRule`).
 */
import type { CompiledRule, EngineRule, Execution, ExecutionResult } from "./engine.js";
import { EngineError } from "./engine.js";
import { executeNewTerms } from "./new-terms-engine.js";
import { executeThreatMatch } from "./threat-match-engine.js";

export function typeExecution(
  rule: EngineRule,
  execution: Execution,
  compiled: CompiledRule,
): ExecutionResult | undefined {
  const options = execution.now ? { now: execution.now } : {};
  try {
    if (rule.data.type === "new_terms") return executeNewTerms(rule, execution, compiled, options);
    if (rule.data.type === "threat_match") return executeThreatMatch(rule, execution, compiled, options);
    if (compiled.execute) return compiled.execute(rule, execution);
  } catch (error) {
    if (error instanceof EngineError) return { error: error.message, events: [], alerts: [] };
    throw error;
  }
  return undefined;
}
