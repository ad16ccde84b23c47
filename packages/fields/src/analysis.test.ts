import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeStandard, lowercaseTerm } from "./analysis.js";

// Expected tokens follow Lucene's StandardTokenizer (UAX #29 word boundaries) + LowerCaseFilter, as the
// `standard` analyzer produces them (`GET _analyze {"analyzer": "standard", "text": …}`).
describe("standard analyzer", () => {
  it.each([
    ["Hello World", ["hello", "world"]],
    ["system:serviceaccount:kube-system:default", ["system:serviceaccount:kube", "system:default"]],
    ["system:serviceaccounts", ["system:serviceaccounts"]],
    ["foo.bar baz.", ["foo.bar", "baz"]],
    ["1.2.3.4", ["1.2.3.4"]],
    ["10.0.0.1/8", ["10.0.0.1", "8"]],
    ["1,000,000 and 3;4", ["1,000,000", "and", "3;4"]],
    ["it's O'Neil's", ["it's", "o'neil's"]],
    ["snake_case __init__", ["snake_case", "__init__"]],
    ["a.1 1.a a:1", ["a", "1", "1", "a", "a", "1"]],
    ["kubectl/v1.26.1 (linux/amd64)", ["kubectl", "v1.26.1", "linux", "amd64"]],
    ["user@example.com", ["user", "example.com"]],
    ["C:\\Windows\\System32", ["c", "windows", "system32"]],
    ["___ -- !!", []],
    ["", []],
    ["Ünïcödé Straße", ["ünïcödé", "straße"]],
    ["東京大学で", ["東", "京", "大", "学", "で"]],
    ["ΣΟΦΟΣ", ["σοφοσ"]],
    // Lucene's <EMOJI> tokens (StandardTokenizer.EMOJI), checked with `_analyze` on Elasticsearch 9.5.
    ["😀fox a😀b", ["😀", "fox", "a", "😀", "b"]],
    ["© ™ ↔ 🇫🇷 👍🏽 👨‍👩‍👧 # *", ["©", "™", "↔", "🇫🇷", "👍🏽", "👨‍👩‍👧"]],
  ])("%j → %j", (text, tokens) => expect(analyzeStandard(text)).toEqual(tokens));

  it("splits tokens longer than max_token_length 255", () => {
    const tokens = analyzeStandard("a".repeat(600));
    expect(tokens.map((t) => t.length)).toEqual([255, 255, 90]);
  });

  it("lowercases per code point like Java", () => {
    expect(lowercaseTerm("İSTANBUL")).toBe("istanbul");
    expect(lowercaseTerm("FOO*Bar")).toBe("foo*bar");
  });

  // The ASCII state machine and the platform's UAX #29 segmenter agree on ASCII text (the fallback for other
  // text), apart from connector-only runs.
  it("agrees with Intl.Segmenter on ASCII text", () => {
    const segmenter = new Intl.Segmenter("und", { granularity: "word" });
    const alphabet = fc.constantFrom(..."aZ09:._',; -/@\"".split(""));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 30 }).map((cs) => cs.join("")),
        (text) => {
          const expected = [...segmenter.segment(text)]
            // ICU also marks connector-only runs ("__") word-like; Lucene emits no token for them.
            .filter((s) => s.isWordLike && /[A-Za-z0-9]/.test(s.segment))
            .map((s) => s.segment.toLowerCase());
          expect(analyzeStandard(text)).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
