/**
 * `dac fmt` over files: which YAML files to format (rules, fixture `cases.yaml`), formatting each without
 * writing, and writing atomically only the files whose text changes.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { collectYamlFiles, diagnosticAtPosition, linkStatus, loadYaml } from "@dac/schema";
import type { Diagnostic, YamlLimits } from "@dac/schema";
import { formatYaml, FormatError } from "./format.js";
import type { YamlKind } from "./format.js";
import { schemaHeader } from "./scaffold.js";

export interface FormatTarget {
  /** Absolute path. */
  file: string;
  kind: YamlKind;
}

export interface FormatFolders {
  /** Absolute rules and fixtures folders, and the schemas folder headers point at. */
  rules: string;
  fixtures: string;
  schemas: string;
  /** The repository (the folder of dac.config.yaml): links must resolve inside it. Default: above `rules`. */
  root?: string;
}

export interface FileOutcome {
  file: string;
  kind: YamlKind;
  /** `skipped`: a symbolic link, which fmt never writes through or over (`message` says why). */
  status: "unchanged" | "changed" | "error" | "skipped";
  /** The formatted text, when it differs. */
  text?: string;
  message?: string;
  line?: number;
  /** Why the file was refused, as `dac validate` reports it (encoding, size, emptiness, aliases, YAML, links). */
  diagnostics: Diagnostic[];
  notes: string[];
}

/** The file hazards that `dac validate` reports and that make a file unsafe to rewrite. */
const refusedCodes = new Set(["DAC001", "DAC002", "DAC003", "DAC004", "DAC005", "DAC006", "DAC007"]);

/**
 * The YAML files under `paths` (default: the rules and fixtures folders), each with its kind. Links to folders
 * are not followed; each goes to `onSkip` with the reason.
 */
export function formatTargets(
  paths: readonly string[],
  folders: FormatFolders,
  cwd: string,
  onSkip: (path: string, reason: string) => void = () => {},
): FormatTarget[] {
  const roots =
    paths.length > 0
      ? paths.map((p) => resolve(cwd, p))
      : [folders.rules, folders.fixtures].filter(existsSync);
  const files = new Set<string>();
  for (const root of roots) {
    if (!existsSync(root)) throw new FormatError(`${relative(cwd, root) || root}: no such file or folder`);
    if (statSync(root).isDirectory()) for (const f of collectYamlFiles([root], cwd, onSkip)) files.add(f);
    else files.add(root);
  }
  return [...files].sort().map((file) => ({ file, kind: kindOf(file, folders) }));
}

/** Fixture `cases.yaml` files and rules by place, then by their schema header; anything else is plain YAML. */
export function kindOf(file: string, folders: FormatFolders): YamlKind {
  const name = basename(file).toLowerCase();
  if (isWithin(file, folders.fixtures))
    return name === "cases.yaml" || name === "cases.yml" ? "cases" : "other";
  // A rule-default exception list lives next to its rule but is not a rule.
  if (/\.exceptions\.ya?ml$/.test(name)) return "other";
  if (isWithin(file, folders.rules)) return "rule";
  let first = "";
  try {
    first = readFileSync(file, "utf8").split("\n", 1)[0] ?? "";
  } catch {
    return "other";
  }
  if (/\$schema=\S*rule\.schema\.json/.test(first)) return "rule";
  if (/\$schema=\S*fixture-cases\.schema\.json/.test(first)) return "cases";
  return "other";
}

export interface FormatTargetOptions {
  queries?: boolean;
  /** `limits` of dac.config.yaml, as `dac validate` applies them. */
  limits?: Partial<YamlLimits>;
  /** The file's name in diagnostics (default: its absolute path). */
  shown?: string;
}

/**
 * Formats one file without writing it. A file `dac validate` refuses (not UTF-8, over the size limit, empty,
 * an alias bomb, invalid YAML, a link outside the repository) is an error with the same diagnostics; a link
 * inside the repository is skipped, since writing it would replace the link or edit a file elsewhere.
 */
export function formatTarget(
  target: FormatTarget,
  folders: FormatFolders,
  options: FormatTargetOptions = {},
): FileOutcome {
  const base = {
    file: target.file,
    kind: target.kind,
    notes: [] as string[],
    diagnostics: [] as Diagnostic[],
  };
  const shown = options.shown ?? target.file;
  const refuse = (diagnostics: Diagnostic[]): FileOutcome => ({
    ...base,
    status: "error",
    message: diagnostics.map((d) => `${d.code} ${d.message}`).join("; "),
    line: diagnostics[0]?.line ?? 1,
    diagnostics,
  });
  const link = linkStatus(target.file, folders.root ?? dirname(folders.rules));
  if (link.problem) return refuse([diagnosticAtPosition(shown, "DAC009", `${shown} ${link.problem}`)]);
  if (link.link) {
    return {
      ...base,
      status: "skipped",
      message: `a symbolic link to ${link.target}; dac fmt never writes through or over a link (format its target)`,
    };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(target.file);
  } catch (error) {
    return refuse([diagnosticAtPosition(shown, "DAC009", `cannot read file: ${(error as Error).message}`)]);
  }
  const hazards = loadYaml(shown, bytes, options.limits).diagnostics.filter((d) => refusedCodes.has(d.code));
  if (hazards.length > 0) return refuse(hazards);
  // Valid UTF-8 by now; a byte order mark stays as it was.
  const text = bytes.toString("utf8");
  const schema =
    target.kind === "rule"
      ? "rule.schema.json"
      : target.kind === "cases"
        ? "fixture-cases.schema.json"
        : undefined;
  try {
    const result = formatYaml(text, {
      kind: target.kind,
      queries: options.queries === true,
      ...(options.limits?.maxAliasCount ? { maxAliasCount: options.limits.maxAliasCount } : {}),
      ...(schema ? { schemaHeader: schemaHeader(target.file, join(folders.schemas, schema)) } : {}),
    });
    return result.changed
      ? { ...base, status: "changed", text: result.text, notes: result.notes }
      : { ...base, status: "unchanged", notes: result.notes };
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return { ...base, status: "error", message: error.message, ...(error.line ? { line: error.line } : {}) };
  }
}

function isWithin(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return (
    rel !== "" &&
    !rel.startsWith(`..${sep}`) &&
    rel !== ".." &&
    !rel.startsWith("/") &&
    !/^[a-zA-Z]:/.test(rel)
  );
}
