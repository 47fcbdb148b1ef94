// ShareServer over a real capnweb session: dedupe, cursor, dependencies, epochs, attenuation.
import { describe, expect, it } from "vitest";
import { dump, op, part, serverFixture } from "./helpers.js";
import type { Ack } from "../src/protocol/envelope.js";

describe("appendOps dedupes by op_id and acks a monotonic cursor", () => {
  it("applies a batch once; the same batch again is all duplicates and changes nothing", async () => {
    const f = serverFixture();
    const batch = [op(1, part("p1", 0)), op(2, part("p1", 1))];
    const first = (await f.rpc.redeemShare(f.share.id, f.share.secret).appendOps(batch)) as Ack;
    expect(first).toMatchObject({ cursor: 2, applied: ["w1/1", "w1/2"], duplicates: [], rejected: [] });
    const before = dump(f.db);
    const again = (await f.rpc.redeemShare(f.share.id, f.share.secret).appendOps(batch)) as Ack;
    expect(again).toMatchObject({ cursor: 2, applied: [], duplicates: ["w1/1", "w1/2"] });
    expect(dump(f.db)).toBe(before);
    expect(f.events.filter((e) => e.kind === "applied")).toHaveLength(2);
  });

  it("the cursor counts applied ops and never decreases", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    const cursors: number[] = [];
    for (let i = 1; i <= 5; i++) cursors.push(((await cap.appendOps([op(i, part("p", i))])) as Ack).cursor);
    cursors.push(((await cap.appendOps([op(3, part("p", 3))])) as Ack).cursor);
    expect(cursors).toEqual([1, 2, 3, 4, 5, 5]);
    expect(await cap.cursor()).toBe(5);
  });

  it("window(N) forgets: a duplicate older than the window applies again (the risk the report measures)", async () => {
    const f = serverFixture("window(2)");
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    for (let i = 1; i <= 4; i++) await cap.appendOps([op(i, part("p", i))]);
    const late = (await cap.appendOps([op(1, part("p", 1))])) as Ack;
    expect(late.applied).toEqual(["w1/1"]);
    const recent = (await cap.appendOps([op(4, part("p", 4))])) as Ack;
    expect(recent.duplicates).toEqual(["w1/4"]);
  });

  it("permanent never forgets", async () => {
    const f = serverFixture("permanent");
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    for (let i = 1; i <= 40; i++) await cap.appendOps([op(i, part("p", i))]);
    expect(((await cap.appendOps([op(1, part("p", 1))])) as Ack).duplicates).toEqual(["w1/1"]);
  });
});
