/**
 * The small part of KQL that `_find?filter=` and `_bulk_action` `query` need here: `field:value`,
 * `field:(a or b)`, `and`/`or`/`not`, parentheses, quoted values and a trailing `*` on bare values, over the
 * rule saved-object attributes (`alert.attributes.*`).
 */
import type { StoredRule } from "./store.js";

export type RulePredicate = (rule: StoredRule) => boolean;

const fields: Record<string, (rule: StoredRule) => unknown> = {
  "alert.attributes.tags": (r) => r.tags,
  "alert.attributes.name": (r) => r.name,
  "alert.attributes.enabled": (r) => r.enabled,
  "alert.attributes.params.ruleId": (r) => r.rule_id,
  "alert.attributes.params.immutable": (r) => r.immutable,
  "alert.attributes.params.type": (r) => r.type,
  "alert.attributes.params.version": (r) => r.version,
};

export class FilterSyntaxError extends Error {}

type Token = { kind: "(" | ")" | ":" | "word" | "quoted"; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ":") {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === '"') {
      let text = "";
      i++;
      while (i < source.length && source[i] !== '"') {
        if (source[i] === "\\" && i + 1 < source.length) i++;
        text += source[i];
        i++;
      }
      if (i >= source.length) throw new FilterSyntaxError(`unterminated quoted value in filter: ${source}`);
      i++;
      tokens.push({ kind: "quoted", text });
    } else {
      let text = "";
      while (i < source.length && !/[\s():"]/.test(source[i]!)) {
        if (source[i] === "\\" && i + 1 < source.length) i++;
        text += source[i];
        i++;
      }
      tokens.push({ kind: "word", text });
    }
  }
  return tokens;
}

export function parseFilter(source: string): RulePredicate {
  const tokens = tokenize(source);
  let pos = 0;
  const peekKeyword = (word: string) =>
    tokens[pos]?.kind === "word" && tokens[pos]!.text.toLowerCase() === word;
  const expect = (kind: Token["kind"]) => {
    const token = tokens[pos++];
    if (token?.kind !== kind) throw new FilterSyntaxError(`expected "${kind}" in filter: ${source}`);
    return token;
  };

  function orExpr(): RulePredicate {
    const parts = [andExpr()];
    while (peekKeyword("or")) {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : (r) => parts.some((p) => p(r));
  }
  function andExpr(): RulePredicate {
    const parts = [notExpr()];
    while (peekKeyword("and")) {
      pos++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0]! : (r) => parts.every((p) => p(r));
  }
  function notExpr(): RulePredicate {
    if (peekKeyword("not")) {
      pos++;
      const inner = notExpr();
      return (r) => !inner(r);
    }
    return primary();
  }
  function primary(): RulePredicate {
    if (tokens[pos]?.kind === "(") {
      pos++;
      const inner = orExpr();
      expect(")");
      return inner;
    }
    const name = expect("word").text;
    const read = fields[name];
    if (!read) throw new FilterSyntaxError(`unsupported filter field "${name}"`);
    expect(":");
    const matchers = values();
    return (r) => {
      const value = read(r);
      const candidates = Array.isArray(value) ? value : [value];
      return matchers.some((m) => candidates.some((c) => m(c)));
    };
  }
  function values(): ((value: unknown) => boolean)[] {
    if (tokens[pos]?.kind === "(") {
      pos++;
      const list = [value()];
      while (peekKeyword("or")) {
        pos++;
        list.push(value());
      }
      expect(")");
      return list;
    }
    return [value()];
  }
  function value(): (value: unknown) => boolean {
    const token = tokens[pos++];
    if (!token || (token.kind !== "word" && token.kind !== "quoted")) {
      throw new FilterSyntaxError(`expected a value in filter: ${source}`);
    }
    if (token.kind === "word" && token.text.endsWith("*")) {
      const prefix = token.text.slice(0, -1);
      return (v) => String(v).startsWith(prefix);
    }
    return (v) => String(v) === token.text;
  }

  const predicate = orExpr();
  if (pos !== tokens.length)
    throw new FilterSyntaxError(`unexpected "${tokens[pos]!.text}" in filter: ${source}`);
  return predicate;
}
