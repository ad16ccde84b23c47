import type { Command, OptionSpec } from "./command.js";

export const globalOptions: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", description: "Show help for the command." },
  config: {
    type: "string",
    valueName: "FILE",
    description: "Use this configuration file instead of the nearest dac.config.yaml.",
  },
  color: {
    type: "boolean",
    description: "Force coloured output (default: on for a terminal, off with NO_COLOR).",
  },
  "no-color": { type: "boolean", description: "Disable coloured output." },
};

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.type === "string" ? ` ${spec.valueName ?? "VALUE"}` : ""}`;
    const extra = [
      spec.choices ? `one of: ${spec.choices.join(", ")}` : "",
      spec.multiple ? "repeatable" : "",
      spec.default !== undefined && spec.default !== false ? `default: ${String(spec.default)}` : "",
    ].filter(Boolean);
    return [flag, `${spec.description}${extra.length ? ` (${extra.join("; ")})` : ""}`] as const;
  });
  const width = Math.max(0, ...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, "", command.summary];
  if (command.description) lines.push("", command.description);
  if (command.subcommands?.length) {
    lines.push("", "Commands:");
    const width = Math.max(...command.subcommands.map((c) => c.name.length));
    for (const sub of command.subcommands) lines.push(`  ${sub.name.padEnd(width)}  ${sub.summary}`);
  }
  if (Object.keys(command.options).length > 0) lines.push("", "Options:", ...optionLines(command.options));
  lines.push("", "Global options:", ...optionLines(globalOptions));
  return `${lines.join("\n")}\n`;
}

export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `dac ${version} — detection-as-code for Elastic Security`,
    "",
    "Usage: dac <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `dac <command> --help` for a command's options.",
    "",
    "Exit codes: 0 ok, 1 findings or failures, 2 usage or configuration error.",
    "",
    "Options:",
    "  -h, --help     Show this help.",
    "  -v, --version  Print the version.",
    "",
  ].join("\n");
}

/** The README's CLI reference: every command's `--help`, generated so the two never drift apart. */
export function cliReference(commands: readonly Command[], version: string): string {
  const sections: string[] = [
    "```text",
    mainHelp(commands, version)
      .replace(/^dac \S+ /, "dac ")
      .trimEnd(),
    "```",
  ];
  const visit = (command: Command, prefix: string) => {
    const name = `${prefix}${command.name}`;
    sections.push("", `### \`dac ${name}\``, "", "```text", commandHelp(command).trimEnd(), "```");
    for (const sub of command.subcommands ?? []) visit(sub, `${name} `);
  };
  for (const command of commands) visit(command, "");
  return `${sections.join("\n")}\n`;
}
