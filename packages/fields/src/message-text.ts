/**
 * How values appear in messages (lint findings, explain lines, evaluation errors): one helper, so that a 600 KB
 * value or a value with line breaks and terminal escapes yields a short, one-line message.
 */

/** Characters of a value shown in a message before it is cut. */
export const MAX_SHOWN = 80;

/** `text`, cut to `max` characters with a note of its full length. */
export function clipText(text: string, max = MAX_SHOWN): string {
  return text.length > max ? `${text.slice(0, max - 1)}… (${text.length} characters)` : text;
}

/** A value in a message: in backticks, on one line (line breaks and control characters escaped), cut. */
export function quoteValue(value: unknown, max = MAX_SHOWN): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return `\`${clipText(oneLine(text), max)}\``;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === "\n"
      ? "\\n"
      : c === "\r"
        ? "\\r"
        : c === "\t"
          ? "\\t"
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
