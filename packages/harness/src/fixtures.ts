/**
 * Fixture folders: `fixtures/<rule path without .yaml>/` holds `positive/` and `negative/` event files, or a
 * `cases.yaml` with named cases (or both). Loading never throws: every problem is a positioned diagnostic.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { SourceLocation, Expectation } from "@dac/report";
import {
  compileSchema,
  diagnosticAt,
  diagnosticAtPosition,
  displayPath,
  loadYaml,
  rangeOf,
  schemaDiagnostics,
  schemasDir,
} from "@dac/schema";
import type { Diagnostic, YamlLimits, YamlSource } from "@dac/schema";
import { isEventFile, parseEventFile } from "./event-files.js";
import type { EventDocument, FixtureEvent } from "./event-files.js";

export type FieldOverrides = Record<string, string>;

/** What an `expect: alert` case says about the alerts, besides that there is at least one. */
export interface AlertExpectation {
  /** `alerts: N`: the exact number of alerts. */
  count?: number;
  countLocation?: SourceLocation;
  /**
   * `alert:` — a partial alert document every alert must contain (`every`), or, in the list form, one per
   * alert in order (`nth[i]` for the i-th alert; a list shorter than the alerts leaves the rest unchecked).
   */
  every?: Record<string, unknown>;
  nth?: Record<string, unknown>[];
  /** Where `alert:` (or each entry of its list) is written. */
  locations: SourceLocation[];
}

export interface FixtureCase {
  name: string;
  description?: string;
  /** `match` / `no-match` judge each event alone; `alert` / `no-alert` judge one execution of the rule. */
  expect: Expectation;
  /**
   * `now`: when the execution runs (only with `expect: alert | no-alert`). Default: just after the case's
   * latest event, so that the latest event is inside the lookback window.
   */
  now?: Date;
  nowLocation?: SourceLocation;
  /**
   * `earlier_executions`: instants (ascending, before `now`) at which the rule ran before, over the same
   * events; what they wrote (threshold signal history, suppressed alerts, alerted events) carries over.
   */
  earlierExecutions?: { at: Date; location: SourceLocation }[];
  alerts?: AlertExpectation;
  /** `indicators:`: documents of an indicator match rule's `threat_index`. */
  indicators?: FixtureEvent[];
  /**
   * `lookups:`: the rows of an ES|QL rule's `LOOKUP JOIN` indices and `ENRICH` policies, by index or policy
   * name, each with where its name is written.
   */
  lookups?: FixtureLookups;
  /** The concrete index the events were read from (an event's own `_index` wins). */
  index?: string;
  /** Field types for this case, over the rule's catalogue and the file-level `fields`. */
  fields?: FieldOverrides;
  events: FixtureEvent[];
  /** With `expect: suppressed`: the exception item (`item_id`) that must remove the events. */
  by?: string;
  byLocation?: SourceLocation;
  /** Set while the case is a placeholder (`todo: <what to fill in>`): it fails until real events replace it. */
  todo?: string;
  location: SourceLocation;
}

export interface FixtureLookups {
  /** Where `lookups:` is written. */
  location: SourceLocation;
  tables: Record<string, { rows: FixtureEvent[]; location: SourceLocation }>;
}

export interface RuleFixtures {
  /** The fixture folder (absolute), whether or not it exists. */
  dir: string;
  cases: FixtureCase[];
  /** `fields` at the top of `cases.yaml`. */
  fields: FieldOverrides;
  diagnostics: Diagnostic[];
}

export const casesFileName = "cases.yaml";
const caseSchemaPath = join(schemasDir, "fixture-cases.schema.json");
const schemaHeader = /^# yaml-language-server: \$schema=\S*fixture-cases\.schema\.json\s*$/;

export interface FixtureReadOptions {
  /** Paths in diagnostics and results are shown relative to this folder. */
  cwd: string;
  limits?: Partial<YamlLimits>;
}

/** `rules/<path>/<name>.yaml` → `<fixturesRoot>/<path>/<name>/`. A rule outside the rules folder uses its file name. */
export function fixtureFolderFor(
  ruleFile: string,
  rulesDir: string,
  fixturesRoot: string,
  cwd: string,
): string {
  const file = resolve(cwd, ruleFile);
  let rel = relative(resolve(cwd, rulesDir), file);
  if (rel.startsWith("..") || isAbsolute(rel)) rel = basename(file);
  return join(resolve(cwd, fixturesRoot), rel.replace(/\.ya?ml$/i, ""));
}

/** What a folder holds that makes it a fixture folder; one `readdir`, no stat per name. */
function fixtureLayout(
  dir: string,
): { cases: boolean; positive: boolean; negative: boolean; subfolders: string[] } | undefined {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const layout = { cases: false, positive: false, negative: false, subfolders: [] as string[] };
  for (const entry of entries) {
    const folder = entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(join(dir, entry.name)));
    if (entry.name === casesFileName && !folder) layout.cases = true;
    else if (entry.name === "positive" && folder) layout.positive = true;
    else if (entry.name === "negative" && folder) layout.negative = true;
    else if (folder && !entry.name.startsWith(".") && entry.name !== "node_modules")
      layout.subfolders.push(entry.name);
  }
  return layout;
}

/** A folder holding `cases.yaml`, `positive/` or `negative/`. */
export function isFixtureFolder(dir: string): boolean {
  const layout = fixtureLayout(dir);
  return layout !== undefined && (layout.cases || layout.positive || layout.negative);
}

/** Every fixture folder under a root; a fixture folder's own subfolders are not searched further. */
export function findFixtureFolders(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const layout = fixtureLayout(dir);
    if (!layout) return;
    if (layout.cases || layout.positive || layout.negative) {
      out.push(dir);
      return;
    }
    for (const name of layout.subfolders) walk(join(dir, name));
  };
  walk(root);
  return out.sort();
}

/** A file to point an orphan-folder diagnostic at: `cases.yaml`, else the first event file. */
export function representativeFile(dir: string): string {
  if (existsSync(join(dir, casesFileName))) return join(dir, casesFileName);
  for (const kind of ["positive", "negative"]) {
    const first = eventFilesUnder(join(dir, kind))[0];
    if (first) return first;
  }
  return dir;
}

export function loadRuleFixtures(dir: string, options: FixtureReadOptions): RuleFixtures {
  const result: RuleFixtures = { dir, cases: [], fields: {}, diagnostics: [] };
  const layout = fixtureLayout(dir);
  if (!layout) return result;
  if (layout.positive) loadEventFolder(join(dir, "positive"), "match", options, result);
  if (layout.negative) loadEventFolder(join(dir, "negative"), "no-match", options, result);
  if (layout.cases) loadCasesFile(join(dir, casesFileName), options, result);
  return result;
}

function loadEventFolder(
  folder: string,
  expect: Expectation,
  options: FixtureReadOptions,
  into: RuleFixtures,
): void {
  for (const file of filesUnder(folder)) {
    const shown = displayPath(file, options.cwd);
    if (!isEventFile(file)) {
      into.diagnostics.push(
        diagnosticAtPosition(
          shown,
          "DAC501",
          `${basename(file)} is not an event file`,
          undefined,
          undefined,
          "event files end in .json, .ndjson or .jsonl",
        ),
      );
      continue;
    }
    const parsed = parseEventFile(shown, readText(file, shown, into.diagnostics));
    into.diagnostics.push(...parsed.diagnostics);
    const rel = relative(dirname(folder), file).split(sep).join("/");
    const description = basename(file, extname(file)).replace(/[-_]+/g, " ");
    for (const event of parsed.events) {
      into.cases.push({
        name: event.inMany ? `${rel}:${event.location.line}` : rel,
        description,
        expect,
        ...(event.index ? { index: event.index } : {}),
        events: [event],
        location: event.location,
      });
    }
  }
}

let caseValidator: ReturnType<typeof compileSchema> | undefined;
let caseSchema: Record<string, unknown> | undefined;

interface RawCase {
  name?: unknown;
  description?: unknown;
  expect?: unknown;
  now?: unknown;
  earlier_executions?: unknown;
  alerts?: unknown;
  alert?: unknown;
  indicators?: unknown;
  lookups?: unknown;
  index?: unknown;
  fields?: unknown;
  events?: unknown;
  todo?: unknown;
  by?: unknown;
}

function loadCasesFile(file: string, options: FixtureReadOptions, into: RuleFixtures): void {
  const shown = displayPath(file, options.cwd);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    into.diagnostics.push(
      diagnosticAtPosition(shown, "DAC501", `cannot read the file: ${(error as Error).message}`),
    );
    return;
  }
  const loaded = loadYaml(shown, bytes, options.limits);
  if (!loaded.source || loaded.value === undefined || loaded.diagnostics.length > 0) {
    // YAML hazards keep their own codes (DAC0xx): the same diagnostics as for a rule file.
    into.diagnostics.push(...loaded.diagnostics);
    return;
  }
  const source = loaded.source;
  const data = loaded.value as { cases?: unknown; fields?: unknown };
  const diagnostics: Diagnostic[] = [];
  if (!schemaHeader.test(source.text.split("\n", 1)[0] ?? "")) {
    diagnostics.push({
      ...diagnosticAtPosition(shown, "DAC010", "the file does not start with the schema header"),
      severity: "error",
      hint: "make the first line `# yaml-language-server: $schema=<relative path to schemas/fixture-cases.schema.json>`",
    });
  }

  // The two problems with codes of their own, found first so the schema's version of them can be dropped.
  const specific: Diagnostic[] = [];
  const rawCases = Array.isArray(data.cases) ? (data.cases as unknown[]) : [];
  rawCases.forEach((raw, i) => {
    if (!isObject(raw)) return;
    const c = raw as RawCase;
    if (c.expect === undefined || c.expect === null) {
      specific.push(
        diagnosticAt(source, ["cases", i], {
          code: "DAC504",
          on: "container",
          message: `case ${typeof c.name === "string" ? `\`${c.name}\`` : i + 1} has no \`expect\``,
          hint: "add `expect: match` or `expect: no-match` (each event on its own), `expect: suppressed` (matched, then removed by an exception), or `expect: alert` or `expect: no-alert` (one execution of the rule)",
        }),
      );
    }
    if (Array.isArray(c.events)) {
      c.events.forEach((event, j) => {
        if (!isObject(event)) {
          specific.push(
            diagnosticAt(source, ["cases", i, "events", j], {
              code: "DAC502",
              message: `event ${j + 1} of case ${i + 1} is ${kindOf(event)}, not an object`,
              hint: "write the event as a mapping, or reference a file with `file: <path>`",
            }),
          );
        }
      });
    }
    // A lookup row is a document like an event: the same code, said of the lookup it belongs to.
    if (isObject(c.lookups))
      for (const [name, rows] of Object.entries(c.lookups)) {
        if (!Array.isArray(rows)) continue;
        rows.forEach((row, j) => {
          if (isObject(row)) return;
          specific.push(
            diagnosticAt(source, ["cases", i, "lookups", name, j], {
              code: "DAC502",
              message: `row ${j + 1} of lookup \`${name}\` in case ${i + 1} is ${kindOf(row)}, not an object`,
              hint: "write the row as a mapping, or reference a file with `file: <path>`",
            }),
          );
        });
      }
  });
  caseSchema ??= JSON.parse(readFileSync(caseSchemaPath, "utf8")) as Record<string, unknown>;
  caseValidator ??= compileSchema(caseSchema);
  const taken = new Set(specific.map((d) => `${d.line}:${d.column}`));
  const general = schemaDiagnostics(source, data, caseValidator, caseSchema)
    .filter((d) => !taken.has(`${d.line}:${d.column}`))
    .map((d) => ({
      ...d,
      code: "DAC506",
      name: "fixture-invalid",
      message: d.message.replace(/\bthe rule\b/, "the cases file"),
    }));
  diagnostics.push(...specific, ...general);

  if (isObject(data.fields)) Object.assign(into.fields, stringMap(data.fields));
  const seen = new Set<string>();
  const eventFiles = new Map<string, ReturnType<typeof parseEventFile>>();
  /** Inline documents and `file:` references, read in order (events, or an indicator match rule's indicators). */
  const readEntries = (list: unknown, at: (string | number)[], what: string): FixtureEvent[] => {
    const out: FixtureEvent[] = [];
    (Array.isArray(list) ? (list as unknown[]) : []).forEach((entry, j) => {
      if (!isObject(entry)) return;
      const reference = fileReference(entry);
      if (reference === undefined) {
        out.push({
          document: entry as EventDocument,
          location: locationOf(source, [...at, j]),
          ordinal: j,
          inMany: true,
        });
        return;
      }
      const target = resolve(dirname(file), reference);
      let parsed = eventFiles.get(target);
      if (!parsed) {
        if (!existsSync(target) || !statSync(target).isFile()) {
          diagnostics.push(
            diagnosticAt(source, [...at, j, "file"], {
              code: "DAC506",
              message: `${what} file \`${reference}\` does not exist`,
              hint: "the path is relative to this cases.yaml",
            }),
          );
          return;
        }
        const targetShown = displayPath(target, options.cwd);
        parsed = parseEventFile(targetShown, readText(target, targetShown, diagnostics));
        eventFiles.set(target, parsed);
        diagnostics.push(...parsed.diagnostics);
      }
      out.push(...parsed.events);
    });
    return out;
  };
  /** `lookups:` of case `i`: each name's rows, in the forms `events:` takes (the schema checks the shapes). */
  const readLookups = (raw: Record<string, unknown>, i: number): FixtureLookups => {
    const at = ["cases", i, "lookups"];
    const tables: FixtureLookups["tables"] = {};
    for (const [name, rows] of Object.entries(raw)) {
      if (!Array.isArray(rows)) continue;
      Object.defineProperty(tables, name, {
        value: {
          rows: readEntries(rows, [...at, name], "lookup row"),
          location: locationOf(source, [...at, name], "key"),
        },
        enumerable: true,
      });
    }
    return { location: locationOf(source, at, "key"), tables };
  };
  rawCases.forEach((raw, i) => {
    if (!isObject(raw)) return;
    const c = raw as RawCase;
    const todo = typeof c.todo === "string" && c.todo.trim() !== "" ? c.todo : undefined;
    if (!isExpectation(c.expect) || typeof c.name !== "string" || (!Array.isArray(c.events) && !todo)) return;
    if (seen.has(c.name)) {
      diagnostics.push(
        diagnosticAt(source, ["cases", i, "name"], {
          code: "DAC506",
          message: `a second case is named \`${c.name}\``,
        }),
      );
    }
    seen.add(c.name);
    const index = typeof c.index === "string" ? c.index : undefined;
    const events = readEntries(c.events, ["cases", i, "events"], "event");
    const indicators =
      c.indicators === undefined
        ? undefined
        : readEntries(c.indicators, ["cases", i, "indicators"], "indicator");
    const lookups = isObject(c.lookups) ? readLookups(c.lookups, i) : undefined;
    const timing = executionOptions(source, c, i, diagnostics);
    if (events.length === 0 && !todo) return;
    const description = typeof c.description === "string" ? c.description : undefined;
    if (c.by !== undefined && c.expect !== "suppressed")
      diagnostics.push(
        diagnosticAt(source, ["cases", i, "by"], {
          code: "DAC506",
          on: "key",
          message: `\`by\` names the exception item of \`expect: suppressed\`; \`expect: ${String(c.expect)}\` has none`,
          hint: "set `expect: suppressed`, or drop `by`",
        }),
      );
    const by = c.expect === "suppressed" && typeof c.by === "string" ? c.by : undefined;
    into.cases.push({
      name: c.name,
      ...(description ? { description } : {}),
      expect: c.expect,
      ...timing,
      ...(indicators ? { indicators } : {}),
      ...(lookups ? { lookups } : {}),
      ...(index ? { index } : {}),
      ...(isObject(c.fields) ? { fields: stringMap(c.fields) } : {}),
      events,
      ...(by ? { by, byLocation: locationOf(source, ["cases", i, "by"]) } : {}),
      ...(todo ? { todo } : {}),
      location: locationOf(source, ["cases", i]),
    });
  });
  into.diagnostics.push(...diagnostics);
}

/** `{file: "<path>"}` and nothing else is a reference to an event file; any other object is an event. */
function fileReference(event: Record<string, unknown>): string | undefined {
  const keys = Object.keys(event);
  return keys.length === 1 && keys[0] === "file" && typeof event.file === "string" ? event.file : undefined;
}

function locationOf(
  source: YamlSource,
  path: (string | number)[],
  on: "key" | "value" = "value",
): SourceLocation {
  const span = rangeOf(source, path, on);
  return { file: source.file, line: span.line, column: span.column };
}

function readText(file: string, shown: string, diagnostics: Diagnostic[]): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    diagnostics.push(
      diagnosticAtPosition(shown, "DAC501", `cannot read the file: ${(error as Error).message}`),
    );
    return "";
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name.toLowerCase() === "readme.md") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

function eventFilesUnder(dir: string): string[] {
  return isDirectory(dir) ? filesUnder(dir).filter(isEventFile) : [];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

function stringMap(value: Record<string, unknown>): FieldOverrides {
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

const expectations = new Set(["match", "no-match", "alert", "no-alert", "suppressed"]);

function isExpectation(value: unknown): value is Expectation {
  return typeof value === "string" && expectations.has(value);
}

/**
 * `now`, `alerts` and `alert` of a case, checked against its `expect` (the schema checks their shapes). A key
 * that contradicts `expect` is an error at the key, never silently ignored.
 */
function executionOptions(
  source: YamlSource,
  c: RawCase,
  i: number,
  diagnostics: Diagnostic[],
): Pick<FixtureCase, "now" | "nowLocation" | "alerts" | "earlierExecutions"> {
  const out: Pick<FixtureCase, "now" | "nowLocation" | "alerts" | "earlierExecutions"> = {};
  const execution = c.expect === "alert" || c.expect === "no-alert";
  const refuse = (key: string, message: string, hint: string) =>
    diagnostics.push(diagnosticAt(source, ["cases", i, key], { code: "DAC506", on: "key", message, hint }));
  for (const key of ["now", "earlier_executions", "alerts", "alert"] as const) {
    if (c[key] !== undefined && !execution)
      refuse(
        key,
        `\`${key}\` applies to \`expect: alert | no-alert\` only; \`expect: ${String(c.expect)}\` judges each event on its own, without time`,
        "set `expect: alert` (or `no-alert`) to run the rule once over the case's events",
      );
  }
  if (c.indicators !== undefined && !execution)
    refuse(
      "indicators",
      "`indicators` applies to `expect: alert | no-alert` only",
      "set `expect: alert` (or `no-alert`) to run the rule once over the case's events",
    );
  if (!execution) return out;
  if (typeof c.now === "string") {
    const t = isoDateTime.test(c.now) ? Date.parse(c.now) : Number.NaN;
    if (Number.isNaN(t))
      diagnostics.push(
        diagnosticAt(source, ["cases", i, "now"], {
          code: "DAC506",
          message: `\`now\` is not an ISO 8601 date and time: ${JSON.stringify(c.now)}`,
          hint: "write it like `2026-03-01T10:00:00Z` (a time zone is required)",
        }),
      );
    else {
      out.now = new Date(t);
      out.nowLocation = locationOf(source, ["cases", i, "now"]);
    }
  }
  if (Array.isArray(c.earlier_executions)) {
    const runs: { at: Date; location: SourceLocation }[] = [];
    c.earlier_executions.forEach((value, j) => {
      const at = ["cases", i, "earlier_executions", j];
      const t = typeof value === "string" && isoDateTime.test(value) ? Date.parse(value) : Number.NaN;
      // The schema reports a value that is not a string; a string that is no instant is reported here.
      if (typeof value !== "string") return;
      const previous = runs[runs.length - 1];
      if (Number.isNaN(t))
        diagnostics.push(
          diagnosticAt(source, at, {
            code: "DAC506",
            message: `an earlier execution is not an ISO 8601 date and time: ${JSON.stringify(value)}`,
            hint: "write it like `2026-03-01T10:00:00Z` (a time zone is required)",
          }),
        );
      else if (out.now && t >= out.now.getTime())
        diagnostics.push(
          diagnosticAt(source, at, {
            code: "DAC506",
            message: `the earlier execution ${value} is not before \`now\` (${out.now.toISOString()})`,
            hint: "earlier executions run before the execution the case judges",
          }),
        );
      else if (previous && t <= previous.at.getTime())
        diagnostics.push(
          diagnosticAt(source, at, {
            code: "DAC506",
            message: `the earlier executions are not in ascending order: ${value} is not after ${previous.at.toISOString()}`,
            hint: "list the executions in the order they run",
          }),
        );
      else runs.push({ at: new Date(t), location: locationOf(source, at) });
    });
    if (runs.length > 0) out.earlierExecutions = runs;
  }
  const alerts: AlertExpectation = { locations: [] };
  let any = false;
  if (typeof c.alerts === "number" && Number.isInteger(c.alerts) && c.alerts >= 0) {
    if (c.expect === "no-alert" && c.alerts > 0)
      refuse(
        "alerts",
        `\`alerts: ${c.alerts}\` contradicts \`expect: no-alert\``,
        "use `expect: alert`, or drop `alerts`",
      );
    else if (c.expect === "alert" && c.alerts === 0)
      refuse(
        "alerts",
        "`alerts: 0` contradicts `expect: alert`",
        "use `expect: no-alert`, or give the number of alerts",
      );
    else {
      alerts.count = c.alerts;
      alerts.countLocation = locationOf(source, ["cases", i, "alerts"]);
      any = true;
    }
  }
  if (c.alert !== undefined && c.expect === "no-alert")
    refuse(
      "alert",
      "`alert` describes an alert, but the case expects none",
      "use `expect: alert`, or drop `alert`",
    );
  else if (isObject(c.alert)) {
    alerts.every = c.alert;
    alerts.locations.push(locationOf(source, ["cases", i, "alert"]));
    any = true;
  } else if (Array.isArray(c.alert) && c.alert.every(isObject)) {
    alerts.nth = c.alert;
    c.alert.forEach((_, j) => alerts.locations.push(locationOf(source, ["cases", i, "alert", j])));
    any = true;
    if (alerts.count !== undefined && alerts.nth.length > alerts.count)
      refuse(
        "alert",
        `\`alert\` lists ${alerts.nth.length} alerts, but \`alerts\` says there are ${alerts.count}`,
        "make the list as long as the number of alerts, or shorter",
      );
  }
  if (any) out.alerts = alerts;
  return out;
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
