// Fault-point coverage: across the CI seeds every durability boundary was crashed at, and every
// message fate happened. A boundary never crashed at is a hole in the evidence, so it fails here.
import { describe, expect, it } from "vitest";
import { runCampaign } from "../sim/search/campaign.js";
import { DURABILITY_BOUNDARIES } from "../src/protocol/probe.js";

describe("coverage", () => {
  it("every durability boundary (enqueue, send, apply, ack, watermark) is crashed at", async () => {
    const s = await runCampaign({ scenario: "crashes", design: "outbox", from: 1, count: 40, swarm: false, workers: 1 });
    expect(s.failingRuns).toBe(0);
    for (const [boundary, point] of Object.entries(DURABILITY_BOUNDARIES)) {
      expect(s.coverage.probes[point]!.crashed, `${boundary} (${point}) never crashed at`).toBeGreaterThan(0);
    }
    for (const fate of ["net.drop", "net.duplicate", "net.reorder", "net.delay", "net.partition", "server.served-replay", "server.died-serving", "server.refused"]) {
      expect(s.coverage.events[fate] ?? 0, `message fate ${fate} never happened`).toBeGreaterThan(0);
    }
  }, 60_000);
});
