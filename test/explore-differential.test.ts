// Pruning must not change what exploration finds. On micro worlds small enough to search without
// pruning, exploration WITH the visited set must reach exactly the verdicts (the sorted
// `invariant:kind` lists of the runs that reached their end, "" for a clean one) that exploration
// WITHOUT it reaches. A verdict missing from the pruned search means two states that differ in
// something that decides the future got the same key: fix sim/state-key.ts, not this test.
// (This test caught a key that left out the disk image of a crashed node: split-ack's S5 was
// pruned away.)
import { describe, expect, it } from "vitest";
import { loadScenario, type Scenario } from "../sim/scenario.js";
import { explore, type ExploreBounds } from "../sim/explore.js";
import type { PlantName } from "../sim/plants/index.js";
import type { Design } from "../sim/scenario.js";

const tiny = loadScenario("tiny");
/** tiny with 2 ops (and the scenarios' other overrides below): searchable without pruning. */
const micro: Scenario = { ...tiny, workload: { ...tiny.workload, ops: 2 } };

interface Case { name: string; scenario: Scenario; design: Design; bounds: Partial<ExploreBounds>; plant?: PlantName; expect: string[] }

const CASES: Case[] = [
  { name: "outbox", scenario: micro, design: "outbox", bounds: { netFaults: 1, crashes: 1 }, expect: [""] },
  {
    name: "planted no-dedupe", scenario: micro, design: "outbox", bounds: { netFaults: 1, crashes: 1 }, plant: "no-dedupe",
    expect: ["S1:applied-twice"],
  },
  {
    name: "planted split-ack", scenario: micro, design: "outbox", bounds: { netFaults: 1, crashes: 1 }, plant: "split-ack",
    expect: ["S5:acked-above-watermark"],
  },
  { name: "legacy", scenario: micro, design: "legacy", bounds: { netFaults: 1, crashes: 1 }, expect: ["C1:lost"] },
  {
    // Latencies in a range are explored as choices (min or max): their keys must hold too.
    name: "latency range", scenario: { ...micro, faults: { ...micro.faults, latency: { min: 1, max: 3 } } }, design: "outbox",
    bounds: { netFaults: 0, crashes: 1 }, expect: [""],
  },
  {
    // The socket transport keeps per-connection state (stalls, inboxes) the batch one does not.
    name: "socket", scenario: { ...micro, transport: "socket", workload: { ...micro.workload, ops: 1 }, faults: { ...micro.faults, sever: 0.1 } },
    design: "outbox", bounds: { netFaults: 1, crashes: 1 }, expect: [""],
  },
];

describe("exploration with pruning reaches exactly the verdicts of exploration without it", () => {
  it.each(CASES)("$name", async (c) => {
    const options = { bounds: { ...c.bounds, timeLimitMs: 60_000 }, plant: c.plant };
    const pruned = await explore(c.scenario, c.design, { ...options, prune: true });
    const full = await explore(c.scenario, c.design, { ...options, prune: false });
    // Both searches covered their whole tree: otherwise equal verdicts would prove nothing.
    expect(full.complete).toBe(true);
    expect(pruned.complete).toBe(true);
    expect(pruned.pruned).toBeGreaterThan(0);
    expect(pruned.verdicts).toEqual(full.verdicts);
    // The verdicts are the ones this world is known to have: the comparison is not vacuous.
    for (const e of c.expect) expect(full.verdicts.some((v) => v.includes(e)) || (e === "" && full.verdicts.includes(""))).toBe(true);
  }, 60_000);
});
