// Replay is bit for bit; shrinking finds small counterexamples, including one that needs a crash
// between two steps of the client (the planted split-ack bug).
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadScenario } from "../sim/world/scenario.js";
import { shrink } from "../sim/search/shrink.js";
import { runCampaign } from "../sim/search/campaign.js";
import { runWorld } from "../sim/world/world.js";
import { traceToMermaid } from "../sim/record/mermaid.js";
import { ROOT, sturdy } from "./cli-helpers.js";

describe("replay and shrink", () => {
  it("legacy's first failing lossy seed shrinks to a counterexample of at most ~10 events", async () => {
    const campaign = await runCampaign({ scenario: "lossy", design: "legacy", from: 1, count: 20, swarm: false, workers: 1 });
    const seed = campaign.firstFailingSeed!;
    const cx = (await shrink(loadScenario("lossy"), seed, { design: "legacy" }))!;
    expect(cx.result.violations.length).toBeGreaterThan(0);
    const { diagram, lines } = traceToMermaid(cx.result.trace!.events);
    expect(lines).toBeLessThanOrEqual(10);
    expect(diagram).toMatch(/^sequenceDiagram/m);
    // The shrunk run replays to the same trace.
    const again = await runWorld(loadScenario("lossy"), seed, { design: "legacy", ops: cx.ops, onlyActions: new Set(cx.actions), onlyFaults: new Set(cx.faults) });
    expect(again.traceHash).toBe(cx.result.traceHash);
  }, 60_000);

  it("a bug that needs a crash between two client steps is found by a campaign and shrunk to one crash", async () => {
    // The planted bug: rows are marked acked and the watermark advanced in two transactions.
    const campaign = await runCampaign({ scenario: "crashes", design: "outbox", from: 1, count: 60, swarm: false, plant: "split-ack", workers: 1 });
    expect(campaign.violationsByInvariant.S5).toBeGreaterThan(0);
    const cx = (await shrink(loadScenario("crashes"), campaign.firstFailingSeed!, { plant: "split-ack" }))!;
    expect(cx.faults).toEqual(["crashClient@client.ack.rows-marked#1"]);
    expect(cx.result.violations.map((v) => v.invariant)).toContain("S5");
    // Without the planted bug the same schedule is fine: the crash rolls the single transaction back.
    const fixed = await runWorld(loadScenario("crashes"), cx.seed, { ops: cx.ops, onlyActions: new Set(cx.actions), onlyFaults: new Set(cx.faults) });
    expect(fixed.violations).toEqual([]);
  }, 60_000);

  it("the writer-seq pipelining bug: its shrunk counterexample wedges the old rule, and the fixed server converges on the same decisions", async () => {
    const c = JSON.parse(readFileSync(join(ROOT, "test/corpus/writer-seq-pipelining-refused-writer.json"), "utf8"));
    const decisions = { ops: c.ops, onlyActions: new Set<number>(c.actions), onlyFaults: new Set<string>(c.faults) };
    const old = await runWorld(loadScenario(c.scenario), c.seed, { ...decisions, plant: "refuse-unknown-writer" });
    expect(old.violations.map((v) => v.invariant)).toEqual(expect.arrayContaining(c.expect.invariants));
    const fixed = await runWorld(loadScenario(c.scenario), c.seed, decisions);
    expect(fixed.violations).toEqual([]);
    expect(fixed.converged).toBe(true);
  }, 60_000);

  it("the CLI replays a seed with a stable traceHash and writes a Mermaid counterexample", () => {
    const out = join(mkdtempSync(join(tmpdir(), "sturdy-")), "cx.md");
    const args = ["replay", "--scenario", "lossy", "--design", "legacy", "--seed", "2", "--shrink", "--mermaid", out, "--json"];
    const a = sturdy(args);
    const b = sturdy(args);
    expect(a.code).toBe(1);
    expect(b.json.traceHash).toBe(a.json.traceHash);
    expect(a.json.replay).toMatch(/^npx sturdy replay --scenario lossy --design legacy --seed 2 /);
    const md = readFileSync(out, "utf8");
    expect(md).toMatch(/```mermaid\nsequenceDiagram/);
    expect(md).toMatch(/DROPPED/);
    // The printed replay command reproduces the shrunk run exactly.
    const replay = sturdy([...a.json.replay.replace(/^npx sturdy /, "").split(" "), "--json"]);
    expect(replay.json.traceHash).toBe(a.json.traceHash);
  }, 60_000);
});

describe("seed corpus (test/corpus)", () => {
  const dir = join(ROOT, "test/corpus");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    it(`${file} replays to the same trace and violations`, async () => {
      const c = JSON.parse(readFileSync(join(dir, file), "utf8"));
      const scenario = { ...loadScenario(c.scenario), ...(c.legacyServer ? { legacyServer: c.legacyServer } : {}) };
      const r = await runWorld(scenario, c.seed, {
        design: c.design, swarm: c.swarm, plant: c.plant ?? undefined, ops: c.ops ?? undefined,
        onlyActions: c.actions ? new Set(c.actions) : undefined,
        onlyFaults: c.faults ? new Set(c.faults) : undefined,
      });
      expect(r.traceHash).toBe(c.expect.traceHash);
      expect([...new Set(r.violations.map((v) => v.invariant))].sort()).toEqual(c.expect.invariants);
    });
  }
});
