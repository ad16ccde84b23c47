/**
 * Elasticsearch's `standard` analyzer: Lucene's StandardTokenizer (Unicode UAX #29 word boundaries, tokens of at
 * most 255 characters) followed by a lowercase filter, without stop words.
 *
 * ASCII text — almost all security data — is tokenized by a hand-written UAX #29 state machine that reproduces
 * Lucene exactly for ASCII (`system:serviceaccount:kube` stays one token because `:` is MidLetter; `foo.bar`,
 * `1.2.3`, `it's` and `a_b` stay whole; `-`, `/`, `@` and spaces split). Other text goes through the platform's
 * UAX #29 segmenter (Intl.Segmenter), with Han and Hiragana characters split into one-character tokens as Lucene
 * does, and emoji (pictographs, with their modifiers and ZWJ sequences, and flags) as tokens of their own, as
 * Lucene's <EMOJI> rule does, though Intl.Segmenter does not mark them word-like. Known difference outside ASCII:
 * ICU's dictionary segmentation of Thai/Lao/Khmer/Myanmar (Lucene keeps the run whole).
 */

const MAX_TOKEN_LENGTH = 255;

// ASCII word-break classes.
const OTHER = 0;
const LETTER = 1;
const NUMERIC = 2;
const MID_LETTER = 3; // ':'
const MID_NUM_LET = 4; // '.'
const SINGLE_QUOTE = 5; // '\''
const MID_NUM = 6; // ',' ';'
const EXTEND_NUM_LET = 7; // '_'

const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ASCII_CLASS[c] = /[A-Za-z]/.test(ch)
    ? LETTER
    : /[0-9]/.test(ch)
      ? NUMERIC
      : ch === ":"
        ? MID_LETTER
        : ch === "."
          ? MID_NUM_LET
          : ch === "'"
            ? SINGLE_QUOTE
            : ch === "," || ch === ";"
              ? MID_NUM
              : ch === "_"
                ? EXTEND_NUM_LET
                : OTHER;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

function push(tokens: string[], token: string): void {
  if (token.length <= MAX_TOKEN_LENGTH) {
    tokens.push(token);
    return;
  }
  for (let i = 0; i < token.length; i += MAX_TOKEN_LENGTH) tokens.push(token.slice(i, i + MAX_TOKEN_LENGTH));
}

function classAt(text: string, i: number): number {
  return i < text.length ? ASCII_CLASS[text.charCodeAt(i)]! : OTHER;
}

function tokenizeAscii(text: string, tokens: string[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const first = classAt(text, i);
    if (first !== LETTER && first !== NUMERIC && first !== EXTEND_NUM_LET) {
      i++;
      continue;
    }
    const start = i;
    let last = first;
    let wordLike = first !== EXTEND_NUM_LET;
    i++;
    while (i < n) {
      const c = classAt(text, i);
      if (c === LETTER || c === NUMERIC || c === EXTEND_NUM_LET) {
        // WB5, WB8–WB10, WB13a/b: letters, digits and connectors join each other.
        if (last !== LETTER && last !== NUMERIC && last !== EXTEND_NUM_LET) break;
        if (c !== EXTEND_NUM_LET) wordLike = true;
        last = c;
        i++;
        continue;
      }
      const next = classAt(text, i + 1);
      // WB6/WB7: letter (MidLetter | MidNumLet | Single_Quote) letter.
      if (
        last === LETTER &&
        next === LETTER &&
        (c === MID_LETTER || c === MID_NUM_LET || c === SINGLE_QUOTE)
      ) {
        i += 2;
        continue;
      }
      // WB11/WB12: digit (MidNum | MidNumLet | Single_Quote) digit.
      if (
        last === NUMERIC &&
        next === NUMERIC &&
        (c === MID_NUM || c === MID_NUM_LET || c === SINGLE_QUOTE)
      ) {
        i += 2;
        continue;
      }
      break;
    }
    if (wordLike) push(tokens, text.slice(start, i).toLowerCase());
  }
}

let segmenter: Intl.Segmenter | undefined;

const SINGLE_CHAR_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

function tokenizeUnicode(text: string, tokens: string[]): void {
  segmenter ??= new Intl.Segmenter("und", { granularity: "word" });
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (!isWordLike) {
      // StandardTokenizer's <EMOJI> tokens (checked with `_analyze` on Elasticsearch 9.5: "😀fox" is [😀, fox],
      // and ©, ↔, 🇫🇷, 👍🏽, 👨‍👩‍👧 are tokens; '#' and '*' are not).
      if (EMOJI.test(segment)) tokens.push(segment);
      continue;
    }
    if (!SINGLE_CHAR_SCRIPT.test(segment)) {
      push(tokens, lowercaseTerm(segment));
      continue;
    }
    // Lucene emits every ideograph and hiragana character as its own token.
    let run = "";
    for (const ch of segment) {
      if (SINGLE_CHAR_SCRIPT.test(ch)) {
        if (WORD_CHAR.test(run)) push(tokens, lowercaseTerm(run));
        run = "";
        tokens.push(ch);
      } else {
        run += ch;
      }
    }
    if (WORD_CHAR.test(run)) push(tokens, lowercaseTerm(run));
  }
}

/** The standard analyzer's tokens for a text value, lowercased, in order (positions are consecutive). */
export function analyzeStandard(text: string): string[] {
  const tokens: string[] = [];
  if (isAscii(text)) tokenizeAscii(text, tokens);
  else tokenizeUnicode(text, tokens);
  return tokens;
}

/**
 * Lowercases per code point, as Lucene's LowerCaseFilter (Java `Character.toLowerCase`) does: no locale rules
 * and no context-dependent final sigma. This is also the standard analyzer's normalizer for wildcard terms.
 */
export function lowercaseTerm(term: string): string {
  if (isAscii(term)) return term.toLowerCase();
  let out = "";
  for (const ch of term) {
    const lower = ch.toLowerCase();
    // Where JS expands (U+0130 → "i̇"), Java maps to a single code point: the first one.
    out += lower.length === ch.length ? lower : String.fromCodePoint(lower.codePointAt(0)!);
  }
  return out;
}
