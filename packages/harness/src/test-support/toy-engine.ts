/**
 * A toy engine for runner tests: the query is JSON (`{"and": [...]}`, `{"or": [...]}`, `{"not": ...}`,
 * `{"eq": [field, value]}` on top-level keys). It exercises the engine interface without any real language.
 */
import { loadYaml } from "@dac/schema";
import type { Rule } from "@dac/schema";
import { EngineError, executeInMemory } from "../engine.js";
import type { ClauseTree, CompiledRule, Engine, EngineContext, Mutant, TextSpan } from "../engine.js";
import type { EventDocument } from "../event-files.js";

export type ToyNode = { and: ToyNode[] } | { or: ToyNode[] } | { not: ToyNode } | { eq: [string, string] };

export const toyEngine: Engine = {
  name: "toy",
  supports: (rule) => rule.data.type === "query" && rule.data.language === "toy",
  execute: (rule, executions, options) =>
    Promise.resolve(
      executeInMemory(rule, executions, (context) => toyEngine.compile!(rule, context), options),
    ),
  compile: (rule, context) => {
    let tree: ToyNode;
    try {
      tree = JSON.parse(String(rule.data.query)) as ToyNode;
    } catch (error) {
      throw new EngineError((error as Error).message);
    }
    return compileToy(tree, String(rule.data.query), context);
  },
};

/** The catalogues the toy engine was compiled with, to check that field overrides reach the engine. */
export const seenCatalogs: EngineContext["catalog"][] = [];

function compileToy(tree: ToyNode, text: string, context: EngineContext): CompiledRule {
  seenCatalogs.push(context.catalog);
  const fields: string[] = [];
  const spanOf = (node: ToyNode): TextSpan => {
    const s = JSON.stringify(node);
    const start = Math.max(0, text.indexOf(s));
    return { start, end: start + s.length };
  };
  const toClauses = (node: ToyNode): ClauseTree => {
    const span = spanOf(node);
    if ("eq" in node) {
      fields.push(node.eq[0]);
      return { kind: "leaf", text: `${node.eq[0]}=${node.eq[1]}`, span, test: (e) => test(node, e) };
    }
    if ("not" in node) return { kind: "not", child: toClauses(node.not), text: JSON.stringify(node), span };
    const kind = "and" in node ? "and" : "or";
    const children = ("and" in node ? node.and : node.or).map(toClauses);
    return { kind, children, text: JSON.stringify(node), span };
  };
  const clauses = toClauses(tree);
  return {
    evaluate: (event) => {
      if (typeof event.fail === "string")
        return { matched: false, error: event.fail, explain: () => `✗ ${String(event.fail)}` };
      const matched = test(tree, event);
      return { matched, explain: () => `${matched ? "✓" : "✗"} ${JSON.stringify(tree)}` };
    },
    fields,
    clauses: () => clauses,
    mutants: (limit) => {
      const all = dropMutants(tree, tree, text, spanOf);
      return { mutants: all.slice(0, limit), skipped: Math.max(0, all.length - limit) };
    },
  };
}

function test(node: ToyNode, event: EventDocument): boolean {
  if ("eq" in node) return event[node.eq[0]] === node.eq[1];
  if ("not" in node) return !test(node.not, event);
  if ("and" in node) return node.and.every((c) => test(c, event));
  return node.or.some((c) => test(c, event));
}

/** Drop-one-child mutants of every and/or. */
function dropMutants(root: ToyNode, node: ToyNode, text: string, spanOf: (n: ToyNode) => TextSpan): Mutant[] {
  if ("eq" in node) return [];
  if ("not" in node) return dropMutants(root, node.not, text, spanOf);
  const key = "and" in node ? "and" : "or";
  const children = "and" in node ? node.and : node.or;
  const out: Mutant[] = [];
  children.forEach((child, i) => {
    const replaced = { [key]: children.filter((_, k) => k !== i) } as ToyNode;
    const mutated = JSON.parse(
      JSON.stringify(root).replace(JSON.stringify(node), JSON.stringify(replaced)),
    ) as ToyNode;
    const query = JSON.stringify(mutated);
    out.push({
      operator: "drop-clause",
      description: `dropped ${JSON.stringify(child)}`,
      query,
      span: spanOf(child),
      compile: (context) => compileToy(mutated, query, context),
    });
    out.push(...dropMutants(root, child, text, spanOf));
  });
  return out;
}

export function toyRuleYaml(fields: {
  name: string;
  query: unknown;
  type?: string;
  index?: string[];
  exempt?: string;
}): string {
  const lines = [
    "# yaml-language-server: $schema=../schemas/rule.schema.json",
    `name: ${fields.name}`,
    `rule_id: ${fields.name}-id`,
    `type: ${fields.type ?? "query"}`,
    "language: toy",
    `index: ${JSON.stringify(fields.index ?? ["logs-*"])}`,
    `query: ${JSON.stringify(typeof fields.query === "string" ? fields.query : JSON.stringify(fields.query))}`,
    "metadata:",
    "  maturity: production",
    ...(fields.exempt ? ["  tests:", `    exempt: ${JSON.stringify(fields.exempt)}`] : []),
  ];
  return lines.join("\n") + "\n";
}

/** A rule object as `loadRules` would give it, without the rule schema (the toy language is not in it). */
export function toyRule(file: string, text: string): Rule {
  const { source, value } = loadYaml(file, text);
  if (!source) throw new Error(`cannot parse ${file}`);
  return { file, source, data: value as Rule["data"], valid: true };
}
