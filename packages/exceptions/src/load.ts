/**
 * Reads the repository's exceptions: shared lists in `exceptions/*.yaml`, rule-default lists next to their rules
 * (`rules/<path>/<rule>.exceptions.yaml`), and value lists in `exceptions/lists/<id>.<type>.txt`. Every problem is
 * a positioned diagnostic; a file that cannot be used yields no list, never a partial one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { isIP } from "node:net";
import {
  defaultYamlLimits,
  diagnosticAt,
  diagnosticAtPosition,
  displayPath,
  loadYaml,
  rangeOf,
  schemaDiagnostics,
  schemaValidator,
  schemasDir,
} from "@dac/schema";
import type { Diagnostic, YamlLimits, YamlSource } from "@dac/schema";
import { valueListTypes } from "./types.js";
import type { ExceptionItem, ExceptionList, ExceptionSet, ValueList, ValueListType } from "./types.js";

export const exceptionListSchemaPath = join(schemasDir, "exception-list.schema.json");

/** A rule-default list sits next to its rule: `<rule>.exceptions.yaml` beside `<rule>.yaml`. */
export const ruleDefaultSuffix = /\.exceptions\.ya?ml$/i;

/** Value list files: `<id>.<type>.txt`. */
const valueListFile = /^(.+)\.([a-z_]+)\.txt$/;
const yamlFile = /\.ya?ml$/i;

export interface LoadExceptionsOptions {
  /** The exceptions folder (default `<root>/exceptions`). */
  exceptions?: string;
  /** The rules folder, searched for rule-default lists (default `<root>/rules`). */
  rules?: string;
  limits?: Partial<YamlLimits>;
  /** Diagnostics name files relative to this folder (default: the working directory). */
  cwd?: string;
}

// Precompiled by @dac/schema's build when the schema text is the same.
const listValidator = () => schemaValidator("exception-list.schema.json");

function walk(dir: string, keep: (name: string) => boolean, skipDir?: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        if (full !== skipDir) visit(full);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && keep(entry.name)) out.push(full);
    }
  };
  visit(dir);
  return out.sort();
}

const posix = (path: string) => path.split(sep).join("/");

/** Loads every exception list and value list of the repository at `root`. */
export function loadExceptions(root: string, options: LoadExceptionsOptions = {}): ExceptionSet {
  const cwd = options.cwd ?? process.cwd();
  const exceptionsDir = resolve(root, options.exceptions ?? "exceptions");
  const rulesDir = resolve(root, options.rules ?? "rules");
  const limits = { ...defaultYamlLimits, ...options.limits };
  const listsDir = join(exceptionsDir, "lists");
  const diagnostics: Diagnostic[] = [];
  const lists: ExceptionList[] = [];
  const sources = new Map<string, YamlSource>();
  const repoPath = (absolute: string) => {
    const rel = relative(root, absolute);
    return posix(rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : absolute);
  };

  const shared = walk(exceptionsDir, (name) => yamlFile.test(name), listsDir);
  const ruleDefaults = walk(rulesDir, (name) => ruleDefaultSuffix.test(name));
  for (const absolute of [...shared, ...ruleDefaults]) {
    const shown = displayPath(absolute, cwd);
    const loaded = readList(absolute, shown, limits, ruleDefaults.includes(absolute));
    diagnostics.push(...loaded.diagnostics);
    if (!loaded.list || !loaded.source) continue;
    const list = { ...loaded.list, file: repoPath(absolute) };
    if (ruleDefaults.includes(absolute)) {
      const ruleFile = absolute.replace(ruleDefaultSuffix, absolute.endsWith(".yml") ? ".yml" : ".yaml");
      const ruleId = ruleIdOf(ruleFile, limits);
      if (ruleId === undefined) {
        diagnostics.push(
          diagnosticAtPosition(
            shown,
            "DAC711",
            `rule-default list \`${list.list_id}\` has no rule next to it: ${displayPath(ruleFile, cwd)} does not exist or has no rule_id`,
            undefined,
            undefined,
            "name the file after its rule: <rule>.exceptions.yaml beside <rule>.yaml",
          ),
        );
        continue;
      }
      list.rule_id = ruleId;
    }
    lists.push(list);
    sources.set(list.file, loaded.source);
  }

  const valueLists: ValueList[] = [];
  for (const absolute of walk(listsDir, () => true)) {
    const loaded = readValueList(absolute, displayPath(absolute, cwd), limits.maxFileBytes);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.valueList) valueLists.push({ ...loaded.valueList, file: repoPath(absolute) });
  }

  diagnostics.push(...duplicateIds(lists, valueLists, sources, cwd, root));
  return { lists, valueLists, diagnostics, sources };
}

function readList(
  absolute: string,
  shown: string,
  limits: YamlLimits,
  nextToRule: boolean,
): { list?: Omit<ExceptionList, "file">; source?: YamlSource; diagnostics: Diagnostic[] } {
  let content: Buffer;
  try {
    content = readFileSync(absolute);
  } catch (error) {
    return {
      diagnostics: [diagnosticAtPosition(shown, "DAC009", `cannot read file: ${(error as Error).message}`)],
    };
  }
  const loaded = loadYaml(shown, content, limits);
  if (!loaded.source || loaded.value === undefined || loaded.diagnostics.some((d) => d.severity === "error"))
    return { diagnostics: loaded.diagnostics };
  const { validate, schema } = listValidator();
  const problems = schemaDiagnostics(loaded.source, loaded.value, validate, schema).map((d) => ({
    ...d,
    code: "DAC701",
    name: "exception-schema",
  }));
  const diagnostics = [...loaded.diagnostics, ...problems];
  if (!/^# yaml-language-server: \$schema=\S+/.test(loaded.source.text))
    diagnostics.push({
      ...diagnosticAtPosition(shown, "DAC010", "the file does not start with the schema header"),
      hint: "make the first line `# yaml-language-server: $schema=<relative path to schemas/exception-list.schema.json>` so editors validate and complete the list",
    });
  if (problems.length > 0) return { diagnostics };
  const raw = loaded.value as Omit<ExceptionList, "file" | "namespace_type" | "items"> & {
    namespace_type?: ExceptionList["namespace_type"];
    items: (Omit<ExceptionItem, "type"> & { type?: "simple" })[];
  };
  if (nextToRule !== (raw.type === "rule_default")) {
    diagnostics.push(
      diagnosticAt(loaded.source, ["type"], {
        code: "DAC711",
        message: nextToRule
          ? `a list next to a rule is that rule's rule-default list, so its type must be \`rule_default\`, not \`${raw.type}\``
          : "a `rule_default` list belongs to one rule: keep it next to the rule as <rule>.exceptions.yaml",
        hint: nextToRule
          ? "set `type: rule_default`, or move a shared list to the exceptions folder"
          : "move the file next to its rule, or make it a shared `detection` list",
      }),
    );
    return { diagnostics };
  }
  const list: Omit<ExceptionList, "file"> = {
    ...raw,
    namespace_type: raw.namespace_type ?? "single",
    items: raw.items.map((item) => ({ ...item, type: item.type ?? "simple" })),
  };
  return { list, source: loaded.source, diagnostics };
}

/** The `rule_id` of the rule file next to a rule-default list, read without validating the rule. */
function ruleIdOf(ruleFile: string, limits: YamlLimits): string | undefined {
  if (!existsSync(ruleFile)) return undefined;
  try {
    const loaded = loadYaml(ruleFile, readFileSync(ruleFile), limits);
    const id = (loaded.value as { rule_id?: unknown } | undefined)?.rule_id;
    return typeof id === "string" && id !== "" ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A value list file: one value a line, as Kibana's list import reads them. Lines starting with `#` are comments;
 * `# name: …` and `# description: …` among them give the list's name and description (default: the id).
 */
export function parseValueList(
  file: string,
  text: string,
  id: string,
  type: ValueListType,
): { valueList: Omit<ValueList, "file">; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const values: string[] = [];
  let name: string | undefined;
  let description: string | undefined;
  const seen = new Set<string>();
  text.split("\n").forEach((line, i) => {
    const trimmed = line.replace(/\r$/, "").trim();
    if (trimmed === "") return;
    if (trimmed.startsWith("#")) {
      const header = /^#\s*(name|description)\s*:\s*(.*)$/i.exec(trimmed);
      if (header) {
        if (header[1]!.toLowerCase() === "name") name = header[2]!.trim();
        else description = header[2]!.trim();
      }
      return;
    }
    const at = { line: i + 1, column: line.indexOf(trimmed) + 1 };
    const end = { line: i + 1, column: at.column + trimmed.length };
    const problem = invalidValue(trimmed, type);
    if (problem) {
      diagnostics.push(diagnosticAtPosition(file, "DAC712", problem, at, end));
      return;
    }
    if (seen.has(trimmed)) return;
    seen.add(trimmed);
    values.push(trimmed);
  });
  return {
    valueList: { id, type, name: name || id, description: description || name || id, values },
    diagnostics,
  };
}

/** Why a value cannot be in a list of this type (Elasticsearch would refuse to index it), if it cannot. */
export function invalidValue(value: string, type: ValueListType): string | undefined {
  switch (type) {
    case "ip":
      return isIP(value) ? undefined : `\`${value}\` is not an IP address (an ip list holds addresses)`;
    case "ip_range": {
      if (isIP(value)) return undefined;
      const cidr = /^(.+)\/(\d{1,3})$/.exec(value);
      if (cidr) {
        const version = isIP(cidr[1]!);
        const bits = Number(cidr[2]);
        if (version !== 0 && bits <= (version === 4 ? 32 : 128)) return undefined;
      }
      const dash = value.split("-");
      if (dash.length === 2 && isIP(dash[0]!.trim()) !== 0 && isIP(dash[0]!.trim()) === isIP(dash[1]!.trim()))
        return undefined;
      return `\`${value}\` is not an address, a CIDR block (10.0.0.0/8) or a range (10.0.0.1-10.0.0.9)`;
    }
    case "byte":
    case "short":
    case "integer":
    case "long":
      return /^[+-]?\d+$/.test(value) ? undefined : `\`${value}\` is not an integer`;
    case "float":
    case "half_float":
    case "double":
      return Number.isFinite(Number(value)) ? undefined : `\`${value}\` is not a number`;
    case "boolean":
      return value === "true" || value === "false" ? undefined : `\`${value}\` is not \`true\` or \`false\``;
    default:
      return undefined;
  }
}

function readValueList(
  absolute: string,
  shown: string,
  maxFileBytes: number,
): { valueList?: Omit<ValueList, "file">; diagnostics: Diagnostic[] } {
  const name = basename(absolute);
  const parts = valueListFile.exec(name);
  const type = parts?.[2] as ValueListType | undefined;
  if (!parts || !type || !valueListTypes.includes(type)) {
    return {
      diagnostics: [
        diagnosticAtPosition(
          shown,
          "DAC712",
          parts
            ? `value list ${name}: \`${parts[2]}\` is not a value list type`
            : `value list ${name} is not named <id>.<type>.txt`,
          undefined,
          undefined,
          `name value lists <id>.<type>.txt, where type is one of ${["keyword", "ip", "ip_range", "text"].join(", ")}, …`,
        ),
      ],
    };
  }
  let text: string;
  try {
    if (statSync(absolute).size > maxFileBytes)
      return {
        diagnostics: [
          diagnosticAtPosition(
            shown,
            "DAC006",
            `file is ${statSync(absolute).size} bytes, over the limit of ${maxFileBytes} bytes`,
          ),
        ],
      };
    text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(absolute));
  } catch (error) {
    return {
      diagnostics: [
        diagnosticAtPosition(
          shown,
          error instanceof TypeError ? "DAC005" : "DAC009",
          error instanceof TypeError
            ? "the file is not valid UTF-8"
            : `cannot read file: ${(error as Error).message}`,
        ),
      ],
    };
  }
  return parseValueList(shown, text, parts[1]!, type);
}

function duplicateIds(
  lists: readonly ExceptionList[],
  valueLists: readonly ValueList[],
  sources: ReadonlyMap<string, YamlSource>,
  cwd: string,
  root: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const shown = (file: string) => displayPath(resolve(root, file), cwd);
  const at = (list: ExceptionList, path: (string | number)[], message: string) => {
    return diagnosticAt(sources.get(list.file)!, path, { code: "DAC702", message });
  };
  // Kibana keys a list by list_id and an item by item_id, each within its namespace.
  const listIds = new Map<string, ExceptionList>();
  const itemIds = new Map<string, ExceptionList>();
  for (const list of lists) {
    const key = `${list.namespace_type}\0${list.list_id}`;
    const first = listIds.get(key);
    if (first)
      out.push(at(list, ["list_id"], `list_id \`${list.list_id}\` is also the id of ${shown(first.file)}`));
    else listIds.set(key, list);
    list.items.forEach((item, i) => {
      const itemKey = `${list.namespace_type}\0${item.item_id}`;
      const other = itemIds.get(itemKey);
      if (other)
        out.push(
          at(
            list,
            ["items", i, "item_id"],
            `item_id \`${item.item_id}\` is already used in ${other === list ? "this list" : shown(other.file)}`,
          ),
        );
      else itemIds.set(itemKey, list);
    });
  }
  const valueIds = new Map<string, ValueList>();
  for (const list of valueLists) {
    const first = valueIds.get(list.id);
    if (first)
      out.push(
        diagnosticAtPosition(
          shown(list.file),
          "DAC702",
          `value list id \`${list.id}\` is also the id of ${shown(first.file)}`,
          undefined,
          undefined,
          "a value list's id is its file name before .<type>.txt; rename one",
        ),
      );
    else valueIds.set(list.id, list);
  }
  return out;
}

/** Where a list file's item or entry is written, for reports. */
export function itemLocation(
  set: Pick<ExceptionSet, "sources">,
  list: ExceptionList,
  index: number,
  cwd: string,
  root: string,
): { file: string; line: number; column: number } {
  const source = set.sources.get(list.file);
  const file = displayPath(resolve(root, list.file), cwd);
  if (!source) return { file, line: 1, column: 1 };
  const span = rangeOf(source, ["items", index]);
  return { file, line: span.line, column: span.column };
}
