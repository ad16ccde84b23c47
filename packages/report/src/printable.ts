/**
 * Text for a terminal or a rendered page: every character a terminal could act on is shown escaped, so that
 * an event value or a rule name cannot clear the screen, move the cursor, set the title or reorder the line.
 * Tab and line feed stay. Machine-readable output (JSON, SARIF) never goes through here: it stays exact.
 */

// C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional marks, overrides and isolates
// that reorder what is shown (Trojan Source, CVE-2021-42574).
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(unsafe, (c) =>
    c === "\r" ? "\\r" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Every string of a plain-data value made printable; the value under `keep` keys is left as it is. */
export function printableData<T>(value: T, keep: ReadonlySet<string> = new Set()): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return printable(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keep.has(k) ? x : walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}
