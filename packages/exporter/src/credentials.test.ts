import { describe, expect, it } from "vitest";
import { credentialsFromEnv, envRedactor, redactor } from "./credentials.js";
import { ConfigurationError } from "./errors.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("redactor", () => {
  it("hides the exact header value, the base64 user:password and user:password, whatever the password", () => {
    const redact = redactor({ kind: "basic", username: "elastic", password: "a" });
    const header = `Basic ${b64("elastic:a")}`;
    expect(redact(`unable to authenticate a user; got ${header}`)).toBe(
      "unable to authenticate a user; got [REDACTED]",
    );
    expect(redact(`token ${b64("elastic:a")} and elastic:a`)).toBe("token [REDACTED] and [REDACTED]");
  });

  it.each([
    ["a", "a password"],
    ["password", "the password was wrong"],
    ["12345678", "rule 123456789 at 12345678"],
    ["elasticsearch", "elasticsearch answered"],
  ])("never garbles ordinary text for the trivial password %j", (password, text) => {
    expect(redactor({ kind: "basic", username: "u", password })(text)).toBe(text);
  });

  it("hides a distinctive password raw, URL-encoded and JSON-escaped", () => {
    const password = 'Pa55"w/rd';
    const redact = redactor({ kind: "basic", username: "u", password });
    expect(redact(`raw ${password} url ${encodeURIComponent(password)}`)).toBe(
      "raw [REDACTED] url [REDACTED]",
    );
    expect(redact(JSON.stringify({ message: `got ${password}` }))).toBe('{"message":"got [REDACTED]"}');
  });

  it("hides the API key, its header, and the secret half of the decoded id:key", () => {
    const apiKey = b64("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw");
    const redact = redactor({ kind: "apiKey", apiKey });
    expect(redact(`ApiKey ${apiKey}`)).toBe("[REDACTED]");
    expect(redact(`key ${apiKey}.`)).toBe("key [REDACTED].");
    expect(redact("secret ui2lp2axTNmsyakw9tvNnw")).toBe("secret [REDACTED]");
    expect(redact("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw")).toBe("[REDACTED]");
  });

  it("hides a secret cut short by an ellipsis, so truncated values do not leak its start", () => {
    const apiKey = b64("some-id:some-long-secret-value");
    const redact = redactor({ kind: "apiKey", apiKey });
    expect(redact(`"name": "x ApiKey ${apiKey.slice(0, 12)}…`)).toBe(`"name": "x [REDACTED]…`);
    expect(redact(`${apiKey.slice(0, 20)}…`)).toBe("[REDACTED]…");
    expect(redact(`ApiKey ${apiKey.slice(0, 3)}…`)).toBe(`ApiKey ${apiKey.slice(0, 3)}…`);
    const basic = redactor({ kind: "basic", username: "elastic", password: "a" });
    expect(basic("user elastic:…")).toBe("user elastic:…");
  });

  it("builds from the environment without failing on incomplete or invalid credentials", () => {
    const redact = envRedactor({ DAC_KIBANA_PASSWORD: "s3cret-pw", DAC_KIBANA_API_KEY: " k\u2713ey-value " });
    expect(redact("s3cret-pw and k\u2713ey-value")).toBe("[REDACTED] and [REDACTED]");
    expect(envRedactor({})("anything")).toBe("anything");
  });
});

describe("credentialsFromEnv", () => {
  it("rejects an API key that cannot go into a header, naming the variable but not the value", () => {
    const key = "ZGFjLXRlc3Q6c2VjcmV0\u2713";
    let error: unknown;
    try {
      credentialsFromEnv({ DAC_KIBANA_API_KEY: key });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toMatch(/DAC_KIBANA_API_KEY .*cannot be sent in an HTTP header/);
    expect(message).not.toContain("ZGFj");
    expect(message).not.toMatch(/\u2713|10003|index|\b\d+\b/);
  });

  it.each(["abc def", "abc\ndef", "abc\u0000"])("rejects the API key %j", (key) => {
    expect(() => credentialsFromEnv({ DAC_KIBANA_API_KEY: key })).toThrow(ConfigurationError);
  });

  it("rejects a user name with a colon (RFC 7617), and accepts any Unicode in the password", () => {
    expect(() => credentialsFromEnv({ DAC_KIBANA_USERNAME: "a:b", DAC_KIBANA_PASSWORD: "pw" })).toThrow(
      /DAC_KIBANA_USERNAME must not contain ":"/,
    );
    expect(credentialsFromEnv({ DAC_KIBANA_USERNAME: "dac", DAC_KIBANA_PASSWORD: "p\u2713ss" })).toEqual({
      kind: "basic",
      username: "dac",
      password: "p\u2713ss",
    });
  });
});
