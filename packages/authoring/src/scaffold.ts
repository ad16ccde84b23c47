/**
 * `dac new`: a rule skeleton that passes validation as it is, and a fixture file whose two cases fail until
 * real events replace their placeholders. Pure: paths and contents out, `writeNewFiles` does the writing.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { Document, isMap, isScalar } from "yaml";
import { formatYaml } from "./format.js";
import { findTactic, enterpriseTactics } from "./tactics.js";

export const scaffoldTypes = ["query", "eql", "esql", "threshold", "new_terms", "threat_match"] as const;
export type ScaffoldType = (typeof scaffoldTypes)[number];
export const severities = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof severities)[number];

/** Languages each rule type accepts; the first is the default. */
export const languagesByType: Record<ScaffoldType, readonly string[]> = {
  query: ["kuery", "lucene"],
  threshold: ["kuery", "lucene"],
  new_terms: ["kuery", "lucene"],
  threat_match: ["kuery", "lucene"],
  eql: ["eql"],
  esql: ["esql"],
};

/** The top of each severity band (Elastic's own choice), so the score never falls outside it. */
export const defaultRiskScores: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

export interface ScaffoldRequest {
  name: string;
  type: ScaffoldType;
  /** Default: the type's first language. */
  language?: string;
  index: string[];
  severity: Severity;
  /** ATT&CK tactic id, name or short name. */
  tactic: string;
  /** Folder under the rules folder, e.g. `kubernetes`. */
  dir: string;
  /** `metadata.integration`; default: the first segment of `dir`. */
  integration?: string;
  /** Default: a placeholder that validates. */
  query?: string;
}

export interface ScaffoldContext {
  /** Absolute rules, fixtures and schemas folders. */
  rulesDir: string;
  fixturesDir: string;
  schemasDir: string;
  ruleId: string;
  /** `YYYY-MM-DD`. */
  today: string;
  /**
   * `related_integrations` to write: the integrations whose field definitions the repository knows, so that the
   * new rule's fields are typed from them (and Kibana can show whether the integration is installed).
   */
  relatedIntegrations?: readonly RelatedIntegration[];
}

/** One `related_integrations` entry, as Kibana's API names it. */
export interface RelatedIntegration {
  package: string;
  /** The data stream (policy template) when the rule reads only one. */
  integration?: string;
  /** A semver range of the package versions the rule works with. */
  version: string;
}

export interface NewFile {
  path: string;
  content: string;
}

export interface Scaffold {
  rule: NewFile;
  cases: NewFile;
}

/** A problem with the request: the CLI turns it into a usage error. */
export class ScaffoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScaffoldError";
  }
}

/** `Kubernetes Denied Service Account Request` → `kubernetes_denied_service_account_request`. */
export function snakeName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

export function scaffoldRule(request: ScaffoldRequest, context: ScaffoldContext): Scaffold {
  const name = request.name.trim();
  const file = snakeName(name);
  if (!file)
    throw new ScaffoldError(`the name \`${request.name}\` has no letters or digits to make a file name from`);
  const dir = normalize(request.dir.trim()).replace(/[\\/]+$/, "");
  if (!dir || dir === "." || isAbsolute(dir) || dir.split(/[\\/]/).includes("..")) {
    throw new ScaffoldError(
      `--dir must be a folder inside the rules folder, such as \`kubernetes\`, not \`${request.dir}\``,
    );
  }
  if (!(scaffoldTypes as readonly string[]).includes(request.type)) {
    throw new ScaffoldError(`dac new scaffolds ${scaffoldTypes.join(", ")} rules, not \`${request.type}\``);
  }
  const languages = languagesByType[request.type];
  const language = request.language ?? languages[0]!;
  if (!languages.includes(language)) {
    throw new ScaffoldError(
      `a ${request.type} rule is written in ${languages.join(" or ")}, not \`${language}\``,
    );
  }
  if (!(severities as readonly string[]).includes(request.severity)) {
    throw new ScaffoldError(`severity must be one of ${severities.join(", ")}, not \`${request.severity}\``);
  }
  const index = request.index.map((i) => i.trim()).filter(Boolean);
  if (index.length === 0)
    throw new ScaffoldError("give at least one index pattern, such as `logs-kubernetes.*`");
  const tactic = findTactic(request.tactic);
  if (!tactic) {
    throw new ScaffoldError(
      `\`${request.tactic}\` is not an ATT&CK Enterprise tactic; use an id or a name: ${enterpriseTactics()
        .map((t) => `${t.id} ${t.name}`)
        .join(", ")}`,
    );
  }
  const integration = request.integration?.trim() || dir.split(/[\\/]/)[0]!;

  const rulePath = join(context.rulesDir, dir, `${file}.yaml`);
  const casesPath = join(context.fixturesDir, dir, file, "cases.yaml");
  const ruleData = {
    rule_id: context.ruleId,
    name,
    description: "TODO: what the rule detects, why it matters, and how the activity shows in the data.",
    type: request.type,
    language,
    ...(request.type === "esql" ? {} : { index }),
    query: ensureNewline(request.query?.trim() || placeholderQuery(request.type, language, index)),
    ...typeSettings(request.type),
    severity: request.severity,
    risk_score: defaultRiskScores[request.severity],
    interval: "5m",
    from: "now-6m",
    tags: [`Tactic: ${tactic.name}`],
    threat: [
      {
        framework: "MITRE ATT&CK",
        tactic: { id: tactic.id, name: tactic.name, reference: tactic.url },
      },
    ],
    false_positives: ["TODO: benign activity that looks like this, and how to tell it apart."],
    ...(context.relatedIntegrations?.length
      ? { related_integrations: context.relatedIntegrations.map((r) => ({ ...r })) }
      : {}),
    note: "## Triage and analysis\n\nTODO: what the alert means, the questions to answer, and how to respond.\n",
    metadata: { maturity: "development", created: context.today, updated: context.today, integration },
  };
  const doc = new Document(ruleData);
  commentOn(
    doc,
    "query",
    language === "esql"
      ? " TODO: the query. `dac esql eval --query … --events …` prints its result table; `dac test` explains a case's rows command by command."
      : ` TODO: the query. \`dac ${language === "eql" ? "eql" : "kql"} explain --query … --events …\` shows how it evaluates an event.`,
  );
  commentOn(
    doc,
    "threat",
    " Add the techniques (`technique:` with id, name and reference) under the tactic.",
  );
  const ruleHeader = schemaHeader(rulePath, join(context.schemasDir, "rule.schema.json"));
  const rule = formatYaml(doc.toString(), { kind: "rule", schemaHeader: ruleHeader }).text;

  const shownRule = relative(dirname(context.rulesDir), rulePath).split(sep).join("/");
  const casesHeader = schemaHeader(casesPath, join(context.schemasDir, "fixture-cases.schema.json"));
  const cases = formatYaml(casesTemplate(casesHeader, shownRule, request.type), { kind: "cases" }).text;
  return { rule: { path: rulePath, content: rule }, cases: { path: casesPath, content: cases } };
}

/**
 * Each placeholder case carries `todo:` (what to fill in) and no events: `dac test` fails it with "not filled in
 * yet: …" until real events replace the `todo`. Rules whose alerts depend on several events (threshold,
 * new_terms, threat_match, EQL) get alert cases (`expect: alert | no-alert`, `alerts: N`), with the near miss
 * that type needs; the case keys are already right, so pasting the events and deleting `todo:` is all it takes.
 */
function casesTemplate(header: string, rule: string, type: ScaffoldType): string {
  const intro = `${header}
# Fixtures of ${rule}
# For each case: paste real events under \`events:\` (documents copied from Discover; JSON is valid YAML
# here, or \`- file: <name>.json\` saved next to this file), then delete its \`todo:\` line.
# \`dac test\` fails until every case has real events.
`;
  const alertIntro = `# Alert cases run the rule once at \`now\` (default: just after the latest event) over its lookback window
# (from: now-6m) and judge the alerts. Set \`now: "<ISO 8601 instant>"\` on a case to run it at another time.
`;
  const cases = alertCases[type];
  if (!cases)
    return `${intro}cases:
  - name: positive
    description: "fill in: what this event shows; add one positive per OR branch of the query"
    expect: match
    todo: paste an event the rule must match
  - name: near miss
    description: "fill in: the one condition this event changes from a positive"
    expect: no-match
    todo: paste an event like a positive with one condition changed, which the rule must not match
`;
  return `${intro}${alertIntro}cases:
${cases}`;
}

/** The alert cases of the types whose alerts need more than one event (their settings: `typeSettings`). */
const alertCases: Partial<Record<ScaffoldType, string>> = {
  threshold: `  - name: positive
    description: "fill in: the burst this shows (threshold.value events of one host.name in the window)"
    expect: alert
    alerts: 1
    todo: paste 10 events the query matches, with the same host.name, within 6 minutes
  - name: near miss
    description: "fill in: one event below the threshold"
    expect: no-alert
    todo: paste 9 of those events (one fewer than threshold.value), with the same host.name, within 6 minutes
`,
  new_terms: `  - name: positive
    description: "fill in: a host.name the history window has not seen"
    expect: alert
    alerts: 1
    todo: paste one event the query matches, of a host.name that no other event of this case has
  - name: near miss
    description: "fill in: the same host.name seen inside the history window (from now-7d)"
    expect: no-alert
    todo: paste the positive's event, and the same host.name a day earlier (inside history_window_start now-7d)
`,
  threat_match: `  - name: positive
    description: "fill in: an event whose destination.ip is in the threat feed"
    expect: alert
    alerts: 1
    todo: >-
      paste an event the query matches, and under \`indicators:\` a threat index document whose
      threat.indicator.ip is the event's destination.ip (a Dev Tools search response works as a file)
  - name: near miss
    description: "fill in: an address the feed does not list"
    expect: no-alert
    todo: paste the same event and indicator, with another destination.ip in the event
`,
  eql: `  - name: positive
    description: "fill in: what these events show (one per step, in order, for a sequence)"
    expect: alert
    alerts: 1
    todo: >-
      paste the event the query matches (for a sequence: one event per step, in order, within maxspan, and
      alerts: the steps + 1, a shell alert and a building block per event)
  - name: near miss
    description: "fill in: the one condition (or, for a sequence, the one step) that is missing"
    expect: no-alert
    todo: paste the positive's events with one condition changed (for a sequence, with one step left out)
`,
};
function placeholderQuery(type: ScaffoldType, language: string, index: string[]): string {
  if (type === "esql") {
    return `FROM ${index.join(", ")} METADATA _id, _version, _index\n| WHERE event.dataset == "TODO" AND event.action == "TODO"`;
  }
  if (language === "eql") return 'any where event.dataset == "TODO" and event.action == "TODO"';
  if (language === "lucene") return "event.dataset:TODO AND event.action:TODO";
  return 'event.dataset: "TODO" and event.action: "TODO"';
}

function typeSettings(type: ScaffoldType): Record<string, unknown> {
  if (type === "threshold") return { threshold: { field: ["host.name"], value: 10 } };
  if (type === "new_terms") return { new_terms_fields: ["host.name"], history_window_start: "now-7d" };
  if (type === "threat_match")
    return {
      threat_index: ["logs-ti_*"],
      threat_query: '@timestamp >= "now-30d/d" and threat.indicator.ip: *',
      threat_language: "kuery",
      threat_mapping: [
        { entries: [{ field: "destination.ip", type: "mapping", value: "threat.indicator.ip" }] },
      ],
      threat_indicator_path: "threat.indicator",
    };
  return {};
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

function commentOn(doc: Document, key: string, comment: string): void {
  const contents = doc.contents;
  if (!isMap(contents)) return;
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = comment;
}

/** `# yaml-language-server: $schema=<schema relative to the file>`. */
export function schemaHeader(file: string, schema: string): string {
  const rel = relative(dirname(file), schema).split(sep).join("/");
  return `# yaml-language-server: $schema=${rel.startsWith(".") ? rel : `./${rel}`}`;
}

/** Files that already exist among these: `dac new` never overwrites. */
export function existingFiles(files: readonly NewFile[]): string[] {
  return files.filter((f) => existsSync(f.path)).map((f) => f.path);
}

/**
 * Creates every file or none: each is created exclusively (never over a file that appeared in the meantime),
 * and on any failure the files and folders created so far are removed again before the error is rethrown.
 */
export function writeNewFiles(files: readonly NewFile[]): void {
  const created: string[] = [];
  try {
    for (const f of files) {
      const folder = mkdirSync(dirname(f.path), { recursive: true });
      if (folder) created.push(folder);
      writeFileSync(f.path, f.content, { flag: "wx" });
      created.push(f.path);
    }
  } catch (error) {
    for (const path of created.reverse()) rmSync(path, { recursive: true, force: true });
    throw error;
  }
}
