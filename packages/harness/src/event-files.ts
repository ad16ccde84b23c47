/**
 * Reads the event files users paste into fixtures: ndjson, one JSON object, a JSON array, or an Elasticsearch
 * search response (`hits.hits[]` with `_index` and `_source`, as Dev Tools and Discover give it). Every event
 * keeps the line it starts on; every problem is a positioned diagnostic, never an exception.
 */
import { extname } from "node:path";
import { diagnosticAtPosition } from "@dac/schema";
import type { Diagnostic } from "@dac/schema";
import type { SourceLocation } from "@dac/report";
import { jsonErrorOffset, jsonValueOffsets, lineLocator, pathKey } from "./json-offsets.js";
import type { JsonPath } from "./json-offsets.js";

export type EventDocument = Record<string, unknown>;

export interface FixtureEvent {
  document: EventDocument;
  /** The concrete index the event was read from (`_index` of a search hit), when the file says. */
  index?: string;
  /** The document's `_id`, when a search hit says (an indicator's id is `matched.id` of its enrichments). */
  id?: string;
  location: SourceLocation;
  /** Position of the event among the file's events, from 0. */
  ordinal: number;
  /** The file holds more than one event. */
  inMany: boolean;
}

export interface EventFileResult {
  events: FixtureEvent[];
  diagnostics: Diagnostic[];
}

export const eventFileExtensions = [".json", ".ndjson", ".jsonl"];

export function isEventFile(name: string): boolean {
  return eventFileExtensions.includes(extname(name).toLowerCase());
}

interface Found {
  value: unknown;
  index?: string;
  id?: string;
  /** Where the value sits in its JSON text, and which text (line offset for ndjson). */
  path: JsonPath;
  describe: string;
}

/** Parses one event file's text. `file` is the path shown in diagnostics and results. */
export function parseEventFile(file: string, text: string): EventFileResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") {
    return { events: [], diagnostics: [diagnosticAtPosition(file, "DAC501", "the event file is empty")] };
  }
  const ext = extname(file).toLowerCase();
  if (ext !== ".ndjson" && ext !== ".jsonl") {
    try {
      const value = JSON.parse(body) as unknown;
      return fromJsonDocument(file, body, value);
    } catch (error) {
      // Pasted ndjson often ends up in a `.json` file: accept it when every line parses on its own.
      const lines = body.split("\n").filter((l) => l.trim() !== "");
      if (lines.length > 1 && lines.every(parsesAsJson)) return fromNdjson(file, body);
      return { events: [], diagnostics: [jsonError(file, body, error, 0)] };
    }
  }
  return fromNdjson(file, body);
}

function parsesAsJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function fromJsonDocument(file: string, text: string, value: unknown): EventFileResult {
  const found = unwrap(value, []);
  // Every event of one file sits at the same depth: the document, an array item, or a search hit.
  const offsets = jsonValueOffsets(text, found[0]?.path.length ?? 0);
  const locate = lineLocator(text);
  const diagnostics: Diagnostic[] = [];
  const events: FixtureEvent[] = [];
  found.forEach((f, ordinal) => {
    const offset = offsets.get(pathKey(f.path)) ?? 0;
    const at = locate(offset);
    const event = toEvent(file, f, at, ordinal, found.length > 1, diagnostics);
    if (event) events.push(event);
  });
  if (found.length === 0) diagnostics.push(diagnosticAtPosition(file, "DAC501", "the file holds no events"));
  return { events, diagnostics };
}

function fromNdjson(file: string, text: string): EventFileResult {
  const diagnostics: Diagnostic[] = [];
  const found: { f: Found; line: number }[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      diagnostics.push(jsonError(file, line, error, i));
      return;
    }
    for (const f of unwrap(value, [])) found.push({ f, line: i + 1 });
  });
  const events: FixtureEvent[] = [];
  found.forEach(({ f, line }, ordinal) => {
    const event = toEvent(file, f, { line, column: 1 }, ordinal, found.length > 1, diagnostics);
    if (event) events.push(event);
  });
  if (found.length === 0 && diagnostics.length === 0)
    diagnostics.push(diagnosticAtPosition(file, "DAC501", "the file holds no events"));
  return { events, diagnostics };
}

/** Turns a parsed value into candidate events: search responses and hits are unwrapped to `_source`. */
function unwrap(value: unknown, path: JsonPath): Found[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unwrapOne(item, [...path, i], `item ${i}`));
  const hits = searchHits(value);
  if (hits) return hits.flatMap((hit, i) => unwrapOne(hit, [...path, "hits", "hits", i], `hit ${i}`));
  return unwrapOne(value, path, "the event");
}

function unwrapOne(value: unknown, path: JsonPath, describe: string): Found[] {
  if (isHit(value)) {
    const hit = value as { _index?: unknown; _id?: unknown; _source?: unknown };
    const index = typeof hit._index === "string" ? hit._index : undefined;
    const id = typeof hit._id === "string" ? hit._id : undefined;
    return [
      {
        value: hit._source,
        ...(index ? { index } : {}),
        ...(id ? { id } : {}),
        path,
        describe: `${describe}'s _source`,
      },
    ];
  }
  return [{ value, path, describe }];
}

function searchHits(value: unknown): unknown[] | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const hits = (value as { hits?: { hits?: unknown } }).hits;
  return hits && typeof hits === "object" && Array.isArray(hits.hits) ? hits.hits : undefined;
}

/** A search hit: `_source` next to `_index` or `_id` (an event itself never has both). */
function isHit(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return "_source" in v && ("_index" in v || "_id" in v);
}

function toEvent(
  file: string,
  f: Found,
  at: { line: number; column: number },
  ordinal: number,
  inMany: boolean,
  diagnostics: Diagnostic[],
): FixtureEvent | undefined {
  if (f.value === null || typeof f.value !== "object" || Array.isArray(f.value)) {
    const what = f.value === null ? "null" : Array.isArray(f.value) ? "a list" : `a ${typeof f.value}`;
    diagnostics.push(
      diagnosticAtPosition(
        file,
        "DAC502",
        `${f.describe} is ${what}, not a JSON object`,
        at,
        at,
        'an event is a JSON object such as `{"@timestamp": ...}`',
      ),
    );
    return undefined;
  }
  return {
    document: f.value as EventDocument,
    ...(f.index ? { index: f.index } : {}),
    ...(f.id ? { id: f.id } : {}),
    location: { file, ...at },
    ordinal,
    inMany,
  };
}

function jsonError(file: string, text: string, error: unknown, lineOffset: number): Diagnostic {
  const offset = jsonErrorOffset(text);
  const at = lineLocator(text)(Math.max(0, offset));
  const where = { line: at.line + lineOffset, column: at.column };
  const found =
    offset >= text.length || offset < 0
      ? "the text ends too early"
      : `unexpected ${JSON.stringify(text[offset])}`;
  const detail =
    error instanceof Error && !/is not valid JSON/.test(error.message)
      ? error.message.replace(/ in JSON at position \d+.*$/, "")
      : found;
  return diagnosticAtPosition(file, "DAC501", `not valid JSON: ${detail}`, where, where);
}
