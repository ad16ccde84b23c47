import type { DacConfig } from "@dac/schema";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  default?: string | boolean | string[];
  /** Shown in `--help`. */
  description: string;
  /** Placeholder for the value in `--help`, e.g. `FILE`. */
  valueName?: string;
  /** Allowed values of a string option; anything else is a usage error. */
  choices?: readonly string[];
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/** Where a command writes, and what it may read from the process; tests pass their own. */
export interface CommandContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour output (a TTY without NO_COLOR, or FORCE_COLOR). */
  color: boolean;
  version: string;
  /** The configuration, loaded on first use (honours the global `--config`). */
  config: () => DacConfig;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. `dac validate [PATH...] [options]`. */
  usage: string;
  /** Longer help text, shown under the usage line. */
  description?: string;
  options: Record<string, OptionSpec>;
  /** Subcommands (e.g. `dac kql parse`); when present, the first positional selects one. */
  subcommands?: Command[];
  run?: (args: ParsedArgs, ctx: CommandContext) => Promise<number>;
}

/** Bad flags, arguments or an empty selection: exit code 2. */
export class UsageError extends Error {
  /** Whether the error message is followed by "Run `dac … --help` for usage". */
  showUsage = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

export const exitCodes = { ok: 0, findings: 1, usage: 2 } as const;

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** The `-f/--format` option every command that prints a report shares. */
export function formatOption(choices: readonly string[] = ["pretty", "json"]): OptionSpec {
  return {
    type: "string",
    short: "f",
    valueName: "FORMAT",
    choices,
    default: choices[0]!,
    description: "Output format.",
  };
}
