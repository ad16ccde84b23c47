import type { Command } from "../command.js";
import { validateCommand } from "./validate.js";

/** Every top-level command, in the order `dac --help` lists them. */
export const commands: Command[] = [validateCommand];
