// Replay in original order, in the simulated world: every resend of a batch carries the same
// batch_id and the same ops in the same order as its first send (minus rows already acked), and
// the server applies a writer's ops in the order the user made them.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../sim/world/scenario.js";
import { runWorld } from "../sim/world/world.js";

describe("retried batches keep their id and order", () => {
  it("across 20 lossy runs with resends", async () => {
    let resends = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const r = await runWorld(loadScenario("lossy"), seed, { keepTrace: true });
      expect(r.violations).toEqual([]);
      const first = new Map<string, string[]>();
      for (const e of r.trace!.events) {
        if (e.actor !== "client" || (e.kind !== "send" && e.kind !== "resend")) continue;
        const [batch, list] = [e.detail.split(" ")[0]!, e.detail.slice(e.detail.indexOf("[") + 1, -1).split(" ")];
        if (e.kind === "send") first.set(batch, list);
        else {
          resends += 1;
          const original = first.get(batch)!;
          expect(original, `resend of unknown batch ${batch}`).toBeDefined();
          // Same ops, same relative order: a suffix-preserving subsequence of the first send.
          expect(list).toEqual(original.filter((op) => list.includes(op)));
        }
      }
    }
    expect(resends).toBeGreaterThan(10);
  });
});
