// Added for mutation testing (issue 6 item 5): the client's documented bounds and transitions that
// the rest of the suite left unpinned — backoff's equal-jitter bounds, the virtual-time timeout,
// which credential changes make backing-off rows due, and what a row remembers of its last failure.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "../src/client/backoff.js";
import { TimeoutError, withTimeout } from "../src/client/timeout.js";
import { Outbox } from "../src/client/outbox.js";
import { openDatabase } from "../src/server/share-server.js";
import type { Rng } from "../src/protocol/ports.js";
import { VirtualClock } from "../sim/world/clock.js";
import { SimRng } from "../sim/world/rng.js";
import { part } from "./helpers.js";

/** An rng whose next() is fixed: the backoff's one draw. */
const fixed = (r: number): Rng => ({ next: () => r, int: () => 0, chance: () => false, id: (p) => `${p}x` });

describe("backoff: exponential, capped, equal jitter", () => {
  /** The documented window for attempt n: [exp/2, exp] with exp = min(maxMs, baseMs · 2^(n-1)). */
  const window = (p: BackoffPolicy, attempts: number) => {
    const exp = Math.min(p.maxMs, p.baseMs * 2 ** (attempts - 1));
    return [Math.floor(exp / 2), exp] as const;
  };

  // Closed at the top: for an odd exp and r within one ulp of 1, exp/2 + r·exp/2 rounds to exp itself.
  it("the delay of attempt n lies in [exp/2, exp], its floor at r = 0 and its top at r → 1", () => {
    const policies = fc.record({ baseMs: fc.integer({ min: 2, max: 1_000 }), maxMs: fc.integer({ min: 2, max: 100_000 }) });
    fc.assert(fc.property(policies, fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (p, n, r) => {
      const [lo, hi] = window(p, n);
      const d = backoffDelay(p, n, fixed(r));
      expect(d).toBeGreaterThanOrEqual(lo);
      expect(d).toBeLessThanOrEqual(hi);
      expect(backoffDelay(p, n, fixed(0))).toBe(lo);
      expect(backoffDelay(p, n, fixed(0.999999))).toBe(hi - 1); // hi ≤ 100 000, so r·hi/2 misses hi/2 by less than 1
    }));
  });

  it("with the default policy: 25–50 ms on the first retry, doubling, and never more than 2 s", () => {
    const lows = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(DEFAULT_BACKOFF, n, fixed(0)));
    const highs = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(DEFAULT_BACKOFF, n, fixed(0.9999)));
    expect(lows).toEqual([25, 50, 100, 200, 400, 800, 1000, 1000]);
    expect(highs).toEqual([49, 99, 199, 399, 799, 1599, 1999, 1999]);
    // attempt 0 (never sent) waits like attempt 1
    expect(backoffDelay(DEFAULT_BACKOFF, 0, fixed(0))).toBe(25);
  });
});

describe("withTimeout on virtual time", () => {
  it("rejects with a TimeoutError naming the time once the clock passes it; a settled promise clears its timer", async () => {
    const clock = new VirtualClock();
    const c = clock.scoped("t");
    const never = withTimeout(new Promise(() => {}), 500, c);
    const done = withTimeout(Promise.resolve(7), 500, c);
    await expect(done).resolves.toBe(7);
    clock.advanceTo(499);
    expect(clock.due()).toEqual([]);
    clock.advanceTo(500);
    expect(clock.due()).toHaveLength(1); // only the pending call's timer is left
    clock.fire(clock.due()[0]!.id);
    const err = await never.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ name: "TimeoutError", message: "timed out after 500 ms" });
    expect(String(err)).toBe("TimeoutError: timed out after 500 ms");
  });
});

function outbox() {
  const box = new Outbox(openDatabase(), new SimRng(3, "client"));
  const creds = { id: "share-1", secret: "s", url: "", epoch: 0 };
  box.setCredentials(creds);
  return { box, creds };
}

describe("Outbox credentials and failures", () => {
  it.each([
    ["another share", { id: "share-2" }],
    ["a new secret", { secret: "s2" }],
    ["a new epoch", { epoch: 1 }],
  ])("%s alone makes rows that were backing off due now", (_what, change) => {
    const { box, creds } = outbox();
    box.enqueue(part("p", 0));
    box.recordFailure(box.reserveBatch(0, 8)!, "WrongSecret", 1_000, false);
    expect(box.nextWakeAt(10)).toBe(1_000);
    box.setCredentials({ ...creds, ...change });
    expect(box.nextWakeAt(10)).toBe(10);
    expect(box.reserveBatch(10, 8)).toMatchObject({ resend: true, rows: [{ attempts: 1, last_error: "WrongSecret" }] });
  });

  it("a row the ack does not mention is retried, and says why", () => {
    const { box } = outbox();
    const a = box.enqueue(part("a", 0));
    const b = box.enqueue(part("b", 0));
    const batch = box.reserveBatch(0, 8)!;
    box.recordAck(batch, { cursor: 1, epoch: 0, applied: [a], duplicates: [], rejected: [] }, 40);
    const rows = Object.fromEntries(box.rows().map((r) => [r.op_id, r]));
    expect(rows[a]).toMatchObject({ state: "acked" });
    expect(rows[b]).toMatchObject({ state: "pending", attempts: 1, next_retry_at: 40, last_error: "NotInAck" });
  });

  it("a permanent failure fails every row of the batch, and nothing is sent again", () => {
    const { box } = outbox();
    box.enqueue(part("a", 0));
    box.enqueue(part("b", 0));
    box.recordFailure(box.reserveBatch(0, 8)!, "UnknownShare", 10, true);
    expect(box.rows().map((r) => [r.state, r.attempts, r.last_error])).toEqual([["failed", 1, "UnknownShare"], ["failed", 1, "UnknownShare"]]);
    expect(box.reserveBatch(1_000_000, 8)).toBeUndefined();
    expect(box.nextWakeAt(0)).toBeUndefined();
  });
});
