/**
 * The checks of `dac validate` on exceptions, beyond the schema and ids (load.ts): lists a rule attaches that the
 * repository does not hold (DAC703), value lists that do not exist (DAC704), fields the rule's catalogue does not
 * know (DAC705) or whose type the entry cannot work on (DAC706), expired items (DAC707) and items whose entries
 * contradict each other (DAC708). Each diagnostic points at the entry in its YAML.
 */
import { lookupField, QueryEvaluationError, termMatcher, typeClass } from "@dac/fields";
import type { FieldCatalog, FieldInfo, MatchContext } from "@dac/fields";
import { classifyUnknownField, diagnosticAt, otherDefinitions, ruleFieldCatalog } from "@dac/schema";
import type { DacConfig, Diagnostic, Rule, RuleMetadata, YamlPath, YamlSource } from "@dac/schema";
import { attachedListIds, listsForRule } from "./attach.js";
import { isExpired } from "./evaluate.js";
import type { ExceptionEntry, ExceptionList, ExceptionSet } from "./types.js";

/**
 * Kibana's endpoint list (ENDPOINT_LIST_ID in @kbn/securitysolution-list-constants): Elastic Defend's rules attach
 * it, and Kibana creates it itself, so a repository need not hold it.
 */
const KIBANA_ENDPOINT_LIST_ID = "endpoint_list";

export interface CheckExceptionsOptions {
  /** Expiry is judged at this time (default: the clock). */
  now?: Date;
  /** Only the lists these rules use are checked (`dac validate <path>`); default: every list. */
  partial?: boolean;
}

export function checkExceptions(
  set: ExceptionSet,
  rules: readonly Rule[],
  config: DacConfig,
  options: CheckExceptionsOptions = {},
): Diagnostic[] {
  const now = options.now ?? new Date();
  const out: Diagnostic[] = [];
  const valid = rules.filter((r) => r.valid);
  // DAC703: by list_id, as publish resolves them; a rule-default list is attached by living next to its rule.
  const held = new Set(set.lists.filter((l) => l.type !== "rule_default").map((l) => l.list_id));
  for (const rule of valid) {
    for (const { list_id, index } of attachedListIds(rule)) {
      if (held.has(list_id) || list_id === KIBANA_ENDPOINT_LIST_ID) continue;
      out.push(
        diagnosticAt(rule.source, ["exceptions_list", index, "list_id"], {
          code: "DAC703",
          message: `exception list \`${list_id}\` is not in the repository`,
          hint: `add exceptions/${list_id}.yaml with \`list_id: ${list_id}\`, or fix the reference (known: ${[...held].sort().join(", ") || "none"})`,
        }),
      );
    }
  }
  // Each list against the catalogue of every rule that uses it (one diagnostic per place, however many rules).
  const users = new Map<ExceptionList, FieldCatalog[]>();
  for (const rule of valid)
    for (const list of listsForRule(set, rule)) {
      const catalog = ruleFieldCatalog(rule.data, config);
      const seen = users.get(list);
      if (!seen) users.set(list, [catalog]);
      else if (!seen.includes(catalog)) seen.push(catalog);
    }
  const valueLists = new Set(set.valueLists.map((l) => l.id));
  const ctx: MatchContext = { now: { ms: now.getTime(), ns: 0 }, lenient: false };
  const shown = new Set<string>();
  const push = (d: Diagnostic) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
    if (shown.has(key)) return;
    shown.add(key);
    out.push(d);
  };
  for (const list of set.lists) {
    const source = set.sources.get(list.file);
    if (!source) continue;
    // A list no rule uses yet is checked against the repository's base catalogue (ECS and shared definitions).
    const catalogs =
      users.get(list) ??
      (options.partial
        ? []
        : [ruleFieldCatalog({ related_integrations: [], metadata: {} as RuleMetadata }, config)]);
    if (catalogs.length === 0) continue;
    list.items.forEach((item, i) => {
      const at = ["items", i] as YamlPath;
      if (isExpired(item, now))
        push(
          diagnosticAt(source, [...at, "expire_time"], {
            code: "DAC707",
            message: `exception item \`${item.item_id}\` expired on ${item.expire_time}: Kibana no longer applies it`,
            hint: "remove the item, or move expire_time forward if the exception is still wanted",
          }),
        );
      forEachEntry(item.entries, [...at, "entries"], (entry, path, nested) => {
        if (entry.type === "list" && !valueLists.has(entry.list.id))
          push(
            diagnosticAt(source, [...path, "list", "id"], {
              code: "DAC704",
              message: `value list \`${entry.list.id}\` does not exist`,
              hint: `add exceptions/lists/${entry.list.id}.${entry.list.type}.txt, one value a line`,
            }),
          );
        for (const catalog of catalogs)
          for (const d of fieldDiagnostics(source, entry, path, nested, catalog, config, ctx)) push(d);
      });
      for (const d of contradictions(source, item.entries, [...at, "entries"], item.item_id)) push(d);
    });
  }
  return out;
}

type Leaf = Exclude<ExceptionEntry, { type: "nested" }>;

/** Calls `visit` for every entry with its YAML path; entries inside `nested` get the nested path too. */
function forEachEntry(
  entries: readonly ExceptionEntry[],
  path: YamlPath,
  visit: (entry: ExceptionEntry, path: YamlPath, nested: string | undefined) => void,
): void {
  entries.forEach((entry, j) => {
    visit(entry, [...path, j], undefined);
    if (entry.type === "nested")
      entry.entries.forEach((inner, k) => visit(inner, [...path, j, "entries", k], entry.field));
  });
}

/** DAC705 and DAC706 for one entry against one catalogue. */
function fieldDiagnostics(
  source: YamlSource,
  entry: ExceptionEntry,
  path: YamlPath,
  nested: string | undefined,
  catalog: FieldCatalog,
  config: DacConfig,
  ctx: MatchContext,
): Diagnostic[] {
  const name = nested === undefined ? entry.field : `${nested}.${entry.field}`;
  const info = lookupField(catalog, name);
  if (!info) {
    // The policy of query fields: a typo in a namespace with definitions is an error, a namespace without them
    // is a warning until they are imported.
    const report = classifyUnknownField(catalog, name, {
      otherDefinitions: (n) => otherDefinitions(n, config),
    });
    return [
      diagnosticAt(source, [...path, "field"], {
        code: "DAC705",
        message: `exception entry: ${report.message}`,
        hint: report.hint,
        ...(report.code === "DAC406" ? { severity: "warning" as const } : {}),
      }),
    ];
  }
  if (entry.type === "nested") {
    if (info.type === "nested") return [];
    return [
      typeDiagnostic(
        source,
        [...path, "field"],
        `a \`nested\` entry needs a nested field; \`${name}\` is ${article(info.type)} ${info.type} field`,
        "use plain entries with full field names for fields that are not nested",
      ),
    ];
  }
  return leafTypeDiagnostics(source, entry, path, name, info, ctx);
}

function leafTypeDiagnostics(
  source: YamlSource,
  entry: Leaf,
  path: YamlPath,
  name: string,
  info: FieldInfo,
  ctx: MatchContext,
): Diagnostic[] {
  const cls = typeClass(info.type);
  if ((entry.type === "match" || entry.type === "match_any") && cls === "text") {
    const keyword = info.multiFields?.find((m) => typeClass(m.type) === "keyword")?.name;
    return [
      typeDiagnostic(
        source,
        [...path, "field"],
        `\`${entry.type}\` on ${info.type} field \`${name}\` is a match_phrase on its analysed words, not a comparison of the value`,
        keyword
          ? `use the keyword field \`${keyword}\``
          : "use a keyword field for exact values (a text field's words are not its value)",
      ),
    ];
  }
  if (entry.type === "wildcard" && cls !== "keyword") {
    return [
      typeDiagnostic(
        source,
        [...path, "field"],
        `\`wildcard\` on ${info.type} field \`${name}\`: Elasticsearch runs wildcard queries on keyword fields only${
          cls === "text" ? " (on text it matches single analysed words)" : ""
        }`,
        cls === "ip"
          ? "use `match` with a CIDR block (10.0.0.0/8) for a range of addresses"
          : "use `match` or `match_any` with exact values",
      ),
    ];
  }
  if (entry.type !== "match" && entry.type !== "match_any") return [];
  const values = entry.type === "match" ? [entry.value] : entry.value;
  const out: Diagnostic[] = [];
  values.forEach((value, k) => {
    try {
      termMatcher(info, value, "match_phrase", ctx);
    } catch (error) {
      // Only values the field cannot hold: what dac cannot model is the evaluator's to report, not a mistake.
      if (!(error instanceof QueryEvaluationError) || error.value === undefined) return;
      out.push(
        typeDiagnostic(
          source,
          entry.type === "match" ? [...path, "value"] : [...path, "value", k],
          error.message,
          `Elasticsearch refuses the whole search when one value does not fit ${info.type} field \`${name}\`: Kibana's rule fails`,
        ),
      );
    }
  });
  return out;
}

function typeDiagnostic(source: YamlSource, path: YamlPath, message: string, hint: string): Diagnostic {
  return diagnosticAt(source, path, { code: "DAC706", message: `exception entry: ${message}`, hint });
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? "an" : "a");

/**
 * DAC708: entries of one item (or of one nested group) that no event can satisfy together. Certain: `exists` and
 * not `exists` of a field; a value required and excluded; a value required of a field that must not exist.
 * Different values required of one field are possible only when the event holds both in an array, so they are a
 * warning.
 */
function contradictions(
  source: YamlSource,
  entries: readonly ExceptionEntry[],
  path: YamlPath,
  itemId: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const group = (list: readonly ExceptionEntry[], at: YamlPath) => {
    const seen: { entry: Leaf; j: number }[] = [];
    list.forEach((entry, j) => {
      if (entry.type === "nested") {
        group(entry.entries, [...at, j, "entries"]);
        return;
      }
      for (const earlier of seen) {
        if (earlier.entry.field !== entry.field) continue;
        const clash = clashOf(earlier.entry, entry);
        if (!clash) continue;
        out.push(
          diagnosticAt(source, [...at, j], {
            code: "DAC708",
            message: `exception item \`${itemId}\`: ${clash.message}`,
            hint: "an item's entries are ANDed; use separate items for alternatives, or remove one entry",
            ...(clash.certain ? {} : { severity: "warning" as const }),
          }),
        );
        break;
      }
      seen.push({ entry, j });
    });
  };
  group(entries, path);
  return out;
}

/** The values an entry requires of its field when included (undefined: not a set of exact values). */
function exactValues(entry: Leaf): string[] | undefined {
  if (entry.type === "match") return [entry.value];
  if (entry.type === "match_any") return entry.value;
  return undefined;
}

function clashOf(a: Leaf, b: Leaf): { message: string; certain: boolean } | undefined {
  const field = `\`${a.field}\``;
  if (a.type === "exists" && b.type === "exists" && a.operator !== b.operator)
    return { message: `${field} must both exist and not exist`, certain: true };
  // Not existing, and having a value (any included entry needs one).
  const missing = [a, b].find((e) => e.type === "exists" && e.operator === "excluded");
  const needs = [a, b].find((e) => e !== missing && e.operator === "included");
  if (missing && needs)
    return {
      message: `${field} must not exist, yet \`${needs.type}\` requires a value of it`,
      certain: true,
    };
  const av = exactValues(a);
  const bv = exactValues(b);
  if (!av || !bv) return undefined;
  if (a.operator !== b.operator) {
    // Every value the included entry accepts is one the excluded entry refuses.
    const [inc, exc] = a.operator === "included" ? [av, bv] : [bv, av];
    if (inc.every((v) => exc.includes(v)))
      return {
        message: `${field} must be ${inc.map((v) => `\`${v}\``).join(" or ")}, and must not be ${exc.map((v) => `\`${v}\``).join(" or ")}`,
        certain: true,
      };
    return undefined;
  }
  if (a.operator === "included" && !av.some((v) => bv.includes(v)))
    return {
      message: `${field} must be ${av.map((v) => `\`${v}\``).join(" or ")} and also ${bv.map((v) => `\`${v}\``).join(" or ")}: only an event holding both in an array matches`,
      certain: false,
    };
  return undefined;
}
