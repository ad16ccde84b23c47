import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, didYouMean, loadConfig } from "@dac/schema";
import type { DacConfig } from "@dac/schema";
import { envRedactor } from "@dac/exporter";
import { formatDiagnosticsPretty } from "@dac/report";
import type { Command, CommandContext, OptionSpec, ParsedArgs } from "./command.js";
import { FieldCatalogError } from "@dac/fields";
import { UsageError } from "./command.js";
import { commands } from "./commands/index.js";
import { commandHelp, globalOptions, mainHelp } from "./help.js";

export const version: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export interface Io {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

function toParseArgsOptions(options: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      },
    ]),
  );
}

function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options = { ...globalOptions, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: toParseArgsOptions(options),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    const unknown = /Unknown option '--?([^']+)'/.exec(message)?.[1];
    const suggestion = unknown ? didYouMean(unknown, Object.keys(options)) : undefined;
    throw new UsageError(`${message}${suggestion ? ` (${suggestion.replace(/`([^`]+)`/, "`--$1`")})` : ""}`);
  }
  const values = { ...parsed.values } as ParsedArgs["values"];
  for (const [name, spec] of Object.entries(options)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
    const value = values[name];
    if (spec.choices && value !== undefined) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === "string" && !spec.choices.includes(v)) {
          throw new UsageError(`--${name} must be one of ${spec.choices.join(", ")}, not \`${v}\``);
        }
      }
    }
  }
  return { values, positionals: parsed.positionals };
}

function findCommand(list: readonly Command[], name: string, prefix: string): Command {
  const found = list.find((c) => c.name === name);
  if (found) return found;
  const suggestion = didYouMean(
    name,
    list.map((c) => c.name),
  );
  throw new UsageError(`unknown command \`${prefix}${name}\`${suggestion ? `, ${suggestion}` : ""}`);
}

/** Runs the CLI on argv (without `node` and the script) and returns the exit code. Never throws. */
export async function main(argv: string[], raw: Io): Promise<number> {
  // The one choke point for credentials: every byte a command prints passes here, whatever its source
  // (Kibana's answers, rule names, error messages, every reporter and format). Report files get the same.
  const redact = envRedactor(raw.env);
  const io: Io = {
    ...raw,
    stdout: (text) => raw.stdout(redact(text)),
    stderr: (text) => raw.stderr(redact(text)),
  };
  let label = "dac";
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === "--help" || first === "-h" || first === "help") {
      (first === undefined ? io.stderr : io.stdout)(mainHelp(commands, version));
      return first === undefined ? 2 : 0;
    }
    if (first === "--version" || first === "-v") {
      io.stdout(`${version}\n`);
      return 0;
    }
    let command = findCommand(commands, first, "");
    label = `dac ${command.name}`;
    let args = rest;
    while (command.subcommands) {
      const [sub, ...subRest] = args;
      if (sub === undefined || sub === "--help" || sub === "-h") {
        (sub === undefined ? io.stderr : io.stdout)(commandHelp(command));
        return sub === undefined ? 2 : 0;
      }
      command = findCommand(command.subcommands, sub, `${label.slice(4)} `);
      label = `${label} ${command.name}`;
      args = subRest;
    }
    const parsed = parseCommandArgs(command, args);
    if (parsed.values.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    const color = parsed.values["no-color"]
      ? false
      : parsed.values.color
        ? true
        : io.env.NO_COLOR
          ? false
          : io.env.FORCE_COLOR !== undefined
            ? !["0", "false"].includes(io.env.FORCE_COLOR)
            : io.isTTY;
    let config: DacConfig | undefined;
    const ctx: CommandContext = {
      cwd: io.cwd,
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      color,
      version,
      config: () =>
        (config ??= loadConfig(
          io.cwd,
          typeof parsed.values.config === "string" ? parsed.values.config : undefined,
        )),
    };
    if (!command.run) throw new UsageError(`\`${label}\` needs a subcommand`);
    return await command.run(parsed, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(
        `${label}: error: ${error.message}\n${error.showUsage ? `Run \`${label} --help\` for usage.\n` : ""}`,
      );
      return 2;
    }
    if (error instanceof FieldCatalogError) {
      io.stderr(`${label}: configuration error: field definitions: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`${label}: configuration error: ${error.message}\n`);
      if (error.diagnostics.length > 0) io.stderr(formatDiagnosticsPretty(error.diagnostics));
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${label}: internal error: ${message}\n`);
    if (io.env.DAC_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    else io.stderr("Set DAC_DEBUG=1 for details, and please report this.\n");
    return 2;
  }
}
