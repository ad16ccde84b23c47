/**
 * DISSECT and GROK patterns (esql-process-data-with-dissect-and-grok.html). DISSECT follows the dissect processor:
 * `%{key}`, `%{+key}` (append, joined by APPEND_SEPARATOR), `%{?key}` / `%{}` (skipped), `%{key->}` (right padding).
 * GROK translates the patterns Elastic's grok library ships (the subset below) to a JavaScript regular expression;
 * `%{PATTERN:name:int|long|float|double|boolean}` types the column, everything else is keyword.
 */
import type { ColumnInfo } from "./engine.js";
import type { Cell } from "./values.js";
import { javaRegex } from "./regex.js";

export interface PatternParser {
  columns: ColumnInfo[];
  parse(s: string): Record<string, Cell> | undefined;
}

interface DissectKey {
  name: string;
  append: boolean;
  skip: boolean;
  padded: boolean;
}

export function compileDissect(pattern: string, appendSeparator: string): PatternParser {
  const parts: (string | DissectKey)[] = [];
  const re = /%\{([^}]*)\}/g;
  let last = 0;
  for (let m = re.exec(pattern); m; m = re.exec(pattern)) {
    if (m.index > last) parts.push(pattern.slice(last, m.index));
    let k = m[1]!;
    const padded = k.endsWith("->");
    if (padded) k = k.slice(0, -2);
    const append = k.startsWith("+");
    const skip = k === "" || k.startsWith("?");
    if (append || k.startsWith("?")) k = k.slice(1);
    if (k.startsWith("&") || k.startsWith("*"))
      throw new Error(`dissect reference keys (%{*key} / %{&key}) are not supported in ES|QL: [${m[0]}]`);
    parts.push({ name: k, append, skip, padded });
    last = m.index + m[0].length;
  }
  if (last < pattern.length) parts.push(pattern.slice(last));
  const keys = parts.filter((p): p is DissectKey => typeof p !== "string" && !p.skip);
  if (keys.length === 0) throw new Error(`Invalid pattern [${pattern}] for dissect: no named keys`);
  const names = [...new Set(keys.map((k) => k.name))];
  return {
    columns: names.map((name) => ({ name, type: "keyword" })),
    parse(s: string) {
      const values = new Map<string, string[]>();
      let pos = 0;
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (typeof p === "string") {
          if (!s.startsWith(p, pos)) return undefined;
          pos += p.length;
          continue;
        }
        const next = parts[i + 1];
        let end: number;
        if (next === undefined) end = s.length;
        else if (typeof next === "string") {
          end = s.indexOf(next, pos);
          if (end < 0) return undefined;
        } else end = s.length;
        const value = s.slice(pos, end);
        pos = end;
        // `%{key->}` skips repeated delimiters after the value.
        if (p.padded && typeof next === "string" && next.length > 0)
          while (s.startsWith(next, pos + next.length)) pos += next.length;
        if (!p.skip) values.set(p.name, [...(values.get(p.name) ?? []), value]);
      }
      const out: Record<string, Cell> = {};
      for (const n of names) out[n] = (values.get(n) ?? []).join(appendSeparator);
      return out;
    },
  };
}

/** Grok's base patterns (elastic/elasticsearch libs/grok/src/main/resources/patterns/ecs-v1/grok-patterns). */
const GROK: Record<string, string> = {
  USERNAME: "[a-zA-Z0-9._-]+",
  USER: "%{USERNAME}",
  EMAILLOCALPART: "[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~]{1,64}(?:\\.[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~]{1,62}){0,63}",
  EMAILADDRESS: "%{EMAILLOCALPART}@%{HOSTNAME}",
  INT: "(?:[+-]?(?:[0-9]+))",
  BASE10NUM: "(?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\\.[0-9]+)?)|(?:\\.[0-9]+)))",
  NUMBER: "(?:%{BASE10NUM})",
  BASE16NUM: "(?<![0-9A-Fa-f])(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+))",
  POSINT: "\\b(?:[1-9][0-9]*)\\b",
  NONNEGINT: "\\b(?:[0-9]+)\\b",
  WORD: "\\b\\w+\\b",
  NOTSPACE: "\\S+",
  SPACE: "\\s*",
  DATA: ".*?",
  GREEDYDATA: ".*",
  QUOTEDSTRING:
    "(?>(?<!\\\\)(?>\"(?>\\\\.|[^\\\\\"]+)+\"|\"\"|(?>'(?>\\\\.|[^\\\\']+)+')|''|(?>`(?>\\\\.|[^\\\\`]+)+`)|``))",
  UUID: "[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}",
  MAC: "(?:%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC})",
  CISCOMAC: "(?:(?:[A-Fa-f0-9]{4}\\.){2}[A-Fa-f0-9]{4})",
  WINDOWSMAC: "(?:(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2})",
  COMMONMAC: "(?:(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2})",
  IPV6: "(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,5}(?::[0-9A-Fa-f]{1,4}){1,2}|(?:[0-9A-Fa-f]{1,4}:){1,4}(?::[0-9A-Fa-f]{1,4}){1,3}|(?:[0-9A-Fa-f]{1,4}:){1,3}(?::[0-9A-Fa-f]{1,4}){1,4}|(?:[0-9A-Fa-f]{1,4}:){1,2}(?::[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(?::[0-9A-Fa-f]{1,4}){1,6}|:(?:(?::[0-9A-Fa-f]{1,4}){1,7}|:)|(?:[0-9A-Fa-f]{1,4}:){6}%{IPV4}|::(?:ffff(?::0{1,4})?:)?%{IPV4})",
  IPV4: "(?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9])",
  IP: "(?:%{IPV6}|%{IPV4})",
  HOSTNAME: "\\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\\.?|\\b)",
  IPORHOST: "(?:%{IP}|%{HOSTNAME})",
  HOSTPORT: "%{IPORHOST}:%{POSINT}",
  PATH: "(?:%{UNIXPATH}|%{WINPATH})",
  UNIXPATH: "(?:/[\\w_%!$@:.,+~-]*)+",
  TTY: "(?:/dev/(?:pts|tty(?:[pq])?)(?:\\w+)?/?(?:[0-9]+))",
  WINPATH: "(?:[A-Za-z]+:|\\\\)(?:\\\\[^\\\\?*]*)+",
  URIPROTO: "[A-Za-z](?:[A-Za-z0-9+\\-.]+)+",
  URIHOST: "%{IPORHOST}(?::%{POSINT})?",
  URIPATH: "(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\\-]*)+",
  URIQUERY: "[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\\-\\[\\]<>]*",
  URIPARAM: "\\?%{URIQUERY}",
  URIPATHPARAM: "%{URIPATH}(?:\\?%{URIQUERY})?",
  URI: "%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATH}(?:\\?%{URIQUERY})?)?",
  MONTH:
    "\\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e(?:c|z)(?:ember)?)\\b",
  MONTHNUM: "(?:0?[1-9]|1[0-2])",
  MONTHDAY: "(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])",
  DAY: "(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)",
  YEAR: "(?>\\d\\d){1,2}",
  HOUR: "(?:2[0123]|[01]?[0-9])",
  MINUTE: "(?:[0-5][0-9])",
  SECOND: "(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)",
  TIME: "(?!<[0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])",
  ISO8601_TIMEZONE: "(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))",
  ISO8601_SECOND: "%{SECOND}",
  TIMESTAMP_ISO8601:
    "%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?",
  DATE_US: "%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}",
  DATE_EU: "%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}",
  DATE: "%{DATE_US}|%{DATE_EU}",
  DATESTAMP: "%{DATE}[- ]%{TIME}",
  SYSLOGTIMESTAMP: "%{MONTH} +%{MONTHDAY} %{TIME}",
  PROG: "[\\x21-\\x5a\\x5c\\x5e-\\x7e]+",
  SYSLOGPROG: "%{PROG}(?:\\[%{POSINT}\\])?",
  SYSLOGHOST: "%{IPORHOST}",
  HTTPDATE: "%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}",
  LOGLEVEL:
    "(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo?(?:rmation)?|INFO?(?:RMATION)?|[Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)",
};

const TYPES: Record<string, ColumnInfo["type"]> = {
  int: "integer",
  long: "long",
  float: "double",
  double: "double",
  boolean: "boolean",
};

export function compileGrok(patterns: string[]): PatternParser {
  const columns: ColumnInfo[] = [];
  const groups: { group: string; name: string; type: ColumnInfo["type"] }[] = [];
  const expand = (p: string, depth: number): string => {
    if (depth > 20) throw new Error("grok pattern nests too deeply");
    return p.replace(
      /%\{(\w+)(?::([\w.@\-[\]]+))?(?::(\w+))?\}/g,
      (_m, pat: string, name?: string, type?: string) => {
        const def = GROK[pat];
        if (def === undefined)
          throw new Error(`Unable to find pattern [${pat}] in Grok's pattern dictionary`);
        const inner = expand(def, depth + 1);
        if (!name) return `(?:${inner})`;
        const group = `g${groups.length}`;
        const t = type ? TYPES[type] : "keyword";
        if (!t) throw new Error(`unsupported grok type [${type}] in [${_m}]`);
        groups.push({ group, name, type: t });
        if (!columns.some((c) => c.name === name)) columns.push({ name, type: t });
        return `(?<${group}>${inner})`;
      },
    );
  };
  const regexes = patterns.map((p) => {
    // Oniguruma's named groups `(?<name>...)` name columns too.
    let src = expand(p, 0);
    src = src.replace(/\(\?<([A-Za-z@][\w.@]*)>/g, (m, name: string) => {
      if (/^g\d+$/.test(name)) return m;
      const group = `g${groups.length}`;
      groups.push({ group, name, type: "keyword" });
      if (!columns.some((c) => c.name === name)) columns.push({ name, type: "keyword" });
      return `(?<${group}>`;
    });
    return javaRegex(src.replace(/\(\?>/g, "(?:"));
  });
  return {
    columns,
    parse(s: string) {
      for (const re of regexes) {
        const m = re.exec(s);
        if (!m) continue;
        const out: Record<string, Cell> = {};
        for (const g of groups) {
          const v = m.groups?.[g.group];
          if (v === undefined) continue;
          out[g.name] = convert(v, g.type);
        }
        return out;
      }
      return undefined;
    },
  };
}

function convert(v: string, type: ColumnInfo["type"]): Cell {
  if (type === "integer" || type === "long") {
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) ? null : n;
  }
  if (type === "double") {
    const n = Number.parseFloat(v);
    return Number.isNaN(n) ? null : n;
  }
  if (type === "boolean") return v.toLowerCase() === "true";
  return v;
}
