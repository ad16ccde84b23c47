import type { Command } from "../command.js";
import { changesetCommand } from "./changeset.js";
import { checkCommand } from "./check.js";
import { exportCommand } from "./export.js";
import { fieldsCommand } from "./fields.js";
import { fmtCommand } from "./fmt.js";
import { importCommand } from "./import.js";
import { eqlCommand } from "./eql.js";
import { esqlCommand } from "./esql.js";
import { kqlCommand } from "./kql.js";
import { newCommand } from "./new.js";
import { planCommand } from "./plan.js";
import { publishCommand } from "./publish.js";
import { surveyCommand } from "./survey.js";
import { testCommand } from "./test.js";
import { validateCommand } from "./validate.js";
import { versionCommand } from "./version.js";

/** Every top-level command, in the order `dac --help` lists them. */
export const commands: Command[] = [
  checkCommand,
  validateCommand,
  testCommand,
  surveyCommand,
  newCommand,
  fmtCommand,
  changesetCommand,
  kqlCommand,
  eqlCommand,
  esqlCommand,
  fieldsCommand,
  versionCommand,
  exportCommand,
  planCommand,
  publishCommand,
  importCommand,
];
