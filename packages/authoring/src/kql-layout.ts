import { parse, print } from "@dac/kql";

/**
 * A KQL query in canonical form: the printer's text (`print(parse(q))`), with a top-level `and`/`or` chain put
 * one operand per line. Throws `KqlSyntaxError` when the query does not parse.
 */
export function formatKqlQuery(query: string): string {
  const ast = parse(query);
  const flat = print(ast);
  if (ast.type !== "and" && ast.type !== "or") return flat;
  const parts = splitTopLevel(flat, ` ${ast.type} `);
  if (parts.length < 2) return flat;
  const text = [parts[0], ...parts.slice(1).map((part) => `  ${ast.type} ${part}`)].join("\n");
  // Line breaks are whitespace to KQL; the check guards the splitter, not the grammar.
  return print(parse(text)) === flat ? text : flat;
}

/** Splits on `separator` outside parentheses, braces, quoted strings and backslash escapes. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (quoted) {
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === "(" || c === "{") depth++;
    else if (c === ")" || c === "}") depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
