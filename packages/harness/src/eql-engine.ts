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
  explainSequence,
  fieldsOf,
  formatExplain,
  mutations,
  parse,
  print,
  printExpression,
  stepText,
} from "@dac/eql";
import type {
  EqlQuery,
  EqlResult,
  EvaluateOptions,
  EventFilter,
  Expression,
  SequenceExplanation,
} from "@dac/eql";
import type { FieldCatalog } from "@dac/fields";
import { eventAlert, isObject, ruleAlertFields, valueAt, withSuppression } from "./alerts/document.js";
import type { Alert, AlertDocument } from "./alerts/document.js";
import { executeRule, ExecutionError, suppressionOf } from "./alerts/execute.js";
import type { SuppressionSettings } from "./alerts/execute.js";
import { inWindow, ruleEventTime, ruleTimestamps } from "./alerts/window.js";
import { boundedMutants, EngineError, languageOf, maxSignalsOf } from "./engine.js";
import type {
  ClauseTree,
  CompiledRule,
  Engine,
  EngineContext,
  EngineRule,
  Evaluation,
  Execution,
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

/**
 * A sequence's clause tree for coverage: its steps (missing events and `until` left out) as alternatives, each
 * step's tree as an event query's. An event of an alert is in one step, so each step is a branch the positives
 * must take, and its clauses count the events that reached it.
 */
function sequenceClauses(ast: EqlQuery, options: EvaluateOptions): ClauseTree {
  if (ast.body.type !== "sequence") throw new Error("not a sequence");
  const steps = ast.body.steps.filter((s) => !s.missing);
  const trees = steps.map((s) => clauseTree(s.filter, options));
  if (trees.length === 1) return trees[0]!;
  return { kind: "or", children: trees, text: print(ast), span: ast.body.span };
}

function compileEql(rule: EngineRule, context: EngineContext): CompiledRule {
  const ast = parseEqlRule(rule);
  return compileAst(rule, ast, context);
}

function compileAst(rule: EngineRule, ast: EqlQuery, context: EngineContext): CompiledRule {
  const options = eqlOptions(rule, context.catalog);
  const fields = [...new Set(fieldsOf(ast).map((f) => f.name))];
  // Mutants of a sequence or an event query alike: each a whole query, compiled on demand.
  const mutants = (limit: number) =>
    boundedMutants(mutations(ast), limit, print, (query, ctx) => compileAst(rule, query, ctx));
  if (ast.body.type !== "event") {
    const kind = ast.body.type;
    return {
      fields,
      evaluate: () => ({
        matched: false,
        error: `a ${kind} matches groups of events, not one event: use \`expect: alert\` or \`expect: no-alert\` cases`,
        explain: () => `✗ a ${kind} cannot be judged on one event`,
      }),
      // A sequence's alerts come from whole executions: mutation testing reruns them with the mutant's query.
      execute: (r, execution) => executeGroups(r, ast, execution, execution.now ?? context.now ?? new Date()),
      ...(kind === "sequence" ? { mutants, clauses: () => sequenceClauses(ast, options) } : {}),
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
    mutants,
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

/**
 * One execution of a sequence or sample in memory: the lookback window's events through the EQL search (size
 * `max_signals`), each result into a shell alert and its building blocks, then `alert_suppression` of the
 * sequences (`bulkCreateSuppressedSequencesInMemory`).
 */
function executeGroups(
  rule: EngineRule,
  ast: EqlQuery,
  execution: Execution,
  executedAt: Date,
): ExecutionResult {
  // The search sees the events inside the lookback window (Kibana's range filter).
  const searched = execution.events
    .map((_, i) => i)
    .filter((i) => !execution.range || inWindow(ruleEventTime(rule, execution.events[i]!), execution.range));
  const documents = searched.map((i) => execution.events[i]!);
  const options = eqlOptions(rule, execution.catalog);
  let results: EqlResult[];
  try {
    results = evaluate(ast, documents, { ...options, size: maxSignalsOf(rule) });
  } catch (error) {
    if (error instanceof EqlEvaluationError) return { error: error.message, events: [], alerts: [] };
    throw error;
  }
  const alerts = groupAlerts(
    rule,
    ast,
    execution.events,
    results.map((r) => r.events.map((p) => searched[p]!)),
    executedAt,
  );
  const why = groupExplainer(ast, documents, options, results);
  const position = new Map(searched.map((i, k) => [i, k]));
  const events = execution.events.map((_, i): Evaluation => {
    const k = position.get(i);
    if (k === undefined)
      return { matched: false, explain: () => "✗ outside the lookback window: the search never sees it" };
    const matched = results.some((r) => r.events.includes(k));
    return { matched, explain: () => why(k) };
  });
  return { events, alerts };
}

/**
 * The alerts of a sequence's or sample's results (event positions in `events`): per result a shell alert and
 * its building blocks; a sequence rule's `alert_suppression` applies (Kibana suppresses sequences, not samples).
 */
export function groupAlerts(
  rule: EngineRule,
  ast: EqlQuery,
  events: readonly EventDocument[],
  results: number[][],
  executedAt: Date,
): Alert[] {
  const groups = results.map((positions) => sequenceAlerts(rule, events, positions, executedAt));
  const settings = ast.body.type === "sequence" ? suppressionOf(rule) : undefined;
  return settings ? suppressSequences(rule, groups, settings, executedAt) : groups.flat();
}

/** Messages name an event by its timestamp: positions inside an execution mean nothing to a fixture's reader. */
function eventNamer(events: readonly EventDocument[], options: EvaluateOptions): (i: number) => string {
  const field = options.timestampField ?? "@timestamp";
  return (i) => {
    const value = valueAt(events[i], field);
    const first: unknown = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === null ? `event ${i + 1}` : `the event at ${String(first)}`;
  };
}

const indent = (text: string, by: string) =>
  text
    .split("\n")
    .map((l) => by + l)
    .join("\n");

/**
 * Per searched event: the step it holds in a result, else what stopped the sequence of its join key (the step
 * it was waiting for and that step's condition, maxspan, until, a missing event), else which condition of each
 * step it fails.
 */
function groupExplainer(
  ast: EqlQuery,
  events: EventDocument[],
  options: EvaluateOptions,
  results: readonly EqlResult[],
): (k: number) => string {
  const body = ast.body;
  if (body.type !== "sequence")
    return (k) =>
      results.some((r) => r.events.includes(k))
        ? `✓ part of a matching ${body.type}`
        : `✗ part of no matching ${body.type}`;
  // Stage (runs expanded, missing steps left out) -> step as written.
  const stageStep: number[] = [];
  body.steps.forEach((s, i) => {
    if (!s.missing) for (let r = 0; r < (s.runs ?? 1); r++) stageStep.push(i);
  });
  const stage = new Map<number, number>();
  for (const r of results) r.events.forEach((e, j) => stage.set(e, j));
  let keys: SequenceExplanation[] | undefined;
  let predicates: ((e: EventDocument) => boolean)[] | undefined;
  return (k) => {
    const at = stage.get(k);
    if (at !== undefined) {
      const step = stageStep[at]!;
      return `✓ step ${step + 1} ${stepText(body.steps[step]!)} of a matching sequence`;
    }
    keys ??= explainSequence(ast, events, options, eventNamer(events, options));
    const key = keys.find((x) => x.event === k) ?? keys.find((x) => x.events.includes(k));
    if (key) return `✗ ${key.message}`;
    predicates ??= body.steps.map((s) => compileEventFilter(s.filter, options));
    const event = events[k]!;
    const steps = body.steps.map((_, i) => i).filter((i) => !body.steps[i]!.missing);
    const matching = steps.filter((i) => predicates![i]!(event));
    if (matching.length > 0)
      return `✗ matches step ${matching.map((i) => i + 1).join(", ")} ${stepText(body.steps[matching[0]!]!)}, but no earlier event with its join key matched the steps before`;
    return [
      "✗ matches no step of the sequence:",
      ...steps.map(
        (i) =>
          `  step ${i + 1}:\n${indent(formatExplain(explainFilter(body.steps[i]!.filter, event, options)), "    ")}`,
      ),
    ].join("\n");
  };
}

/**
 * Why a sequence rule wrote no alert over these (searched) events, for the failure summary; undefined for other
 * rules. Names, per join key, the step the sequence stopped at and why.
 */
export function whyNoSequence(
  rule: EngineRule,
  events: EventDocument[],
  catalog: FieldCatalog | undefined,
): string | undefined {
  if (rule.data.type !== "eql") return undefined;
  let ast: EqlQuery;
  try {
    ast = parseEqlRule(rule);
  } catch {
    return undefined;
  }
  if (ast.body.type !== "sequence") return undefined;
  const options: EvaluateOptions = catalog ? eqlOptions(rule, catalog) : {};
  let keys: SequenceExplanation[];
  try {
    keys = explainSequence(ast, events, options, eventNamer(events, options));
  } catch (error) {
    if (error instanceof EqlEvaluationError) return undefined;
    throw error;
  }
  const stopped = keys.filter((k) => k.reason !== undefined);
  if (stopped.length === 0) return `no event matched step 1 ${stepText(ast.body.steps[0]!)}`;
  const shown = stopped.slice(0, 3).map((k) => k.message);
  return `no sequence: ${shown.join("; ")}${stopped.length > 3 ? `; and ${stopped.length - 3} more keys` : ""}`;
}

/**
 * Alert suppression of sequences (`bulkCreateSuppressedSequencesInMemory`, `buildShellAlertSuppressionTermsAndFields`
 * in rule_types/utils/): the terms are the group-by fields' values on the shell alert (the fields every event of
 * the sequence shares); with `doNotSuppress` a shell alert missing one is written as it is. Within the execution
 * the first sequence of each group is written, shell and building blocks, with `docs_count` the number of the
 * others, whose alerts are not written; start and end are the shell alert's time.
 */
function suppressSequences(
  rule: EngineRule,
  groups: Alert[][],
  settings: SuppressionSettings,
  executedAt: Date,
): Alert[] {
  const out: Alert[][] = [];
  const byTerms = new Map<string, { alerts: Alert[]; count: number }>();
  const { primary, secondary } = ruleTimestamps(rule);
  for (const group of groups) {
    const shell = group[0]!.document;
    const terms = settings.groupBy.map((field) => {
      const value = valueAt(shell, field);
      return {
        field,
        value: Array.isArray(value) ? value.map(String).sort() : (value ?? null),
      };
    });
    if (settings.missingFields === "doNotSuppress" && terms.some((t) => t.value === null)) {
      out.push(group);
      continue;
    }
    const id = JSON.stringify(terms);
    const seen = byTerms.get(id);
    if (seen) {
      seen.count++;
      continue;
    }
    const time = String(
      valueAt(shell, primary) ?? (secondary && valueAt(shell, secondary)) ?? executedAt.toISOString(),
    );
    const entry = { alerts: [...group], count: 0 };
    entry.alerts[0] = {
      ...group[0]!,
      document: withSuppression(shell, { terms, start: time, end: time, docsCount: 0 }),
    };
    byTerms.set(id, entry);
    out.push(entry.alerts);
  }
  for (const { alerts, count } of byTerms.values())
    alerts[0]!.document["kibana.alert.suppression.docs_count"] = count;
  return out.flat();
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
      // Without a range the case judges events one by one (`match | no-match`): a sequence cannot answer that.
      const single = execution.range ? undefined : compiled.evaluate(execution.events[0] ?? {}).error;
      const result = executeGroups(rule, ast, execution, executedAt);
      return single === undefined
        ? result
        : { ...result, events: result.events.map((e) => ({ ...e, error: single })) };
    });
    return Promise.resolve({ executions: results, fields });
  },
};
