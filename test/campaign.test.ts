// Campaigns: counts add up, shards are disjoint and merge to the whole, threads change nothing.
import { describe, expect, it } from "vitest";
import { runCampaign } from "../sim/search/campaign.js";
import { mergeSummaries } from "../sim/search/campaign-summary.js";
import { sturdy } from "./cli-helpers.js";

describe("campaign", () => {
  it("swarm samples within each scenario's fault space: crashes crash both sides and partition, power-loss loses power, lossy never crashes", async () => {
    const run = (scenario: string) => runCampaign({ scenario, design: "outbox", from: 1, count: 40, swarm: true, workers: 1 });
    const [crashes, power, lossy] = [await run("crashes"), await run("power-loss"), await run("lossy")];
    for (const s of [crashes, power, lossy]) {
      expect(s.failingRuns).toBe(0);
      expect(s.converged).toBe(40);
    }
    expect(crashes.faults.crashes.client).toBeGreaterThan(0);
    expect(crashes.faults.crashes.server).toBeGreaterThan(0);
    expect(crashes.faults.partitions).toBeGreaterThan(0);
    expect(power.faults.powerLosses).toBeGreaterThan(0);
    expect(lossy.faults.crashes).toEqual({ client: 0, server: 0 });
    expect(lossy.faults.powerLosses).toBe(0);
    expect(lossy.faults.dropped).toBeGreaterThan(0);
  }, 60_000);

  it("shards are disjoint and merge to the same counts as one run; worker threads give the same result", async () => {
    const spec = { scenario: "lossy", design: "legacy" as const, from: 1, count: 30, swarm: false };
    const whole = await runCampaign({ ...spec, workers: 1 });
    const threads = await runCampaign({ ...spec, workers: 2 });
    const a = await runCampaign({ ...spec, shard: "1/2", workers: 1 });
    const b = await runCampaign({ ...spec, shard: "2/2", workers: 1 });
    expect(a.runs + b.runs).toBe(30);
    const merged = mergeSummaries([a, b]);
    for (const s of [threads, merged]) {
      expect(s.runs).toBe(whole.runs);
      expect(s.faults).toEqual(whole.faults);
      expect(s.ops).toEqual(whole.ops);
      expect(s.violationsByInvariant).toEqual(whole.violationsByInvariant);
      expect(s.firstFailingSeed).toBe(whole.firstFailingSeed);
    }
    expect(() => mergeSummaries([a, a])).toThrow(/overlap/);
  }, 60_000);

  it("the CLI reports legacy's first failing seed and exits 1", () => {
    const r = sturdy(["campaign", "--scenario", "lossy", "--design", "legacy", "--seeds", "20", "--json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/first failing seed/); // --json: the human summary goes to stderr
    expect(r.json.firstFailingSeed).not.toBeNull();
    expect(r.json.runs).toBe(20);
    expect(sturdy(["campaign", "--scenario", "lossy", "--seeds", "5", "--shard", "3/2"]).code).toBe(2);
  }, 60_000);
});
