/**
 * Explain: why an EQL query matches an event or not, clause by clause; and for a sequence, per join key, the
 * furthest step its events reached and what stopped them (no event for the next step, maxspan, until, a missing
 * event that occurred).
 */
import type { EqlQuery, EventFilter, Expression, SequenceStep, Span } from "./ast.js";
import {
  compileCondition,
  compileEventFilter,
  traceSequence,
  type EqlEvent,
  type EvaluateOptions,
} from "./evaluate.js";
import { printExpression } from "./print.js";

export interface EqlExplainNode {
  /** The clause, printed. */
  text: string;
  span: Span;
  result: boolean;
  children?: EqlExplainNode[];
}

function explainExpression(e: Expression, event: EqlEvent, options: EvaluateOptions): EqlExplainNode {
  const node: EqlExplainNode = {
    text: printExpression(e),
    span: e.span,
    result: compileCondition(e, options)(event),
  };
  if (e.type === "and" || e.type === "or") {
    // Flatten chains of the same operator: `a and b and c` has three children.
    const parts: Expression[] = [];
    const flatten = (x: Expression) => {
      if (x.type === e.type) {
        flatten(x.left);
        flatten(x.right);
      } else parts.push(x);
    };
    flatten(e);
    node.text = e.type;
    node.children = parts.map((p) => explainExpression(p, event, options));
  } else if (e.type === "not") {
    node.text = "not";
    node.children = [explainExpression(e.operand, event, options)];
  }
  return node;
}

/** Why `filter` (`<category> where <condition>`) matches `event` or not. */
export function explainFilter(
  filter: EventFilter,
  event: EqlEvent,
  options: EvaluateOptions = {},
): EqlExplainNode {
  const condition = explainExpression(filter.condition, event, options);
  const field = options.eventCategoryField ?? "event.category";
  const result = compileEventFilter(filter, options)(event);
  if (filter.category === null) return { ...condition, result };
  const categoryNode: EqlExplainNode = {
    text: `${field} == ${JSON.stringify(filter.category)}`,
    span: filter.categorySpan,
    result: compileEventFilter(
      {
        ...filter,
        condition: { type: "literal", kind: "boolean", value: true, raw: "true", span: filter.span },
      },
      options,
    )(event),
  };
  return { text: "and", span: filter.span, result, children: [categoryNode, condition] };
}

export interface SequenceExplanation {
  joinKeys: unknown[];
  completed: number;
  /** The step (1-based, as written, missing steps included) the key's furthest partial sequence was waiting for. */
  stoppedAtStep?: number;
  /** The run within that step, for `with runs=N`. */
  run?: number;
  reason?: "no-match" | "maxspan" | "until" | "missing";
  /** The events of the furthest partial sequence. */
  events: number[];
  /** The event that stopped it (the late event for maxspan, the until event). */
  event?: number;
  message: string;
}

/** A step as `[category where condition]` (`![…]` for a missing event), for messages. */
export function stepText(step: SequenceStep): string {
  return `${step.missing ? "![" : "["}${step.filter.category ?? "any"} where ${printExpression(step.filter.condition)}]`;
}

/** Per join key: how far a sequence query got and why it stopped. */
export function explainSequence(
  query: EqlQuery,
  events: EqlEvent[],
  options: EvaluateOptions = {},
  /** How messages name an event (default `event <position>`). */
  name: (position: number) => string = (i) => `event ${i}`,
): SequenceExplanation[] {
  const body = query.body;
  if (body.type !== "sequence") throw new Error("not a sequence query");
  const { steps } = body;
  // Stage (runs expanded, missing steps left out) -> written step and run.
  const stageSteps: { step: number; run: number }[] = [];
  steps.forEach((s, i) => {
    if (!s.missing) for (let r = 0; r < (s.runs ?? 1); r++) stageSteps.push({ step: i, run: r + 1 });
  });
  const { keys } = traceSequence(query, events, options);
  return keys.map((k) => {
    const keyText = JSON.stringify(k.joinKeys);
    if (k.completed > 0 && !k.stopped)
      return {
        joinKeys: k.joinKeys,
        completed: k.completed,
        events: k.events,
        message: `key ${keyText}: ${k.completed} sequence(s)`,
      };
    const stage = k.stopped?.stage ?? k.furthest;
    const at = stageSteps[Math.min(stage, stageSteps.length - 1)]!;
    const step = steps[at.step]!;
    const runNote = (step.runs ?? 1) > 1 ? ` (run ${at.run} of ${step.runs})` : "";
    let reason: SequenceExplanation["reason"] = "no-match";
    let message = `key ${keyText}: reached step ${at.step + 1}${runNote}, no later event with this key matched ${stepText(step)}`;
    if (k.furthest === 0) message = `key ${keyText}: no event matched step 1 ${stepText(steps[0]!)}`;
    if (k.stopped?.reason === "maxspan") {
      reason = "maxspan";
      message = `key ${keyText}: ${name(k.stopped.event!)} matched step ${at.step + 1}${runNote} ${stepText(step)} but falls outside maxspan=${body.maxspan?.value}${body.maxspan?.unit} from the sequence's first event (${name(k.events[0]!)})`;
    } else if (k.stopped?.reason === "until") {
      reason = "until";
      message = `key ${keyText}: ${name(k.stopped.event!)} matched until ${body.until ? stepText(body.until) : "until"} while waiting for step ${at.step + 1}`;
    } else if (k.stopped?.reason === "missing") {
      reason = "missing";
      message = `key ${keyText}: the steps matched (${k.events.map(name).join(", ")}) but an event matched a missing step ${steps
        .filter((s) => s.missing)
        .map(stepText)
        .join(", ")}`;
    }
    const out: SequenceExplanation = {
      joinKeys: k.joinKeys,
      completed: k.completed,
      stoppedAtStep: at.step + 1,
      reason,
      events: k.events,
      message,
    };
    if ((step.runs ?? 1) > 1) out.run = at.run;
    if (k.stopped?.event !== undefined) out.event = k.stopped.event;
    return out;
  });
}

/** Indented text of an explain tree: `✓`/`✗` per clause. */
export function formatExplain(node: EqlExplainNode, indent = ""): string {
  const line = `${indent}${node.result ? "✓" : "✗"} ${node.text}`;
  const children = (node.children ?? []).map((c) => formatExplain(c, `${indent}  `));
  return [line, ...children].join("\n");
}
