// op_id reuse (Stripe-style idempotency keys): an op_id names one op's content. The op_id ledgers
// keep a digest of it, so the same op_id with other content is refused (OpIdReused, permanent)
// instead of being acked as a duplicate that silently drops the new content.
import { describe, expect, it } from "vitest";
import { dump, op, part, serverFixture } from "../helpers.js";
import { RejectReason, type Ack, type Op } from "../../src/protocol/envelope.js";
import { isRetryable } from "../../src/protocol/retryable.js";
import { opDigest } from "../../src/server/dedupe.js";
import { openDatabase } from "../../src/server/share-server.js";
import { Outbox } from "../../src/client/outbox.js";
import { SimRng } from "../../sim/world/rng.js";

async function send(f: ReturnType<typeof serverFixture>, ops: Op[]): Promise<Ack> {
  return (await f.rpc.redeemShare(f.share.id, f.share.secret).appendOps(ops)) as Ack;
}

describe.each(["permanent", "window(8)"])("the op_id ledger (%s)", (policy) => {
  it("the same op_id with another item is rejected OpIdReused and changes nothing; the true retry is a duplicate", async () => {
    const f = serverFixture(policy);
    await send(f, [op(1, part("a", 0))]);
    const before = dump(f.db);
    const reused = await send(f, [op(1, part("a", 9))]);
    expect(reused).toEqual({ cursor: 1, epoch: 0, applied: [], duplicates: [], rejected: [{ op_id: "w1/1", reason: "OpIdReused" }] });
    expect(dump(f.db)).toBe(before);
    expect(await send(f, [op(1, part("a", 0))])).toMatchObject({ applied: [], duplicates: ["w1/1"], rejected: [] });
    expect(f.server.store.snapshot(f.share.id)).toEqual([{ key: "part:a", dup: 0, value: expect.stringContaining('"version":0') }]);
  });

  it("other depends_on is the same write (a client may drop a dependency that can never arrive)", async () => {
    const f = serverFixture(policy);
    await send(f, [op(1, part("a", 0)), op(2, part("b", 0), { depends_on: ["w1/1"] })]);
    const ack = await send(f, [op(2, part("b", 0))]);
    expect(ack).toMatchObject({ applied: [], duplicates: ["w1/2"], rejected: [] });
  });

  it("what only carries the op changes nothing: batch, seq, expected_cursor, key order of the item", async () => {
    const f = serverFixture(policy);
    await send(f, [op(1, part("a", 0))]);
    const original = op(1, part("a", 0));
    const reordered = { type: "part", data: { version: 0, text: "v0", messageID: "msg_1", id: "a" } } as Op["item"];
    const retry = { ...original, batch_id: "w1/b9", seq: 3, expected_cursor: 1, item: reordered };
    expect(await send(f, [retry])).toMatchObject({ applied: [], duplicates: ["w1/1"], rejected: [] });
  });

  it("a reused op_id does not hold back the rest of the batch", async () => {
    const f = serverFixture(policy);
    await send(f, [op(1, part("a", 0))]);
    const ack = await send(f, [op(1, part("x", 0)), op(2, part("b", 0))]);
    expect(ack).toMatchObject({ cursor: 2, applied: ["w1/2"], rejected: [{ op_id: "w1/1", reason: "OpIdReused" }] });
  });

  it("each ledger row keeps the sha256 of the op's canonical content", async () => {
    const f = serverFixture(policy);
    const applied = op(1, part("a", 0), { depends_on: [] });
    await send(f, [applied]);
    const digest = f.db.prepare("SELECT digest FROM op_ledger WHERE op_id = 'w1/1'").pluck().get();
    expect(digest).toBe(opDigest(applied));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("the limits", () => {
  it("writer-seq keeps a number, not content: a reused number is acked as a duplicate and has no effect", async () => {
    const f = serverFixture("writer-seq");
    await send(f, [op(1, part("a", 0))]);
    const before = dump(f.db);
    expect(await send(f, [op(1, part("a", 9))])).toMatchObject({ applied: [], duplicates: ["w1/1"], rejected: [] });
    expect(dump(f.db)).toBe(before);
  });

  it("a window forgets the digest with the op_id: past the window a reused op_id applies", async () => {
    const f = serverFixture("window(2)");
    for (let i = 1; i <= 3; i++) await send(f, [op(i, part(`p${i}`, 0))]);
    expect((await send(f, [op(1, part("p1", 9))])).applied).toEqual(["w1/1"]);
  });
});

describe("OpIdReused at the client", () => {
  it("is permanent: the row fails and is never sent again", () => {
    expect(RejectReason.options).toContain("OpIdReused");
    expect(isRetryable("OpIdReused")).toBe(false);
    const box = new Outbox(openDatabase(), new SimRng(3, "client"));
    box.setCredentials({ id: "share-1", secret: "s", url: "", epoch: 0 });
    const id = box.enqueue(part("a", 0));
    const batch = box.reserveBatch(0, 8)!;
    box.recordAck(batch, { cursor: 1, epoch: 0, applied: [], duplicates: [], rejected: [{ op_id: id, reason: "OpIdReused" }] }, 10);
    expect(box.rows()).toMatchObject([{ op_id: id, state: "failed", last_error: "OpIdReused" }]);
    expect(box.nextWakeAt(0)).toBeUndefined();
  });
});
