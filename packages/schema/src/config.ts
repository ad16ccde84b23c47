import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { codes } from "./codes.js";
import type { Diagnostic } from "./diagnostic.js";
import { diagnosticAt } from "./position.js";
import { schemaDiagnostics, schemaValidator } from "./rule-schema.js";
import { defaultYamlLimits, loadYaml } from "./yaml-source.js";
import type { YamlLimits } from "./yaml-source.js";

export const configFileName = "dac.config.yaml";

/** One rule's opt-out from some checks. A reason is required, as with Sigma's per-rule validator exclusions. */
export interface Exclusion {
  /** A `rule_id`, or a path glob relative to the repository root (`rules/kubernetes/*.yaml`). */
  rule: string;
  checks: string[];
  reason: string;
}

export interface DacConfig {
  /** Folder holding the config file (or the working directory when there is none); other paths resolve from it. */
  root: string;
  /** The config file, when one was found. */
  file?: string;
  rules: string;
  fixtures: string;
  /** Exception lists (`<list>.yaml`) and value lists (`lists/<id>.<type>.txt`). */
  exceptions: string;
  fields: string[];
  unknownFields: "keyword" | "unmapped";
  lock: string;
  /** `stixAt`: where `attack.stix` is written in the config file, for errors found when the bundle is read. */
  attack: { stix?: string; stixAt?: ConfigPosition };
  exclusions: Exclusion[];
  kibana: { url?: string; spaces: string[]; managementTag: string; caCert?: string };
  limits: YamlLimits;
}

/** A span in the configuration file. */
export type ConfigPosition = Pick<Diagnostic, "file" | "line" | "column" | "endLine" | "endColumn">;

/** A configuration problem: the CLI reports the diagnostics and exits 2. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export function defaultConfig(root: string): DacConfig {
  return {
    root,
    rules: join(root, "rules"),
    fixtures: join(root, "fixtures"),
    exceptions: join(root, "exceptions"),
    fields: [join(root, "schemas", "fields")],
    unknownFields: "keyword",
    lock: join(root, "rules.lock.json"),
    attack: {},
    exclusions: [],
    kibana: { spaces: [], managementTag: "Managed by: dac" },
    limits: { ...defaultYamlLimits },
  };
}

/** The nearest `dac.config.yaml` at or above `start`. */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, configFileName);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface RawConfig {
  rules?: string;
  fixtures?: string;
  exceptions?: string;
  fields?: string[];
  unknown_fields?: "keyword" | "unmapped";
  lock?: string;
  attack?: { stix?: string };
  exclusions?: Exclusion[];
  kibana?: { url?: string; spaces?: string[]; management_tag?: string; ca_cert?: string };
  limits?: { max_file_bytes?: number; max_alias_count?: number };
}

/** Loads and validates the configuration; paths come back absolute. Throws `ConfigError` on a bad file. */
export function loadConfig(cwd: string, explicitFile?: string): DacConfig {
  const file = explicitFile ? resolve(cwd, explicitFile) : findConfigFile(cwd);
  if (!file) return defaultConfig(resolve(cwd));
  if (!existsSync(file)) throw new ConfigError(`configuration file ${file} does not exist`);
  const root = dirname(file);
  const loaded = loadYaml(file, readFileSync(file));
  if (loaded.diagnostics.length > 0 || !loaded.source) {
    throw new ConfigError(`configuration file ${file} is not valid`, loaded.diagnostics);
  }
  const { validate, schema } = schemaValidator("dac.config.schema.json");
  const problems = schemaDiagnostics(loaded.source, loaded.value, validate, schema).map((d) => ({
    ...d,
    code: "DAC901",
    name: "invalid-config",
  }));
  if (problems.length > 0) throw new ConfigError(`configuration file ${file} is not valid`, problems);
  const raw = loaded.value as RawConfig;
  const source = loaded.source;
  const stixAt = raw.attack?.stix
    ? positionOf(diagnosticAt(source, ["attack", "stix"], placeholder))
    : undefined;
  const semantic = [
    ...(raw.attack?.stix ? stixFileProblems(resolve(root, raw.attack.stix), raw.attack.stix, stixAt!) : []),
    ...(raw.exclusions ?? []).flatMap((exclusion, i) =>
      exclusion.checks.flatMap((code, j) =>
        codes.has(code)
          ? []
          : [
              diagnosticAt(source, ["exclusions", i, "checks", j], {
                code: "DAC904",
                message: `exclusion of \`${exclusion.rule}\` names the check \`${code}\`, which does not exist`,
                hint: checkSuggestion(code) ?? "see the table of codes in the README (DAC0xx to DAC9xx)",
              }),
            ],
      ),
    ),
  ];
  if (semantic.length > 0) throw new ConfigError(`configuration file ${file} is not valid`, semantic);
  const defaults = defaultConfig(root);
  const at = (p: string | undefined, fallback: string) => (p ? resolve(root, p) : fallback);
  return {
    root,
    file,
    rules: at(raw.rules, defaults.rules),
    fixtures: at(raw.fixtures, defaults.fixtures),
    exceptions: at(raw.exceptions, defaults.exceptions),
    fields: raw.fields ? raw.fields.map((f) => resolve(root, f)) : defaults.fields,
    unknownFields: raw.unknown_fields ?? defaults.unknownFields,
    lock: at(raw.lock, defaults.lock),
    attack: raw.attack?.stix ? { stix: resolve(root, raw.attack.stix), stixAt: stixAt! } : {},
    exclusions: raw.exclusions ?? [],
    kibana: {
      ...(raw.kibana?.url ? { url: raw.kibana.url } : {}),
      spaces: raw.kibana?.spaces ?? [],
      managementTag: raw.kibana?.management_tag ?? defaults.kibana.managementTag,
      ...(raw.kibana?.ca_cert ? { caCert: resolve(root, raw.kibana.ca_cert) } : {}),
    },
    limits: {
      maxFileBytes: raw.limits?.max_file_bytes ?? defaults.limits.maxFileBytes,
      maxAliasCount: raw.limits?.max_alias_count ?? defaults.limits.maxAliasCount,
    },
  };
}

const placeholder = { code: "DAC903", message: "" };

function positionOf(d: Diagnostic): ConfigPosition {
  return { file: d.file, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn };
}

/** A diagnostic at a position already found in the configuration file. */
export function configDiagnostic(
  at: ConfigPosition,
  code: string,
  message: string,
  hint?: string,
): Diagnostic {
  const info = codes.get(code)!;
  return { ...at, severity: info.severity, code, name: info.name, message, ...(hint ? { hint } : {}) };
}

/** What can be told of the STIX file without reading it (a missing file, a folder); its content is checked on use. */
function stixFileProblems(path: string, written: string, at: ConfigPosition): Diagnostic[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return [
      configDiagnostic(
        at,
        "DAC903",
        code === "ENOENT"
          ? `attack.stix: ${written} does not exist`
          : `attack.stix: cannot read ${written} (${code})`,
        "download enterprise-attack.json from github.com/mitre-attack/attack-stix-data into the repository, or remove attack.stix",
      ),
    ];
  }
  if (stat.isDirectory())
    return [
      configDiagnostic(
        at,
        "DAC903",
        `attack.stix: ${written} is a folder, not a STIX bundle file`,
        "name the bundle's JSON file, e.g. enterprise-attack.json",
      ),
    ];
  return [];
}

/**
 * A close code for a mistyped one: two neighbouring digits swapped first (DAC250 → DAC205), else one digit off,
 * the numerically nearest. Plain edit distance is useless here, every code is two edits from dozens of others.
 */
function checkSuggestion(code: string): string | undefined {
  const digits = code.slice(3);
  const known = [...codes.keys()];
  for (let i = 0; i + 1 < digits.length; i++) {
    const swapped = `DAC${digits.slice(0, i)}${digits[i + 1]}${digits[i]}${digits.slice(i + 2)}`;
    if (swapped !== code && codes.has(swapped)) return `did you mean \`${swapped}\`?`;
  }
  const oneOff = known
    .filter((k) => [...k.slice(3)].filter((d, i) => d !== digits[i]).length === 1)
    .sort(
      (a, b) => Math.abs(Number(a.slice(3)) - Number(digits)) - Math.abs(Number(b.slice(3)) - Number(digits)),
    );
  return oneOff[0] ? `did you mean \`${oneOff[0]}\`?` : undefined;
}
