// The adversarial wire mode (sim/net/frame-adversary.ts): opt-in, so no other scenario's mix, swarm
// sample or trace moves; it really drops, repeats and reorders single frames of a live session, and
// replays bit for bit; each session it hits is accounted for by how it ended; F1 can tell a call's
// own answer from another's; and the two planted bugs of the flusher it found fail on their shrunk
// decisions while the fixed flusher converges on the very same ones.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listScenarios, loadScenario, parseScenario } from "../sim/world/scenario.js";
import { runWorld } from "../sim/world/world.js";
import { FaultMix, sampleSwarm } from "../sim/net/faults.js";
import { SimRng } from "../sim/world/rng.js";
import { frameKind, sessionEnd } from "../sim/net/frame-adversary.js";
import { AnswerChecks } from "../sim/check/answers.js";
import type { Violation } from "../sim/check/violations.js";
import type { PlantName } from "../sim/plants/index.js";
import { ROOT } from "./cli-helpers.js";

describe("the adversarial wire mode is opt-in", () => {
  it("no scenario but the adversarial ones has frame faults, and swarm never adds them", () => {
    for (const name of listScenarios()) {
      const s = loadScenario(name);
      if (name.startsWith("adversarial-")) {
        expect(s.transport).toBe("socket");
        expect(s.faults.frames).toBeDefined();
        continue;
      }
      expect(s.faults.frames, name).toBeUndefined();
      for (let seed = 1; seed <= 20; seed++) expect(sampleSwarm(new SimRng(seed, "swarm"), s.faults).frames, name).toBeUndefined();
    }
  });

  it("a mix without frames reads as it always did (no key in the run's recorded mix)", () => {
    expect(Object.keys(FaultMix.parse({}))).not.toContain("frames");
    expect(JSON.stringify(FaultMix.parse({ frames: {} }).frames)).toBe('{"drop":0,"duplicate":0,"reorder":0}');
  });

  it("swarm samples the frame faults of an adversarial scenario within its rates, some seeds with a kind off", () => {
    const base = loadScenario("adversarial-frames").faults;
    const samples = Array.from({ length: 40 }, (_, i) => sampleSwarm(new SimRng(i + 1, "swarm"), base).frames!);
    for (const f of samples) {
      expect(f.drop).toBeLessThanOrEqual(base.frames!.drop);
      expect(f.duplicate).toBeLessThanOrEqual(base.frames!.duplicate);
      expect(f.reorder).toBeLessThanOrEqual(base.frames!.reorder);
    }
    expect(samples.some((f) => f.duplicate === 0)).toBe(true);
    expect(samples.some((f) => f.duplicate > 0)).toBe(true);
  });

  it("frame faults on an HTTP-batch scenario are refused, naming the field", () => {
    expect(() => parseScenario({ name: "x", transport: "batch", faults: { frames: { drop: 0.1 } } })).toThrow(/faults\.frames: .*need transport socket/);
    expect(() => parseScenario({ name: "x", transport: "socket", faults: { frames: { drop: 0.1 } } })).not.toThrow();
  });
});

describe("the adversary", () => {
  it("drops, repeats and holds single frames while the connection stays up, and replays bit for bit", async () => {
    const scenario = loadScenario("adversarial-frames");
    const r = await runWorld(scenario, 3, { keepTrace: true });
    const kinds = (k: string) => r.trace!.events.filter((e) => e.kind === k).length;
    expect(r.faults.frames).toEqual({ dropped: kinds("frame-drop"), duplicated: kinds("frame-duplicate"), reordered: kinds("frame-reorder") });
    expect(Math.min(r.faults.frames.dropped, r.faults.frames.duplicated, r.faults.frames.reordered)).toBeGreaterThan(0);
    for (const d of r.decisions.filter((x) => x.kind.startsWith("frame"))) expect(d.id).toMatch(/^frame(Drop|Duplicate|Reorder)@(c2s|s2c)#\d+$/);
    // The connection stays up: a connection that lost a frame still carries frames after it.
    const events = r.trace!.events;
    const conn = (detail: string) => detail.split(":")[0];
    const dropThenMore = events.some((e, i) => e.kind === "frame-drop" && events.slice(i + 1).some((later) => later.kind.startsWith("frame-") && conn(later.detail) === conn(e.detail)));
    expect(dropThenMore).toBe(true);
    expect(r.violations).toEqual([]);
    const again = await runWorld(scenario, 3, { onlyFaults: new Set(r.decisions.map((d) => d.id)) });
    expect(again.traceHash).toBe(r.traceHash);
  });

  it("names capnweb's frame kinds and sorts a session's end by why it was severed", () => {
    expect(frameKind('["push",["pipeline",0,["redeemShare"]]]')).toBe("push");
    expect(frameKind('["release",3,1]')).toBe("release");
    expect(frameKind("garbage")).toBe("frame");
    expect(sessionEnd("aborted: no such export ID: 3")).toBe("capnweb-abort");
    expect(sessionEnd("client gave up: unexpected answer: not an ack (…)")).toBe("answer-refused");
    expect(sessionEnd("client gave up: timed out after 500 ms")).toBe("timed-out");
    expect(sessionEnd("client gave up: 'appendOps' is not a function.")).toBe("call-error");
    expect(sessionEnd("client gave up: client crashed")).toBe("ended-otherwise");
    expect(sessionEnd("server crashed")).toBe("ended-otherwise");
  });
});

describe("F1: a call's own answer, or another's", () => {
  const judge = (sent: string[], ack: { applied?: string[]; duplicates?: string[]; rejected?: string[] }): Violation[] => {
    const found: Violation[] = [];
    const checks = new AnswerChecks((invariant, kind, message) => void found.push({ invariant, kind, step: 0, message }));
    checks.onSend("w/b1", sent);
    checks.onAck("w/b1", {
      cursor: 1, epoch: 1, applied: ack.applied ?? [], duplicates: ack.duplicates ?? [],
      rejected: (ack.rejected ?? []).map((op_id) => ({ op_id, reason: "MissingDependency" as const })),
    });
    return found;
  };

  it("holds for an ack naming each op sent once, in any list", () => {
    expect(judge(["w/1", "w/2", "w/3"], { applied: ["w/2"], duplicates: ["w/1"], rejected: ["w/3"] })).toEqual([]);
  });

  it("fails for another batch's ack, a partial one, one naming an op twice, and an ack of a batch never sent", () => {
    expect(judge(["w/2"], { duplicates: ["w/1"] })[0]?.message).toMatch(/names w\/1 it did not send, leaves out w\/2/);
    expect(judge(["w/1", "w/2"], { applied: ["w/1"] })[0]?.invariant).toBe("F1");
    expect(judge(["w/1"], { applied: ["w/1"], duplicates: ["w/1"] })[0]?.message).toMatch(/names 1 op\(s\) twice/);
    const found: Violation[] = [];
    new AnswerChecks((invariant, kind) => void found.push({ invariant, kind, step: 0, message: "" })).onAck("w/b9", { cursor: 0, epoch: 1, applied: [], duplicates: [], rejected: [] });
    expect(found.map((v) => v.kind)).toEqual(["ack-unsent"]);
  });
});

describe("the flusher bugs the adversary found, on their shrunk decisions", () => {
  it.each<[string, PlantName, string]>([
    ["adversarial-frames-foreign-answer", "trust-any-answer", "F1"],
    ["adversarial-frames-broken-session-kept", "keep-broken-session", "L1"],
  ])("%s: the plant %s fails %s; the fixed flusher converges with no violation on the same decisions", async (file, plant, invariant) => {
    const c = JSON.parse(readFileSync(join(ROOT, "test/corpus", `${file}.json`), "utf8"));
    expect(c.plant).toBe(plant);
    const decisions = { ops: c.ops, onlyActions: new Set<number>(c.actions), onlyFaults: new Set<string>(c.faults) };
    const planted = await runWorld(loadScenario(c.scenario), c.seed, { ...decisions, plant });
    expect(planted.violations.map((v) => v.invariant)).toContain(invariant);
    const fixed = await runWorld(loadScenario(c.scenario), c.seed, decisions);
    expect(fixed.violations).toEqual([]);
    expect(fixed.converged).toBe(true);
    // The same frame faults fired: the fix refused what the plant believed, it did not dodge the fault.
    expect(fixed.decisions.map((d) => d.id).sort()).toEqual(planted.decisions.map((d) => d.id).sort());
  }, 60_000);
});
