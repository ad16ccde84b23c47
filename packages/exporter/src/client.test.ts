import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@dac/kibana-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKibanaClient, type ClientOptions, type RetryEvent } from "./client.js";
import { credentialsFromEnv } from "./credentials.js";
import { ConfigurationError, KibanaRequestError } from "./errors.js";

const apiKey = "c2VjcmV0LWlkOnNlY3JldC1hcGkta2V5";
let emu: Emulator;

beforeEach(async () => {
  emu = await startEmulator({ apiKey, spaces: ["secops"] });
});
afterEach(async () => {
  await emu.close();
});

function client(overrides: Partial<ClientOptions> = {}) {
  const delays: number[] = [];
  const retries: RetryEvent[] = [];
  const c = createKibanaClient({
    url: emu.url,
    credentials: { kind: "apiKey", apiKey },
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
    onRetry: (e) => retries.push(e),
    timeoutMs: 2_000,
    ...overrides,
  });
  return { c, delays, retries };
}

const rule = (id: string) => ({
  rule_id: id,
  name: id,
  description: "d",
  type: "query",
  severity: "low",
  risk_score: 1,
});

describe("requests", () => {
  it("sends the API version, kbn-xsrf, a dac User-Agent and the API key", async () => {
    const { c } = client({ userAgent: "dac/9.9.9" });
    await c.importRules(JSON.stringify(rule("a")) + "\n", { overwrite: false });
    const [request] = emu.state.requests;
    expect(request).toMatchObject({
      method: "POST",
      path: "/api/detection_engine/rules/_import",
      query: "?overwrite=false",
      status: 200,
    });
    expect(request!.headers).toMatchObject({
      "kbn-xsrf": "true",
      "elastic-api-version": "2023-10-31",
      "user-agent": "dac/9.9.9",
    });
    expect(request!.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    await c.close();
  });

  it("defaults the User-Agent to dac/<package version>", async () => {
    const { c } = client();
    await c.readRule("nope");
    expect(emu.state.requests[0]!.headers["user-agent"]).toMatch(/^dac\/\d+\.\d+\.\d+/);
  });

  it("uses Basic auth from the environment", async () => {
    await emu.close();
    emu = await startEmulator({ basic: { username: "dac", password: "pa55word" } });
    const credentials = credentialsFromEnv({ DAC_KIBANA_USERNAME: "dac", DAC_KIBANA_PASSWORD: "pa55word" });
    const { c } = client({ credentials });
    expect(await c.readRule("nope")).toBeUndefined();
  });

  it("prefixes /s/<space> and keeps spaces apart", async () => {
    const { c } = client({ space: "secops" });
    expect(c.target).toBe(`${emu.url}/s/secops`);
    await c.importRules(JSON.stringify(rule("a")) + "\n", { overwrite: false });
    expect(emu.rules("secops").map((r) => r.rule_id)).toEqual(["a"]);
    expect(emu.rules("default")).toEqual([]);
    expect(emu.state.requests[0]!.space).toBe("secops");
  });

  it("pages through _find", async () => {
    for (let i = 0; i < 7; i++) emu.seedRule({ ...rule(`r${i}`), tags: i === 3 ? [] : ["Managed by: dac"] });
    const { c } = client();
    const pages: string[][] = [];
    for await (const page of c.findRules({ filter: 'alert.attributes.tags:"Managed by: dac"', perPage: 2 })) {
      pages.push(page.map((r) => r.rule_id));
    }
    expect(pages).toEqual([
      ["r0", "r1"],
      ["r2", "r4"],
      ["r5", "r6"],
    ]);
  });
});

describe("retries", () => {
  it.each([500, 502, 503, 504])("retries %i with exponential backoff", async (status) => {
    emu.injectFault({ type: "status", status, times: 3 });
    const { c, delays, retries } = client();
    expect(await c.readRule("nope")).toBeUndefined();
    expect(delays).toEqual([375, 750, 1500]);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(emu.state.requests.map((r) => r.status)).toEqual([status, status, status, 404]);
  });

  it("honours Retry-After on 429 (seconds and HTTP date)", async () => {
    emu.injectFault({ type: "status", status: 429, retryAfter: 7 });
    emu.injectFault({ type: "status", status: 429, retryAfter: "Thu, 01 Jan 2026 00:00:03 GMT" });
    const { c, delays } = client({ now: () => Date.parse("2026-01-01T00:00:00Z") });
    await c.readRule("nope");
    expect(delays).toEqual([7000, 3000]);
  });

  it("gives up on a Retry-After beyond the limit", async () => {
    emu.injectFault({ type: "status", status: 429, retryAfter: 3600 });
    const { c, delays } = client();
    await expect(c.readRule("nope")).rejects.toThrow(/retry after 3600s/);
    expect(delays).toEqual([]);
  });

  it("retries connection resets and timeouts", async () => {
    emu.injectFault({ type: "reset" });
    emu.injectFault({ type: "delay", ms: 500 });
    const { c, retries } = client({ timeoutMs: 150 });
    expect(await c.readRule("nope")).toBeUndefined();
    expect(retries.map((r) => r.reason)).toEqual([
      expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET|other side closed/),
      "no complete answer within 0.15s",
    ]);
  });

  it("stops after maxAttempts and reports the last failure", async () => {
    emu.injectFault({ type: "status", status: 503, times: Infinity });
    const { c, delays } = client({ retry: { maxAttempts: 3 } });
    const error = await c.readRule("nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KibanaRequestError);
    expect((error as KibanaRequestError).details).toMatchObject({ status: 503, attempts: 3 });
    expect((error as Error).message).toMatch(/answered 503.*after 3 attempts/);
    expect(delays).toHaveLength(2);
  });

  it("does not retry 4xx", async () => {
    emu.injectFault({ type: "status", status: 400 });
    const { c, delays } = client();
    await expect(c.readRule("nope")).rejects.toThrow(/answered 400/);
    expect(delays).toEqual([]);
  });
});

describe("secrets", () => {
  it("never shows the API key or password, even when Kibana echoes it", async () => {
    emu.injectFault({
      type: "status",
      status: 400,
      body: { message: `bad header ApiKey ${apiKey}`, status_code: 400 },
    });
    const { c } = client();
    const error = (await c.readRule("x").catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("[REDACTED]");
    expect(error.message).not.toContain(apiKey);
  });

  it("redacts Basic credentials in every form", async () => {
    await emu.close();
    emu = await startEmulator({ basic: { username: "dac", password: "hunter2!" } });
    const encoded = Buffer.from("dac:hunter2!").toString("base64");
    emu.injectFault({
      type: "status",
      status: 400,
      body: { message: `got hunter2! and ${encoded}`, status_code: 400 },
    });
    const { c, retries } = client({ credentials: { kind: "basic", username: "dac", password: "hunter2!" } });
    const error = (await c.readRule("x").catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`GET /api/detection_engine/rules answered 400: got [REDACTED] and [REDACTED]`);
    expect(retries).toEqual([]);
  });

  it("reports 401 as an authentication error without retrying", async () => {
    const { c, delays } = client({ credentials: { kind: "apiKey", apiKey: "wrong-key" } });
    const error = (await c.readRule("x").catch((e: unknown) => e)) as KibanaRequestError;
    expect(error.isAuthError).toBe(true);
    expect(error.message).not.toContain("wrong-key");
    expect(delays).toEqual([]);
  });
});

describe("configuration", () => {
  it.each([
    [{}, /no Kibana credentials: set DAC_KIBANA_API_KEY, or DAC_KIBANA_USERNAME and DAC_KIBANA_PASSWORD/],
    [{ DAC_KIBANA_USERNAME: "u" }, /DAC_KIBANA_PASSWORD is not set/],
    [{ DAC_KIBANA_PASSWORD: "p" }, /DAC_KIBANA_USERNAME is not set/],
  ])("rejects missing credentials %o", (env, message) => {
    expect(() => credentialsFromEnv(env)).toThrow(ConfigurationError);
    expect(() => credentialsFromEnv(env)).toThrow(message);
  });

  it("prefers the API key", () => {
    expect(
      credentialsFromEnv({ DAC_KIBANA_API_KEY: "k", DAC_KIBANA_USERNAME: "u", DAC_KIBANA_PASSWORD: "p" }),
    ).toEqual({ kind: "apiKey", apiKey: "k" });
  });

  it.each([
    ["https://user:secret@kibana.example", /must not contain credentials/],
    ["not a url", /not a valid URL/],
    ["ftp://kibana.example", /http or https/],
  ])("rejects the URL %s", (url, message) => {
    expect(() => createKibanaClient({ url, credentials: { kind: "apiKey", apiKey } })).toThrow(message);
    try {
      createKibanaClient({ url, credentials: { kind: "apiKey", apiKey } });
    } catch (e) {
      expect((e as Error).message).not.toContain("secret");
    }
  });

  it("rejects a malformed space id", () => {
    expect(() =>
      createKibanaClient({ url: emu.url, space: "Sec Ops", credentials: { kind: "apiKey", apiKey } }),
    ).toThrow(ConfigurationError);
  });
});

function opensslAvailable(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// Skipped only on a developer machine without openssl; CI installs it, so there it always runs.
describe.skipIf(!opensslAvailable() && !process.env.CI)("TLS", () => {
  it("verifies certificates, trusts --ca-cert, and skips checks only when insecure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dac-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const cert = readFileSync(join(dir, "cert.pem"));
    const tls = await startEmulator({ apiKey, tls: { key: readFileSync(join(dir, "key.pem")), cert } });
    try {
      const strict = client({ url: tls.url });
      const error = (await strict.c.readRule("x").catch((e: unknown) => e)) as KibanaRequestError;
      expect(error.message).toMatch(/TLS verification failed: pass --ca-cert/);
      expect(strict.retries).toEqual([]);
      expect(await client({ url: tls.url, caCert: cert }).c.readRule("x")).toBeUndefined();
      expect(await client({ url: tls.url, insecure: true }).c.readRule("x")).toBeUndefined();
    } finally {
      await tls.close();
    }
  });
});
