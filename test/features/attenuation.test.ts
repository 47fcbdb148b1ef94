// Attenuation: readOnly() hands out a capnweb RpcTarget that reads the share (snapshot, cursor)
// and has no appendOps at all, so no call through it can change anything.
import { describe, expect, it } from "vitest";
import { fc } from "@fast-check/vitest";
import { RpcTarget } from "capnweb";
import { dump, op, part, serverFixture } from "../helpers.js";
import { ReadCap } from "../../src/server/capabilities.js";

describe("readOnly attenuation", () => {
  it("reads the same snapshot and cursor as the full capability", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    await cap.appendOps([op(1, part("a", 0)), op(2, part("b", 0))]);
    const ro = cap.readOnly();
    expect(await ro.cursor()).toBe(2);
    expect(await ro.snapshot()).toEqual(await cap.snapshot());
    expect(await ro.snapshot()).toHaveLength(2);
  });

  it("is an RpcTarget with no appendOps: calling it over RPC fails and applies nothing", async () => {
    const f = serverFixture();
    expect(new ReadCap(f.server.store, f.share.id, 0)).toBeInstanceOf(RpcTarget);
    expect("appendOps" in ReadCap.prototype).toBe(false);
    const ro = f.rpc.redeemShare(f.share.id, f.share.secret).readOnly() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const before = dump(f.db);
    await expect(ro.appendOps!([op(1, part("a", 0))])).rejects.toThrow(/appendOps/);
    expect(dump(f.db)).toBe(before);
    expect(f.events).toEqual([]);
  });

  it("property: whatever is sent through a read-only capability, nothing is ever applied", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    await cap.appendOps([op(1, part("a", 0))]);
    const ro = cap.readOnly() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const before = dump(f.db);
    const eventsBefore = f.events.length;
    const validBatch = fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }).map((seqs) => seqs.map((s) => op(s, part(`p${s}`, s))));
    const method = fc.constantFrom("appendOps", "readOnly", "syncShare", "revoke", "redeemShare", "store", "shareID", "epoch", "snapshot", "cursor");
    const args = fc.array(fc.oneof(validBatch, fc.jsonValue()), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(method, args, async (name, a) => {
        try {
          const target = ro[name];
          if (typeof target === "function") await target(...a);
        } catch { /* refusing is the point */ }
        expect(dump(f.db)).toBe(before);
        expect(f.events.length).toBe(eventsBefore);
      }),
      { numRuns: 150, seed: 7 },
    );
    // The full capability on the same session still works: the read-only one was merely powerless.
    expect(((await cap.appendOps([op(2, part("b", 0))])) as { applied: string[] }).applied).toEqual(["w1/2"]);
  });
});
