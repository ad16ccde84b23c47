import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, configDiagnostic, type ConfigPosition } from "./config.js";
import type { Diagnostic } from "./diagnostic.js";
import { diagnosticAt } from "./position.js";
import { schemasDir } from "./repo-paths.js";
import type { Rule } from "./rule.js";

/** What the ATT&CK checks know: always the Enterprise tactics; techniques only when a STIX bundle is configured. */
export interface AttackData {
  tactics: Map<string, { name: string; shortname: string }>;
  techniques?: Map<string, { name: string; tactics: string[]; deprecated: boolean }>;
}

const tacticId = /^TA\d{4}$/;
const techniqueId = /^T\d{4}$/;
const subtechniqueId = /^T\d{4}\.\d{3}$/;

let bundledTactics: AttackData["tactics"] | undefined;

function enterpriseTactics(): AttackData["tactics"] {
  if (!bundledTactics) {
    const raw = JSON.parse(
      readFileSync(join(schemasDir, "attack", "enterprise-tactics.json"), "utf8"),
    ) as unknown;
    const list = (Array.isArray(raw) ? raw : (raw as { tactics: unknown[] }).tactics) as {
      id: string;
      name: string;
      shortname: string;
    }[];
    bundledTactics = new Map(list.map((t) => [t.id, { name: t.name, shortname: t.shortname }]));
  }
  return bundledTactics;
}

interface StixObject {
  type: string;
  name?: string;
  x_mitre_shortname?: string;
  x_mitre_deprecated?: boolean;
  revoked?: boolean;
  kill_chain_phases?: { kill_chain_name: string; phase_name: string }[];
  external_references?: { source_name: string; external_id?: string }[];
}

const stixCache = new Map<string, AttackData>();

/**
 * Reads ATT&CK from a local STIX 2.x bundle (MITRE's `enterprise-attack.json`). Nothing is ever downloaded:
 * the user pins the bundle in the repository and points `attack.stix` at it.
 */
export function loadAttackData(stixFile?: string, at?: ConfigPosition): AttackData {
  if (!stixFile) return { tactics: enterpriseTactics() };
  const cached = stixCache.get(stixFile);
  if (cached) return cached;
  const bundle = readBundle(stixFile, at);
  const tactics = new Map(enterpriseTactics());
  const techniques: NonNullable<AttackData["techniques"]> = new Map();
  const shortnameToId = new Map<string, string>();
  for (const object of bundle.objects ?? []) {
    const id = object.external_references?.find((r) => r.source_name === "mitre-attack")?.external_id;
    if (!id || !object.name) continue;
    if (object.type === "x-mitre-tactic") {
      tactics.set(id, { name: object.name, shortname: object.x_mitre_shortname ?? "" });
      if (object.x_mitre_shortname) shortnameToId.set(object.x_mitre_shortname, id);
    }
  }
  for (const [id, t] of tactics) shortnameToId.set(t.shortname, id);
  for (const object of bundle.objects ?? []) {
    const id = object.external_references?.find((r) => r.source_name === "mitre-attack")?.external_id;
    if (object.type !== "attack-pattern" || !id || !object.name) continue;
    techniques.set(id, {
      name: object.name,
      tactics: (object.kill_chain_phases ?? [])
        .filter((p) => p.kill_chain_name === "mitre-attack")
        .map((p) => shortnameToId.get(p.phase_name) ?? p.phase_name),
      deprecated: Boolean(object.revoked || object.x_mitre_deprecated),
    });
  }
  const data = { tactics, techniques };
  stixCache.set(stixFile, data);
  return data;
}

/**
 * The bundle's JSON, or a `ConfigError` (DAC903 at `attack.stix` in the config) when the file cannot be read,
 * is not JSON, or is not a STIX bundle.
 */
function readBundle(stixFile: string, at: ConfigPosition | undefined): { objects?: StixObject[] } {
  const fail = (message: string): never => {
    const where = at ?? { file: stixFile, line: 1, column: 1, endLine: 1, endColumn: 1 };
    throw new ConfigError(at ? `configuration file ${at.file} is not valid` : message, [
      configDiagnostic(where, "DAC903", message, "point attack.stix at MITRE's enterprise-attack.json"),
    ]);
  };
  let text: string;
  try {
    text = readFileSync(stixFile, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === "EISDIR"
        ? `attack.stix: ${stixFile} is a folder, not a STIX bundle file`
        : code === "ENOENT"
          ? `attack.stix: ${stixFile} does not exist`
          : `attack.stix: cannot read ${stixFile} (${code ?? (error as Error).message})`,
    );
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (error) {
    return fail(`attack.stix: ${stixFile} is not JSON (${(error as Error).message})`);
  }
  const objects = (bundle as { objects?: unknown } | null)?.objects;
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle) || !Array.isArray(objects))
    return fail(`attack.stix: ${stixFile} is not a STIX bundle (a JSON object with an \`objects\` list)`);
  return bundle as { objects: StixObject[] };
}

function sameUrl(actual: string, expected: string): boolean {
  const norm = (u: string) =>
    u
      .trim()
      .replace(/^http:/, "https:")
      .replace(/\/+$/, "");
  return norm(actual) === norm(expected);
}

/** ATT&CK mapping checks: well-formed ids, parents, reference URLs, tactic names, and (with STIX) technique names. */
export function checkAttack(rule: Rule, data: AttackData): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { source } = rule;
  (rule.data.threat ?? []).forEach((entry, i) => {
    const at = (...path: (string | number)[]) => ["threat", i, ...path];
    if (entry.framework !== "MITRE ATT&CK") {
      out.push(
        diagnosticAt(source, at("framework"), {
          code: "DAC308",
          message: `framework is \`${entry.framework}\`, expected \`MITRE ATT&CK\``,
        }),
      );
    }
    const tactic = entry.tactic;
    if (!tacticId.test(tactic.id)) {
      out.push(
        diagnosticAt(source, at("tactic", "id"), {
          code: "DAC301",
          message: `tactic id \`${tactic.id}\` is malformed`,
          hint: "tactic ids look like `TA0007`",
        }),
      );
    } else {
      const known = data.tactics.get(tactic.id);
      if (!known) {
        out.push(
          diagnosticAt(source, at("tactic", "id"), {
            code: "DAC304",
            message: `\`${tactic.id}\` is not an Enterprise ATT&CK tactic`,
          }),
        );
      } else if (known.name !== tactic.name) {
        out.push(
          diagnosticAt(source, at("tactic", "name"), {
            code: "DAC304",
            message: `tactic ${tactic.id} is named "${known.name}", not "${tactic.name}"`,
            hint: `write \`name: ${known.name}\``,
          }),
        );
      }
      const url = `https://attack.mitre.org/tactics/${tactic.id}/`;
      if (!sameUrl(tactic.reference, url)) {
        out.push(
          diagnosticAt(source, at("tactic", "reference"), {
            code: "DAC303",
            message: `tactic reference \`${tactic.reference}\` does not match ${tactic.id}`,
            hint: `use ${url}`,
          }),
        );
      }
    }
    (entry.technique ?? []).forEach((technique, j) => {
      const tat = (...path: (string | number)[]) => at("technique", j, ...path);
      if (!techniqueId.test(technique.id)) {
        const hint = subtechniqueId.test(technique.id)
          ? "this is a subtechnique id: list it under `subtechnique` of its parent"
          : "technique ids look like `T1613`";
        out.push(
          diagnosticAt(source, tat("id"), {
            code: "DAC301",
            message: `technique id \`${technique.id}\` is malformed`,
            hint,
          }),
        );
        return;
      }
      const url = `https://attack.mitre.org/techniques/${technique.id}/`;
      if (!sameUrl(technique.reference, url)) {
        out.push(
          diagnosticAt(source, tat("reference"), {
            code: "DAC303",
            message: `technique reference \`${technique.reference}\` does not match ${technique.id}`,
            hint: `use ${url}`,
          }),
        );
      }
      out.push(...checkAgainstStix(rule, data, technique, tat, tactic.id));
      (technique.subtechnique ?? []).forEach((sub, k) => {
        const sat = (...path: (string | number)[]) => tat("subtechnique", k, ...path);
        if (!subtechniqueId.test(sub.id)) {
          out.push(
            diagnosticAt(source, sat("id"), {
              code: "DAC301",
              message: `subtechnique id \`${sub.id}\` is malformed`,
              hint: "subtechnique ids look like `T1069.003`",
            }),
          );
          return;
        }
        const parent = sub.id.slice(0, 5);
        if (parent !== technique.id) {
          out.push(
            diagnosticAt(source, sat("id"), {
              code: "DAC302",
              message: `subtechnique ${sub.id} belongs to ${parent}, not to ${technique.id}`,
              hint: `move it under technique ${parent}`,
            }),
          );
        }
        const subUrl = `https://attack.mitre.org/techniques/${parent}/${sub.id.slice(6)}/`;
        if (!sameUrl(sub.reference, subUrl)) {
          out.push(
            diagnosticAt(source, sat("reference"), {
              code: "DAC303",
              message: `subtechnique reference \`${sub.reference}\` does not match ${sub.id}`,
              hint: `use ${subUrl}`,
            }),
          );
        }
        out.push(...checkAgainstStix(rule, data, sub, sat, tactic.id));
      });
    });
  });
  return out;
}

function checkAgainstStix(
  rule: Rule,
  data: AttackData,
  technique: { id: string; name: string },
  at: (...path: (string | number)[]) => (string | number)[],
  tactic: string,
): Diagnostic[] {
  if (!data.techniques) return [];
  const known = data.techniques.get(technique.id);
  if (!known) {
    return [
      diagnosticAt(rule.source, at("id"), {
        code: "DAC306",
        message: `${technique.id} is not in the configured ATT&CK data`,
      }),
    ];
  }
  const out: Diagnostic[] = [];
  if (known.deprecated) {
    out.push(
      diagnosticAt(rule.source, at("id"), {
        code: "DAC306",
        severity: "warning",
        message: `${technique.id} is revoked or deprecated in the configured ATT&CK data`,
      }),
    );
  }
  if (known.name !== technique.name) {
    out.push(
      diagnosticAt(rule.source, at("name"), {
        code: "DAC305",
        message: `${technique.id} is named "${known.name}", not "${technique.name}"`,
        hint: `write \`name: ${known.name}\``,
      }),
    );
  }
  if (known.tactics.length > 0 && !known.tactics.includes(tactic)) {
    out.push(
      diagnosticAt(rule.source, at("id"), {
        code: "DAC307",
        message: `${technique.id} is not a technique of tactic ${tactic} (it belongs to ${known.tactics.join(", ")})`,
      }),
    );
  }
  return out;
}
