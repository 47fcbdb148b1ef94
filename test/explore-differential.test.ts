// Pruning must not change what exploration finds. On micro worlds small enough to search without
// pruning, exploration WITH the visited set must reach exactly the verdicts (the sorted
// `invariant:kind` lists of the runs that reached their end, "" for a clean one) that exploration
// WITHOUT it reaches. A verdict missing from the pruned search means two states that differ in
// something that decides the future got the same key: fix sim/world/state-key.ts, not this test.
// (This test caught a key that left out the disk image of a crashed node: split-ack's S5 was
// pruned away.)
import { describe, expect, it } from "vitest";
import { loadScenario, type Scenario } from "../sim/world/scenario.js";
import { explore, verdictOf, type ExploreBounds } from "../sim/search/explore.js";
import type { RunResult } from "../sim/world/world.js";
import type { PlantName } from "../sim/plants/index.js";
import type { Design } from "../sim/world/scenario.js";

const tiny = loadScenario("tiny");
/** tiny with fewer ops (and the other overrides below): small enough to search without pruning. */
const withOps = (ops: number, base: Scenario = tiny): Scenario => ({ ...base, workload: { ...base.workload, ops } });

interface Case { name: string; scenario: Scenario; design: Design; bounds: Partial<ExploreBounds>; plant?: PlantName; expect: string[] }

const ONE_EACH = { netFaults: 1, crashes: 1 };
const CASES: Case[] = [
  { name: "outbox, 2 ops", scenario: withOps(2), design: "outbox", bounds: ONE_EACH, expect: [""] },
  { name: "planted no-dedupe", scenario: withOps(1), design: "outbox", bounds: ONE_EACH, plant: "no-dedupe", expect: ["S1:applied-twice"] },
  // S5 needs a crash between the ack's two transactions; the crashed client's disk image is its state.
  { name: "planted split-ack", scenario: withOps(1), design: "outbox", bounds: ONE_EACH, plant: "split-ack", expect: ["", "S5:acked-above-watermark"] },
  { name: "legacy, 2 ops", scenario: withOps(2), design: "legacy", bounds: ONE_EACH, expect: ["", "C1:lost"] },
  {
    // The rmw legacy server answers across steps: two syncs (1.1 s apart, past legacy's debounce)
    // whose storage reads and writes take 5 ms or 1.5 s can interleave (a lost update), and a proxy's
    // replay is served like the original but answered nowhere. The state key must see which calls
    // are waiting on storage and where their answers go (the key once missed the latter).
    name: "legacy rmw, overlapping syncs and a replay",
    scenario: {
      ...withOps(2), legacyServer: "rmw", legacyStorageMs: { min: 5, max: 1500 },
      workload: { ...tiny.workload, ops: 2, spacingMs: { min: 1100, max: 1100 } },
      faults: { ...tiny.faults, drop: 0, dropResponse: 0, reorder: 0, crashAtProbe: 0 },
    },
    design: "legacy", bounds: { netFaults: 1, crashes: 0 }, expect: ["", "C1:lost-update"],
  },
  {
    // Latencies in a range are explored as choices (min or max): their keys must hold too.
    name: "latency range", scenario: withOps(1, { ...tiny, faults: { ...tiny.faults, latency: { min: 1, max: 3 } } }), design: "outbox",
    bounds: { netFaults: 0, crashes: 1 }, expect: [""],
  },
  {
    // The socket transport keeps per-connection state (stalls, inboxes) the batch one does not.
    name: "socket", scenario: withOps(1, { ...tiny, transport: "socket", faults: { ...tiny.faults, sever: 0.1 } }), design: "outbox",
    bounds: ONE_EACH, expect: [""],
  },
];

/**
 * A run's verdict, and more of its end that the state at any point decides (when it ended, after
 * how many steps, how many applies): two states merged by mistake rarely end alike in all of these,
 * so this catches a key that misses something even when the invariants happen to agree.
 */
const outcome = (r: RunResult): string => `${verdictOf(r)} | t=${r.virtualTimeMs} steps=${r.steps} applied=${r.ops.applied}`;

describe("exploration with pruning reaches exactly the verdicts of exploration without it", () => {
  it.each(CASES)("$name", async (c) => {
    const options = { bounds: { ...c.bounds, timeLimitMs: 60_000 }, plant: c.plant, verdictOf: outcome };
    const pruned = await explore(c.scenario, c.design, { ...options, prune: true });
    const full = await explore(c.scenario, c.design, { ...options, prune: false });
    // Both searches covered their whole tree: otherwise equal verdicts would prove nothing.
    expect(full.complete).toBe(true);
    expect(pruned.complete).toBe(true);
    expect(pruned.pruned).toBeGreaterThan(0);
    expect(pruned.verdicts).toEqual(full.verdicts);
    // The verdicts include ones this world is known to have: the comparison is not vacuous.
    const invariants = full.verdicts.map((v) => v.split(" | ")[0]!);
    for (const e of c.expect) expect(invariants.some((v) => (e === "" ? v === "" : v.split(" ").includes(e)))).toBe(true);
  }, 60_000);
});
