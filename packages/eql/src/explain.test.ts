import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { explainFilter, explainSequence, formatExplain, parse } from "./index.js";
import { ev } from "./conformance/cases.js";

const catalog = fieldCatalog({ ecs: true });

describe("explain", () => {
  it("shows which clause of an event query failed", () => {
    const q = parse('process where process.name == "cmd.exe" and user.name : "ALICE"');
    if (q.body.type !== "event") throw new Error("event");
    const node = explainFilter(
      q.body,
      { event: { category: "process" }, process: { name: "CMD.EXE" }, user: { name: "alice" } },
      { catalog },
    );
    expect(node.result).toBe(false);
    expect(formatExplain(node)).toBe(
      [
        "✗ and",
        '  ✓ event.category == "process"',
        "  ✗ and",
        '    ✗ process.name == "cmd.exe"',
        '    ✓ user.name : "ALICE"',
      ].join("\n"),
    );
  });

  it("names the step a sequence stopped at, and maxspan", () => {
    const q = parse(
      "sequence by host.id with maxspan=5s [process where true] [file where true] [network where true]",
    );
    const events = [
      ev(1, "process", "h1", "a"),
      ev(2, "file", "h1", "a"),
      ev(30, "network", "h1", "a"),
      ev(1, "process", "h2", "a"),
    ];
    const out = explainSequence(q, events, { catalog });
    const h1 = out.find((k) => JSON.stringify(k.joinKeys) === '["h1"]')!;
    expect(h1).toMatchObject({ reason: "maxspan", stoppedAtStep: 3, event: 2, events: [0, 1] });
    expect(h1.message).toContain("outside maxspan=5s");
    const h2 = out.find((k) => JSON.stringify(k.joinKeys) === '["h2"]')!;
    expect(h2).toMatchObject({ reason: "no-match", stoppedAtStep: 2 });
  });

  it("names the until event", () => {
    const q = parse("sequence by host.id [process where true] [network where true] until [file where true]");
    const out = explainSequence(
      q,
      [ev(1, "process", "h1", "a"), ev(2, "file", "h1", "a"), ev(3, "network", "h1", "a")],
      { catalog },
    );
    expect(out[0]).toMatchObject({ reason: "until", event: 1, stoppedAtStep: 2 });
  });

  it("names events as the caller asks", () => {
    const q = parse("sequence by host.id with maxspan=5s [process where true] [file where true]");
    const [h1] = explainSequence(
      q,
      [ev(1, "process", "h1", "a"), ev(30, "file", "h1", "a")],
      { catalog },
      (i) => `#${i + 1}`,
    );
    expect(h1!.message).toBe(
      'key ["h1"]: #2 matched step 2 [file where true] but falls outside maxspan=5s from the sequence\'s first event (#1)',
    );
  });

  it("counts runs", () => {
    const q = parse("sequence by host.id [process where true] with runs=3");
    const out = explainSequence(q, [ev(1, "process", "h1", "a"), ev(2, "process", "h1", "a")], { catalog });
    expect(out[0]).toMatchObject({ reason: "no-match", stoppedAtStep: 1, run: 3 });
  });
});
