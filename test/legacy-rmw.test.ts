// `--design legacy` against today's cloudsession server (the rmw model): a campaign finds the lost
// update, the shrinker reduces it to a handful of events, and the same decisions against sturdy's
// one-transaction syncShare lose nothing that way. The CLI names the server and carries the choice
// into the replay command it prints.
import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario } from "../sim/world/scenario.js";
import { runCampaign } from "../sim/search/campaign.js";
import { shrink } from "../sim/search/shrink.js";
import { runWorld } from "../sim/world/world.js";
import { sturdy } from "./cli-helpers.js";

const scenario = loadScenario("legacy-rmw");

describe("legacy against the rmw cloudsession model (scenario legacy-rmw)", () => {
  it("a campaign finds a lost update; it shrinks to ≤ 6 events, replays exactly, and the sync server does not lose it", async () => {
    const campaign = await runCampaign({ scenario: "legacy-rmw", design: "legacy", from: 1, count: 10, swarm: false, workers: 1 });
    expect(campaign.legacyServer).toBe("rmw");
    const found = campaign.failures.find((f) => f.message.startsWith("lost update:"));
    expect(found, JSON.stringify(campaign.failures.map((f) => f.message.slice(0, 60)))).toBeDefined();

    const cx = (await shrink(scenario, found!.seed, { design: "legacy" }))!;
    const first = cx.result.violations[0]!;
    expect(first).toMatchObject({ invariant: "C1", kind: "lost-update" });
    expect(first.message).toMatch(/^lost update: \S+ — the user's last write of it, held by the share's record \(syncCount \d+, written at step \d+\), was overwritten at step \d+ by a sync that had read the record before it was stored/);
    const events = (cx.actions?.length ?? cx.ops) + cx.faults.length;
    expect(events).toBeLessThanOrEqual(6);
    // The trace shows the storage calls the race is made of.
    const storage = cx.result.trace!.events.filter((e) => e.kind.startsWith("storage-")).map((e) => e.kind);
    expect(storage.filter((k) => k === "storage-put").length).toBeGreaterThanOrEqual(2);

    const decisions = { design: "legacy" as const, ops: cx.ops, onlyActions: new Set(cx.actions), onlyFaults: new Set(cx.faults) };
    const again = await runWorld(scenario, cx.seed, decisions);
    expect(again.traceHash).toBe(cx.result.traceHash);
    const sync = await runWorld({ ...scenario, legacyServer: "sync" }, cx.seed, decisions);
    expect(sync.legacyServer).toBe("sync");
    expect(sync.violations).toEqual([]);
  }, 60_000);

  it("the scenario schema refuses a storage latency range that runs backwards, naming the field", () => {
    expect(() => parseScenario({ name: "x", legacyStorageMs: { min: 50, max: 5 } })).toThrow(/scenario scenario: legacyStorageMs: min must not exceed max/);
    expect(() => parseScenario({ name: "x", legacyServer: "cas" })).toThrow(/legacyServer/);
    expect(parseScenario({ name: "x" })).toMatchObject({ legacyServer: "rmw", legacyStorageMs: { min: 5, max: 200 } });
  });

  it("the CLI says which server a legacy run met and repeats --legacy-server in the replay it prints", () => {
    const rmw = sturdy(["run", "--scenario", "legacy-rmw", "--design", "legacy", "--legacy-server", "rmw", "--seed", "2", "--json"]);
    expect(rmw.code).toBe(1);
    expect(rmw.stderr).toMatch(/^legacy-rmw \/ legacy against the rmw server /);
    expect(rmw.json.legacyServer).toBe("rmw");
    expect(rmw.json.violations[0].kind).toBe("lost-update");
    expect(rmw.json.replay).toBe("npx sturdy replay --scenario legacy-rmw --design legacy --legacy-server rmw --seed 2 --shrink");
    // The same seed against one transaction per sync: nothing lost.
    const sync = sturdy(["run", "--scenario", "legacy-rmw", "--design", "legacy", "--legacy-server", "sync", "--seed", "2", "--json"]);
    expect(sync.code).toBe(0);
    expect(sync.json.legacyServer).toBe("sync");
    expect(sync.json.violations).toEqual([]);
  }, 60_000);
});
