export { main, version } from "./main.js";
export type { Io } from "./main.js";
export { UsageError, exitCodes } from "./command.js";
export type { Command, CommandContext, OptionSpec, ParsedArgs } from "./command.js";
export { commands } from "./commands/index.js";
export { cliReference, commandHelp, mainHelp } from "./help.js";
