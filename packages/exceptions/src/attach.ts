/**
 * Which exceptions apply to a rule: the shared lists its `exceptions_list` names (by `list_id`, in the short form
 * or Kibana's full form) and its rule-default list (the file next to it, matched by `rule_id`).
 */
import { resolve } from "node:path";
import { displayPath, rangeOf } from "@dac/schema";
import type { ExceptionList, ExceptionSet, RuleExceptions, ValueList } from "./types.js";

export interface RuleRef {
  file: string;
  data: { rule_id?: unknown; exceptions_list?: unknown };
}

/** The `list_id`s a rule's `exceptions_list` names, with their positions in the array. */
export function attachedListIds(rule: RuleRef): { list_id: string; index: number }[] {
  const refs = rule.data.exceptions_list;
  if (!Array.isArray(refs)) return [];
  return refs.flatMap((ref, index) => {
    const id = (ref as { list_id?: unknown } | null)?.list_id;
    return typeof id === "string" ? [{ list_id: id, index }] : [];
  });
}

/** The lists that apply to a rule, in the order Kibana applies them (attached lists, then the rule default). */
export function listsForRule(set: Pick<ExceptionSet, "lists">, rule: RuleRef): ExceptionList[] {
  const byId = new Map(set.lists.filter((l) => l.type !== "rule_default").map((l) => [l.list_id, l]));
  const attached = attachedListIds(rule).flatMap(({ list_id }) => byId.get(list_id) ?? []);
  const own = set.lists.filter((l) => l.type === "rule_default" && l.rule_id === rule.data.rule_id);
  return [...new Set([...attached, ...own])];
}

/** The exceptions of one rule as plain data, with each item's place for reports. */
export function exceptionsForRule(
  set: ExceptionSet,
  rule: RuleRef,
  options: { root: string; cwd?: string },
): RuleExceptions {
  const cwd = options.cwd ?? process.cwd();
  const lists = listsForRule(set, rule);
  const valueLists: Record<string, ValueList> = {};
  const byId = new Map(set.valueLists.map((l) => [l.id, l]));
  const items = lists.flatMap((list) =>
    list.items.map((item, i) => {
      for (const entry of item.entries.flatMap((e) => (e.type === "nested" ? e.entries : [e]))) {
        if (entry.type === "list" && byId.has(entry.list.id))
          valueLists[entry.list.id] = byId.get(entry.list.id)!;
      }
      const source = set.sources.get(list.file);
      const span = source ? rangeOf(source, ["items", i]) : { line: 1, column: 1 };
      return {
        item,
        list_id: list.list_id,
        location: {
          file: displayPath(resolve(options.root, list.file), cwd),
          line: span.line,
          column: span.column,
        },
      };
    }),
  );
  return { items, valueLists };
}
