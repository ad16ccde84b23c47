/**
 * `dac fmt` over files: which YAML files to format (rules, fixture `cases.yaml`), formatting each without
 * writing, and writing atomically only the files whose text changes.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { collectYamlFiles } from "@dac/schema";
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
}

export interface FileOutcome {
  file: string;
  kind: YamlKind;
  status: "unchanged" | "changed" | "error";
  /** The formatted text, when it differs. */
  text?: string;
  message?: string;
  line?: number;
  notes: string[];
}

/** The YAML files under `paths` (default: the rules and fixtures folders), each with its kind. */
export function formatTargets(paths: readonly string[], folders: FormatFolders, cwd: string): FormatTarget[] {
  const roots =
    paths.length > 0
      ? paths.map((p) => resolve(cwd, p))
      : [folders.rules, folders.fixtures].filter(existsSync);
  const files = new Set<string>();
  for (const root of roots) {
    if (!existsSync(root)) throw new FormatError(`${relative(cwd, root) || root}: no such file or folder`);
    if (statSync(root).isDirectory()) for (const f of collectYamlFiles([root])) files.add(f);
    else files.add(root);
  }
  return [...files].sort().map((file) => ({ file, kind: kindOf(file, folders) }));
}

/** Fixture `cases.yaml` files and rules by place, then by their schema header; anything else is plain YAML. */
export function kindOf(file: string, folders: FormatFolders): YamlKind {
  const name = basename(file).toLowerCase();
  if (isWithin(file, folders.fixtures))
    return name === "cases.yaml" || name === "cases.yml" ? "cases" : "other";
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

export function formatTarget(
  target: FormatTarget,
  folders: FormatFolders,
  options: { queries?: boolean } = {},
): FileOutcome {
  const base = { file: target.file, kind: target.kind, notes: [] as string[] };
  let text: string;
  try {
    text = readFileSync(target.file, "utf8");
  } catch (error) {
    return { ...base, status: "error", message: `cannot read the file: ${(error as Error).message}` };
  }
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
