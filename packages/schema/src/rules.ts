import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import picomatch from "picomatch";
import { checkAttack, loadAttackData } from "./attack.js";
import type { AttackData } from "./attack.js";
import type { DacConfig } from "./config.js";
import { linkStatus } from "./files.js";
import { ConfigError } from "./config.js";
import type { Diagnostic } from "./diagnostic.js";
import { checkQueries } from "./query-checks.js";
import { checkTypeSettings } from "./type-checks.js";
import type { Rule, RuleData } from "./rule.js";
import { checkRule, checkRuleSet } from "./rule-checks.js";
import { newCatalogueRun, otherDefinitions, ruleFieldCatalog, threatIndexCatalog } from "./rule-catalog.js";
import { ruleSchemaValidator, schemaDiagnostics } from "./rule-schema.js";
import { checkFilesInThreads, threadCount } from "./parallel.js";
import { takePrestartedWorkers } from "./prestart.js";
import type { FileResult } from "./parallel.js";
import { diagnosticAtPosition, lazyYamlSource, loadYaml } from "./yaml-source.js";
import type { YamlSource } from "./yaml-source.js";

const yamlFile = /\.ya?ml$/i;

/** `<rule>.exceptions.yaml` next to a rule holds the rule's exceptions (@dac/exceptions), not a rule. */
export function isRuleDefaultListFile(path: string): boolean {
  return /\.exceptions\.ya?ml$/i.test(path);
}
const schemaHeader = /^# yaml-language-server: \$schema=(\S+)\s*$/;

/**
 * Expands files and folders into the YAML files under them, sorted. A path that does not exist is a usage error.
 * Links to YAML files are listed like files (readers apply `linkStatus`); links to folders are not followed (a
 * link can loop) and go to `onSkip` with the reason, so that callers report them instead of dropping them.
 */
export function collectYamlFiles(
  paths: readonly string[],
  cwd = process.cwd(),
  onSkip: (path: string, reason: string) => void = () => {},
): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && yamlFile.test(entry.name)) out.add(full);
      else if (entry.isSymbolicLink()) {
        let folder = false;
        try {
          folder = statSync(full).isDirectory();
        } catch {
          // A broken link: listed when its name is a YAML file's, so the reader reports it.
        }
        if (folder)
          onSkip(full, "a symbolic link to a folder, not followed (pass the folder itself to include it)");
        else if (yamlFile.test(entry.name)) out.add(full);
      }
    }
  };
  for (const path of paths) {
    const full = resolve(cwd, path);
    let stats;
    try {
      stats = statSync(full);
    } catch {
      throw new ConfigError(`${path}: no such file or folder`);
    }
    if (stats.isDirectory()) walk(full);
    else out.add(full);
  }
  return [...out].sort();
}

/** Shows a path relative to the working directory when it lies below it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") ? rel : file;
}

export interface LoadRulesResult {
  rules: Rule[];
  diagnostics: Diagnostic[];
  /** Every file looked at, valid or not. */
  files: string[];
}

/** Loads one rule file: YAML hazards, schema header and JSON Schema. Semantic checks come after. */
export function loadRuleFile(
  file: string,
  content: string | Uint8Array,
  config: DacConfig,
): { rule?: Rule; diagnostics: Diagnostic[] } {
  const loaded = loadYaml(file, content, config.limits);
  const diagnostics = [...loaded.diagnostics];
  if (!loaded.source || loaded.value === undefined || diagnostics.some((d) => d.severity === "error"))
    return { diagnostics };
  diagnostics.push(...checkSchemaHeader(loaded.source));
  const { validate, schema } = ruleSchemaValidator();
  const schemaProblems = schemaDiagnostics(loaded.source, loaded.value, validate, schema);
  diagnostics.push(...schemaProblems);
  const rule: Rule = {
    file,
    source: loaded.source,
    data: loaded.value as RuleData,
    valid: schemaProblems.length === 0,
  };
  return { rule, diagnostics };
}

function checkSchemaHeader(source: YamlSource): Diagnostic[] {
  const firstLine = source.text.split("\n", 1)[0] ?? "";
  if (schemaHeader.test(firstLine)) return [];
  return [
    {
      ...diagnosticAtPosition(source.file, "DAC010", "the file does not start with the schema header", {
        line: 1,
        column: 1,
      }),
      severity: "error",
      hint: "make the first line `# yaml-language-server: $schema=<relative path to schemas/rule.schema.json>` so editors validate and complete the rule",
    },
  ];
}

/** Every check that needs only one file: YAML, schema, rule semantics, ATT&CK and queries. */
export function validateRuleFile(
  file: string,
  content: string | Uint8Array,
  config: DacConfig,
  attack: AttackData = loadAttackData(config.attack.stix, config.attack.stixAt),
): { rule?: Rule; diagnostics: Diagnostic[] } {
  const loaded = loadRuleFile(file, content, config);
  if (!loaded.rule?.valid) return loaded;
  const rule = loaded.rule;
  const catalog = ruleFieldCatalog(rule.data, config);
  const queryOptions = { otherDefinitions: (name: string) => otherDefinitions(name, config) };
  return {
    rule,
    diagnostics: [
      ...loaded.diagnostics,
      ...checkRule(rule),
      ...checkAttack(rule, attack),
      ...checkQueries(rule, catalog, queryOptions),
      ...checkTypeSettings(rule, catalog, () => threatIndexCatalog(rule.data, config), queryOptions),
    ],
  };
}

/** Reads and checks one rule file (a path as collected), reporting a refused link or an unreadable file. */
export function checkFile(absolute: string, cwd: string, config: DacConfig, attack: AttackData): FileResult {
  const file = displayPath(absolute, cwd);
  const link = linkStatus(absolute, config.root);
  if (link.problem) return { diagnostics: [diagnosticAtPosition(file, "DAC009", `${file} ${link.problem}`)] };
  let content: Buffer;
  try {
    content = readFileSync(absolute);
  } catch (error) {
    return {
      diagnostics: [diagnosticAtPosition(file, "DAC009", `cannot read file: ${(error as Error).message}`)],
    };
  }
  return validateRuleFile(file, content, config, attack);
}

/**
 * Work on each valid rule, done in the thread that checks it (the lock's hash, for `dac validate`), so that it
 * runs beside the other threads' checks and not after them all. The result, which must survive a structured
 * clone, is kept as `rule.extras[name]`.
 */
export interface RuleExtras {
  name: string;
  /** The function, for this thread. */
  compute: (rule: Rule, config: DacConfig) => unknown;
  /** A module (URL) that exports it as `name`, for worker threads, which cannot be sent a function. */
  module: string;
}

export interface LoadRulesOptions {
  /** Computed for every valid rule where it is checked; see `RuleExtras`. */
  extras?: RuleExtras;
  /**
   * Threads to check files on, the main one included: 1 checks them in this thread. By default `defaultThreads`
   * (one per core up to 4, from 3 cores) once there are enough files to pay for starting them. Results are the
   * same either way.
   */
  threads?: number;
}

/**
 * Loads and validates rules: YAML, schema, per-rule checks, ATT&CK, queries, then cross-rule checks, with the
 * configured exclusions applied. Nothing is skipped silently: every file yields a rule or a diagnostic.
 */
export function loadRules(
  paths: readonly string[],
  config: DacConfig,
  cwd = process.cwd(),
  options: LoadRulesOptions = {},
): LoadRulesResult {
  const diagnostics: Diagnostic[] = [];
  newCatalogueRun();
  const files = collectYamlFiles(paths.length > 0 ? paths : [config.rules], cwd, (path, reason) =>
    diagnostics.push(diagnosticAtPosition(displayPath(path, cwd), "DAC011", `skipped: ${reason}`)),
  ).filter((file) => !isRuleDefaultListFile(file));
  const rules: Rule[] = [];
  const attack = loadAttackData(config.attack.stix, config.attack.stixAt);
  // A checked rule keeps its text, not its YAML tree, as rules from worker threads do: thousands of live trees
  // make every garbage collection slower, and only the few diagnostics reported later need a position (the text
  // is parsed again for them).
  const extras = options.extras;
  const check = (i: number) => {
    const result = checkFile(files[i]!, cwd, config, attack);
    if (extras && result.rule?.valid)
      result.rule.extras = { [extras.name]: extras.compute(result.rule, config) };
    return withoutTree(result);
  };
  const threads = threadCount(files.length, options.threads);
  if (threads === 1) takePrestartedWorkers(0);
  const results =
    threads > 1
      ? checkFilesInThreads(
          files,
          threads,
          { cwd, config, ...(extras ? { extras: { name: extras.name, module: extras.module } } : {}) },
          check,
        )
      : files.map((_, i) => check(i));
  for (const checked of results) {
    diagnostics.push(...checked.diagnostics);
    if (checked.rule) rules.push(checked.rule);
  }
  diagnostics.push(...checkRuleSet(rules.filter((r) => r.valid)));
  return { rules, diagnostics: applyExclusions(diagnostics, rules, config, cwd), files };
}

function withoutTree(result: FileResult): FileResult {
  const rule = result.rule;
  if (!rule) return result;
  return { ...result, rule: { ...rule, source: lazyYamlSource(rule.file, rule.source.text) } };
}

/** Drops diagnostics that a configured exclusion (rule id or path glob, with its checks) switches off. */
export function applyExclusions(
  diagnostics: Diagnostic[],
  rules: readonly Rule[],
  config: DacConfig,
  cwd = process.cwd(),
): Diagnostic[] {
  if (config.exclusions.length === 0) return diagnostics;
  const idOf = new Map(rules.map((r) => [r.file, String(r.data.rule_id ?? "")]));
  const matchers = config.exclusions.map((e) => ({ ...e, glob: picomatch(e.rule) }));
  return diagnostics.filter((d) => {
    const fromRoot = relative(config.root, resolve(cwd, d.file));
    return !matchers.some(
      (e) => e.checks.includes(d.code) && (e.rule === idOf.get(d.file) || e.glob(fromRoot)),
    );
  });
}
