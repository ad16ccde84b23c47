import { readdir } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { writeFileAtomic } from "@dac/schema";
import { compareStrings } from "./canonical.js";
import { payloadLine } from "./payload.js";
import type { KibanaPayload } from "./types.js";

/** Kibana's `_import` limits: `maxRuleImportExportSize` and `maxRuleImportPayloadBytes`. */
export interface ExportLimits {
  maxRules: number;
  maxBytes: number;
}

export const kibanaImportLimits: ExportLimits = { maxRules: 10_000, maxBytes: 10 * 1024 * 1024 };

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

/** One ndjson line per payload, ordered by `rule_id`. */
export function ndjsonLines(payloads: readonly KibanaPayload[]): string[] {
  return [...payloads].sort((a, b) => compareStrings(a.rule_id, b.rule_id)).map(payloadLine);
}

/**
 * Splits lines into files that each stay within the limits (a file's bytes count every line and its newline).
 * Greedy and order-preserving, so the same rules always split the same way.
 */
export function splitLines(lines: readonly string[], limits: ExportLimits = kibanaImportLimits): string[][] {
  const files: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (size > limits.maxBytes) {
      throw new ExportError(
        `a rule line of ${size} bytes is larger than the ${limits.maxBytes}-byte file limit`,
      );
    }
    if (current.length > 0 && (current.length >= limits.maxRules || bytes + size > limits.maxBytes)) {
      files.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += size;
  }
  if (current.length > 0) files.push(current);
  return files;
}

/** `out.ndjson`, `out-2.ndjson`, `out-3.ndjson`, … */
export function exportFileNames(out: string, count: number): string[] {
  const ext = extname(out);
  const stem = out.slice(0, out.length - ext.length);
  return Array.from({ length: count }, (_, i) => (i === 0 ? out : `${stem}-${i + 1}${ext}`));
}

export interface ExportedFile {
  path: string;
  rules: number;
  /** Exception list and item lines. */
  exceptions: number;
  bytes: number;
}

/** Exception lists and items have `list_id`, `item_id` or `entries` (create_rules_stream_from_ndjson.ts). */
function isExceptionLine(line: string): boolean {
  const object = JSON.parse(line) as Record<string, unknown>;
  return "list_id" in object || "item_id" in object || "entries" in object;
}

/**
 * Writes payloads as ndjson that `_import` accepts: stable order, split at Kibana's limits, each file written
 * atomically. Returns the files written, and earlier parts (`out-N.ndjson`) left over from a larger export,
 * which are not deleted but should not be imported.
 */
export async function writeExport(
  out: string,
  payloads: readonly KibanaPayload[],
  limits: ExportLimits = kibanaImportLimits,
  exceptionLines: readonly string[] = [],
): Promise<{ files: ExportedFile[]; staleParts: string[] }> {
  if (extname(out) !== ".ndjson")
    throw new ExportError(`the output file must end in .ndjson (Kibana rejects other names): ${out}`);
  // Rules first, then exception lists each followed by its items, as Kibana's rule export writes them.
  const chunks = splitLines([...ndjsonLines(payloads), ...exceptionLines], limits);
  if (chunks.length === 0) chunks.push([]);
  const names = exportFileNames(out, chunks.length);
  const files: ExportedFile[] = [];
  for (const [i, chunk] of chunks.entries()) {
    const text = chunk.map((line) => line + "\n").join("");
    await writeFileAtomic(names[i]!, text);
    const exceptions = chunk.filter(isExceptionLine).length;
    files.push({
      path: names[i]!,
      rules: chunk.length - exceptions,
      exceptions,
      bytes: Buffer.byteLength(text),
    });
  }
  return { files, staleParts: await staleParts(out, chunks.length) };
}

async function staleParts(out: string, count: number): Promise<string[]> {
  const ext = extname(out);
  const stem = basename(out, ext);
  const pattern = new RegExp(
    `^${stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)${ext.replace(".", "\\.")}$`,
  );
  const entries = await readdir(dirname(out) || ".");
  return entries
    .map((name) => ({ name, n: Number(pattern.exec(name)?.[1]) }))
    .filter(({ n }) => Number.isInteger(n) && n > count)
    .sort((a, b) => a.n - b.n)
    .map(({ name }) => join(dirname(out), name));
}
