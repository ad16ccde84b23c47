/**
 * The in-memory EQL engine: EQL rules (`type: eql`, `language: eql`), run as Kibana's EQL executor runs them
 * (elastic/kibana x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/eql/):
 * one `_eql/search` over the execution's lookback window, `size` = `max_signals`, the rule's `timestamp_field`,
 * `tiebreaker_field` and `event_category_override`.
 *
 * - An event query writes one alert per returned event (`wrapHits`), through the same `executeRule` as a query
 *   rule: ascending by the rule's time, at most `max_signals`, `alert_suppression` when set.
 * - A sequence writes, per sequence, a shell alert and one building-block alert per event, in that order
 *   (`wrap_sequences.ts`: `acc.push(shellAlert, ...buildingBlocks)`). Building blocks are the events' alerts with
 *   `kibana.alert.building_block_type: default`, `kibana.alert.group.id` and `kibana.alert.group.index`; the shell
 *   alert holds the fields the building blocks share (`objectArrayIntersection`) and the same group id
 *   (`build_alert_group_from_sequence.ts`).
 *
 * A `match | no-match` case judges events one by one, which only an event query can do: for a sequence or a
 * sample each event is an error, never a pass.
 */
import { createHash } from "node:crypto";
import {
  compileCondition,
  compileEventFilter,
  EqlEvaluationError,
  EqlSyntaxError,
  evaluate,
  explainFilter,
  fieldsOf,
  formatExplain,
  mutations,
  parse,
  print,
  printExpression,
} from "@dac/eql";
import type { EqlQuery, EvaluateOptions, EventFilter, Expression } from "@dac/eql";
import type { FieldCatalog } from "@dac/fields";
import { eventAlert, isObject, ruleAlertFields } from "./alerts/document.js";
import type { Alert, AlertDocument } from "./alerts/document.js";
import { executeRule, ExecutionError } from "./alerts/execute.js";
import { inWindow, ruleEventTime } from "./alerts/window.js";
import { EngineError, languageOf, maxSignalsOf } from "./engine.js";
import type {
  ClauseTree,
  CompiledRule,
  Engine,
  EngineContext,
  EngineRule,
  Evaluation,
  ExecutionResult,
  RuleExecutions,
} from "./engine.js";
import type { EventDocument } from "./event-files.js";

/** The rule's EQL query, parsed; a syntax error becomes an engine error with its place. */
export function parseEqlRule(rule: EngineRule): EqlQuery {
  const query = typeof rule.data.query === "string" ? rule.data.query : "";
  try {
    return parse(query);
  } catch (error) {
    if (error instanceof EqlSyntaxError)
      throw new EngineError(`syntax error at line ${error.line}, column ${error.column}: ${error.message}`);
    throw error;
  }
}

/** The `_eql/search` parameters Kibana takes from the rule. */
export function eqlOptions(rule: EngineRule, catalog: FieldCatalog): EvaluateOptions {
  const d = rule.data as Record<string, unknown>;
  const options: EvaluateOptions = { catalog };
  if (typeof d.timestamp_field === "string" && d.timestamp_field) options.timestampField = d.timestamp_field;
  if (typeof d.tiebreaker_field === "string" && d.tiebreaker_field)
    options.tiebreakerField = d.tiebreaker_field;
  if (typeof d.event_category_override === "string" && d.event_category_override)
    options.eventCategoryField = d.event_category_override;
  return options;
}

/** An event query's boolean structure for coverage: the category, then the condition's and/or/not tree. */
function clauseTree(filter: EventFilter, options: EvaluateOptions): ClauseTree {
  const tree = (e: Expression): ClauseTree => {
    const text = printExpression(e);
    if (e.type === "and" || e.type === "or") {
      const parts: Expression[] = [];
      const flatten = (x: Expression): void => {
        if (x.type === e.type) {
          flatten(x.left);
          flatten(x.right);
        } else parts.push(x);
      };
      flatten(e);
      return { kind: e.type, children: parts.map(tree), text, span: e.span };
    }
    if (e.type === "not") return { kind: "not", child: tree(e.operand), text, span: e.span };
    let test: ((event: EventDocument) => boolean) | undefined;
    return {
      kind: "leaf",
      text,
      span: e.span,
      test: (event) => (test ??= compileCondition(e, options))(event),
    };
  };
  const condition = tree(filter.condition);
  if (filter.category === null) return condition;
  const categoryOnly = compileEventFilter(
    {
      ...filter,
      condition: { type: "literal", kind: "boolean", value: true, raw: "true", span: filter.span },
    },
    options,
  );
  return {
    kind: "and",
    text: print({ type: "query", body: filter, pipes: [], span: filter.span }),
    span: filter.span,
    children: [
      { kind: "leaf", text: `${filter.category} where`, span: filter.categorySpan, test: categoryOnly },
      condition,
    ],
  };
}

function compileEql(rule: EngineRule, context: EngineContext): CompiledRule {
  const ast = parseEqlRule(rule);
  return compileAst(rule, ast, context);
}

function compileAst(rule: EngineRule, ast: EqlQuery, context: EngineContext): CompiledRule {
  const options = eqlOptions(rule, context.catalog);
  const fields = [...new Set(fieldsOf(ast).map((f) => f.name))];
  if (ast.body.type !== "event") {
    const kind = ast.body.type;
    return {
      fields,
      evaluate: () => ({
        matched: false,
        error: `a ${kind} matches groups of events, not one event: use \`expect: alert\` or \`expect: no-alert\` cases`,
        explain: () => `✗ a ${kind} cannot be judged on one event`,
      }),
    };
  }
  const filter = ast.body;
  let predicate: (event: EventDocument) => boolean;
  try {
    predicate = compileEventFilter(filter, options);
  } catch (error) {
    if (error instanceof EqlEvaluationError) throw new EngineError(error.message);
    throw error;
  }
  return {
    fields,
    evaluate(event): Evaluation {
      return {
        matched: predicate(event),
        explain: () => formatExplain(explainFilter(filter, event, options)),
      };
    },
    clauses: () => clauseTree(filter, options),
    // Event queries only: a sequence's mutants would need whole executions to judge.
    mutants(limit) {
      const all = mutations(ast);
      return {
        mutants: all.slice(0, limit).map((m) => ({
          operator: m.operator,
          description: m.description,
          query: print(m.query),
          span: m.span,
          compile: (ctx: EngineContext) => compileAst(rule, m.query, ctx),
        })),
        skipped: Math.max(0, all.length - limit),
      };
    },
  };
}

/** Kibana's `objectPairIntersection`: the keys two documents share with equal values (arrays: common items). */
function intersect(a: unknown, b: unknown): unknown {
  if (!isObject(a) || !isObject(b)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, av] of Object.entries(a)) {
    if (!(key in b)) continue;
    const bv = b[key];
    if (isObject(av) && isObject(bv)) out[key] = intersect(av, bv);
    else if (av === bv) out[key] = av;
    else if (Array.isArray(av) || Array.isArray(bv)) {
      const as = Array.isArray(av) ? av : [av];
      const bs = Array.isArray(bv) ? bv : [bv];
      out[key] = as.filter((x, i) => bs.includes(x) && as.indexOf(x) === i);
    }
  }
  return Object.values(out).some((v) => v !== undefined) ? out : undefined;
}

/** A sequence's alerts: the shell alert, then one building block per event (`buildAlertGroupFromSequence`). */
export function sequenceAlerts(
  rule: EngineRule,
  events: readonly EventDocument[],
  positions: number[],
  executedAt: Date,
): Alert[] {
  const blocks = positions.map((i) => eventAlert(rule, events[i]!, executedAt));
  // Kibana derives the group id from the shell alert's content (`generateAlertId`); any stable id serves tests.
  const groupId = createHash("sha256")
    .update(
      JSON.stringify([
        rule.data.rule_id ?? rule.file,
        positions,
        blocks.map((b) => b["kibana.alert.original_time"]),
      ]),
    )
    .digest("hex");
  const shared = (blocks.slice(1).reduce<unknown>((acc, b) => intersect(acc, b), blocks[0]) ??
    {}) as AlertDocument;
  const shell: AlertDocument = {
    ...shared,
    ...ruleAlertFields(rule, executedAt),
    "kibana.alert.uuid": groupId,
    "kibana.alert.group.id": groupId,
  };
  const original = blocks[0]?.["kibana.alert.original_time"];
  if (original !== undefined) shell["kibana.alert.original_time"] = original;
  return [
    { events: positions, document: shell },
    ...blocks.map((b, index) => ({
      events: [positions[index]!],
      document: {
        ...b,
        "kibana.alert.building_block_type": "default",
        "kibana.alert.group.id": groupId,
        "kibana.alert.group.index": index,
      },
    })),
  ];
}

export const eqlEngine: Engine = {
  name: "eql",
  supports: (rule) => rule.data.type === "eql" && languageOf(rule) === "eql",
  compile: compileEql,
  execute(rule, executions, options = {}): Promise<RuleExecutions> {
    const ast = parseEqlRule(rule);
    const fields = [...new Set(fieldsOf(ast).map((f) => f.name))];
    const results = executions.map((execution): ExecutionResult => {
      const executedAt = execution.now ?? options.now ?? new Date();
      let compiled: CompiledRule;
      try {
        compiled = compileEql(rule, {
          catalog: execution.catalog,
          ...(options.now ? { now: options.now } : {}),
        });
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        return { error: error.message, events: [], alerts: [] };
      }
      if (ast.body.type === "event") {
        const evaluations = execution.events.map((e) => compiled.evaluate(e));
        try {
          const { alerts } = executeRule({
            rule,
            events: execution.events,
            matched: evaluations.map((e) => e.matched),
            ...(execution.range ? { window: execution.range } : {}),
            executedAt,
            catalog: execution.catalog,
          });
          return { events: evaluations, alerts };
        } catch (error) {
          if (!(error instanceof ExecutionError)) throw error;
          return { error: error.message, events: evaluations, alerts: [] };
        }
      }
      // Sequences and samples: the search sees the events inside the lookback window (Kibana's range filter).
      const searched = execution.events
        .map((_, i) => i)
        .filter(
          (i) => !execution.range || inWindow(ruleEventTime(rule, execution.events[i]!), execution.range),
        );
      const results = evaluate(
        ast,
        searched.map((i) => execution.events[i]!),
        {
          ...eqlOptions(rule, execution.catalog),
          size: maxSignalsOf(rule),
        },
      );
      const inResult = new Set<number>();
      const alerts: Alert[] = [];
      for (const r of results) {
        const positions = r.events.map((p) => searched[p]!);
        positions.forEach((p) => inResult.add(p));
        alerts.push(...sequenceAlerts(rule, execution.events, positions, executedAt));
      }
      // Without a range the case judges events one by one (`match | no-match`): a sequence cannot answer that.
      const single = execution.range ? undefined : compiled.evaluate(execution.events[0] ?? {}).error;
      const evaluations = execution.events.map((_, i): Evaluation => ({
        matched: inResult.has(i),
        ...(single !== undefined ? { error: single } : {}),
        explain: () =>
          inResult.has(i)
            ? `✓ part of a matching ${ast.body.type}`
            : `✗ part of no matching ${ast.body.type}`,
      }));
      return { events: evaluations, alerts };
    });
    return Promise.resolve({ executions: results, fields });
  },
};
