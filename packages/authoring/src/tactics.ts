import { readFileSync } from "node:fs";
import { join } from "node:path";
import { schemasDir } from "@dac/schema";

export interface Tactic {
  id: string;
  name: string;
  shortname: string;
  url: string;
}

let bundled: Tactic[] | undefined;

/** The 14 Enterprise tactics from `schemas/attack/enterprise-tactics.json`, in kill-chain order. */
export function enterpriseTactics(): Tactic[] {
  bundled ??= (
    JSON.parse(readFileSync(join(schemasDir, "attack", "enterprise-tactics.json"), "utf8")) as {
      tactics: Tactic[];
    }
  ).tactics;
  return bundled;
}

/** A tactic by id (`TA0007`), name (`Discovery`) or short name (`privilege-escalation`), in any case. */
export function findTactic(
  query: string,
  tactics: readonly Tactic[] = enterpriseTactics(),
): Tactic | undefined {
  const wanted = normalize(query);
  return tactics.find((t) => [t.id, t.name, t.shortname].some((k) => normalize(k) === wanted));
}

function normalize(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");
}
