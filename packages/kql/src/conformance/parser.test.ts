import { describe, expect, it } from "vitest";
import { KqlSyntaxError } from "../errors.js";
import { parse } from "../parser.js";
import { print } from "../print.js";
import { shape, stripSpans } from "../test-support/shape.js";
import { fieldsOf } from "../walk.js";
import { parserCases } from "./parser.cases.js";

function syntaxError(query: string): KqlSyntaxError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof KqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${query}`);
}

describe("parser conformance (detection-rules lib/kql cases, Kibana semantics)", () => {
  it("transcribes all 96 upstream cases", () => {
    expect(parserCases).toHaveLength(96);
  });

  for (const c of parserCases) {
    const title = `${c.source} ${JSON.stringify(c.query)}${c.python ? " (differs from Python)" : ""}`;
    if (c.error) {
      it(`${title} is a syntax error`, () => {
        const error = syntaxError(c.query);
        expect({ offset: error.offset, message: error.message }).toEqual(c.error);
      });
      continue;
    }
    it(`${title} parses`, () => {
      const ast = parse(c.query);
      expect(shape(ast)).toBe(c.shape);
      expect(print(ast)).toBe(c.printed);
      expect(stripSpans(parse(print(ast)))).toEqual(stripSpans(ast));
      if (c.fieldNames) expect([...new Set(fieldsOf(ast).map((f) => f.name))]).toEqual(c.fieldNames);
    });
  }
});
