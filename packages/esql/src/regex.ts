/**
 * Regular expressions: Lucene's syntax for RLIKE (org.apache.lucene.util.automaton.RegExp, as ES|QL's RLikePattern
 * builds it: anchored to the whole value, `.` any character, `@` any string, `#` the empty language, `"..."` a
 * literal, `<n-m>` a numeric interval, `\` escaping any character, a quantifier with nothing before it a literal),
 * and Java's syntax for GROK and REPLACE (inline `(?i)` / `(?i:...)` flags, possessive quantifiers and atomic groups
 * read as their plain forms).
 */

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/**
 * Lucene regexp → JavaScript. `operators` lists the RegExp.ALL operators met that dac reads as literal characters
 * (`&` intersection, `~` complement): the validator warns about them.
 */
export function luceneToRegExp(pattern: string, operators: string[] = []): RegExp {
  let src = "";
  let atom = false;
  const n = pattern.length;
  for (let i = 0; i < n; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      if (i + 1 >= n) throw new Error("expected character after '\\'");
      const e = pattern[++i]!;
      // Lucene 9's RegExp reads \d \D \s \S \w \W as character classes.
      src += "dDsSwW".includes(e) ? `\\${e}` : escapeRe(e);
      atom = true;
    } else if (c === ".") {
      src += "[\\s\\S]";
      atom = true;
    } else if (c === "@") {
      src += "[\\s\\S]*";
      atom = true;
    } else if (c === "#") {
      src += "(?!)";
      atom = true;
    } else if (c === '"') {
      const close = pattern.indexOf('"', i + 1);
      if (close < 0) throw new Error("expected '\"'");
      src += `(?:${[...pattern.slice(i + 1, close)].map(escapeRe).join("")})`;
      i = close;
      atom = true;
    } else if (c === "[") {
      let j = i + 1;
      let cls = "[";
      if (pattern[j] === "^") {
        cls += "^";
        j++;
      }
      for (; j < n && pattern[j] !== "]"; j++) {
        const d = pattern[j]!;
        if (d === "\\" && j + 1 < n) {
          const e = pattern[++j]!;
          cls += "dDsSwW".includes(e) ? `\\${e}` : escapeRe(e);
        } else if (d === "-") cls += "-";
        else cls += escapeRe(d);
      }
      if (j >= n) throw new Error("expected ']'");
      src += `${cls}]`;
      i = j;
      atom = true;
    } else if (c === "<") {
      const m = /^<(\d+)-(\d+)>/.exec(pattern.slice(i));
      if (!m) throw new Error("expected numeric interval <n-m>");
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      if (hi - lo > 10000) throw new Error("numeric interval too wide");
      const alts: string[] = [];
      for (let k = lo; k <= hi; k++) alts.push(String(k));
      src += `0*(?:${alts.join("|")})`;
      i += m[0].length - 1;
      atom = true;
    } else if ((c === "*" || c === "+" || c === "?") && atom) {
      src += c;
    } else if (c === "{" && atom && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) {
      const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i))!;
      src += m[0];
      i += m[0].length - 1;
    } else if (c === "(") {
      src += "(?:";
      atom = false;
    } else if (c === ")") {
      src += ")";
      atom = true;
    } else if (c === "|") {
      src += "|";
      atom = false;
    } else if (c === "~" || c === "&") {
      operators.push(c);
      src += escapeRe(c);
      atom = true;
    } else {
      src += escapeRe(c);
      atom = true;
    }
  }
  return new RegExp(`^(?:${src})$`);
}

/** Java regular expression syntax to a JavaScript RegExp. */
export function javaRegex(pattern: string, flags = ""): RegExp {
  let p = pattern;
  let f = flags;
  const m = /^\(\?([imsx]+)\)/.exec(p);
  if (m) {
    p = p.slice(m[0].length);
    for (const c of m[1]!) if (c !== "x" && !f.includes(c)) f += c;
  }
  p = p.replace(/([*+?}])\+/g, "$1").replace(/\(\?>/g, "(?:");
  p = caseInsensitiveGroups(p);
  return new RegExp(p, f);
}

/** `(?i:abc)` → `(?:[aA][bB][cC])`: JavaScript before ES2025 has no inline modifiers. */
function caseInsensitiveGroups(p: string): string {
  let out = "";
  for (let i = 0; i < p.length; i++) {
    if (!p.startsWith("(?i:", i)) {
      if (p[i] === "\\" && i + 1 < p.length) {
        out += p[i]! + p[i + 1]!;
        i++;
      } else out += p[i];
      continue;
    }
    out += "(?:";
    i += 4;
    let depth = 1;
    let inClass = false;
    for (; i < p.length && depth > 0; i++) {
      const c = p[i]!;
      if (c === "\\" && i + 1 < p.length) {
        out += c + p[i + 1]!;
        i++;
        continue;
      }
      if (inClass) {
        if (c === "]") inClass = false;
        out += /[a-z]/i.test(c) ? c.toLowerCase() + c.toUpperCase() : c;
        continue;
      }
      if (c === "[") inClass = true;
      if (c === "(") depth++;
      if (c === ")") depth--;
      out += /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
    }
    i--;
  }
  return out;
}
