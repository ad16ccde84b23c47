// Parser side: syntax tree, parse/print.
export type * from "./ast.js";
export { parse, parseExpression, spanText } from "./parser.js";
export { EqlSyntaxError } from "./errors.js";
export { print, printExpression, printString } from "./print.js";
