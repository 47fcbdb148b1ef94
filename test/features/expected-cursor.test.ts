// expected_cursor: an optional optimistic precondition. The Flusher (option expectCursor) stamps
// the first op of a batch with its watermark; on a mismatch the server rejects the whole batch
// with CursorMismatch and returns its cursor, which the client adopts for its next attempt.
import { describe, expect, it } from "vitest";
import { dump, op, part, serverFixture } from "../helpers.js";
import type { Ack } from "../../src/protocol/envelope.js";
import { openDatabase } from "../../src/server/share-server.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, runUntilIdle, TestConnector, testServer } from "./harness.js";

describe("expected_cursor at the server", () => {
  it("a matching precondition applies the batch", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    await cap.appendOps([op(1, part("a", 0))]);
    const ack = (await cap.appendOps([op(2, part("b", 0), { expected_cursor: 1 }), op(3, part("c", 0))])) as Ack;
    expect(ack).toMatchObject({ cursor: 3, applied: ["w1/2", "w1/3"], rejected: [] });
  });

  it("a stale precondition rejects the whole batch, changes nothing, and returns the server's cursor", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    await cap.appendOps([op(1, part("a", 0))]);
    const before = dump(f.db);
    const ack = (await cap.appendOps([op(2, part("b", 0), { expected_cursor: 0 }), op(3, part("c", 0))])) as Ack;
    expect(ack).toMatchObject({
      cursor: 1,
      applied: [],
      duplicates: [],
      rejected: [{ op_id: "w1/2", reason: "CursorMismatch" }, { op_id: "w1/3", reason: "CursorMismatch" }],
    });
    expect(dump(f.db)).toBe(before);
  });

  it("still holds when the batch's first op is a duplicate: nothing new applies, each op is listed once", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    await cap.appendOps([op(1, part("a", 0))]);
    const ack = (await cap.appendOps([op(1, part("a", 0), { expected_cursor: 0 }), op(2, part("b", 0))])) as Ack;
    expect(ack).toMatchObject({ cursor: 1, applied: [], duplicates: ["w1/1"], rejected: [{ op_id: "w1/2", reason: "CursorMismatch" }] });
  });
});

describe("expectCursor with two writers on one share", () => {
  it("the loser of a race adopts the server's cursor and its retry succeeds; watermarks never pass the cursor nor go back", async () => {
    const clock = new VirtualClock();
    const { server, events } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    const connector = new TestConnector(() => server.main());
    const watermarks: Record<string, number[]> = { a: [], b: [] };
    const node = (owner: "a" | "b", seed: number) =>
      clientNode(openDatabase(), connector, clock, {
        owner,
        seed,
        expectCursor: true,
        onEvent: (e, outbox) => {
          if (e.kind !== "ack") return;
          const wm = outbox.watermark();
          expect(wm).toBeLessThanOrEqual(server.store.current(share.id).cursor);
          watermarks[owner]!.push(wm);
        },
      });
    const a = node("a", 1);
    const b = node("b", 2);
    a.outbox.setCredentials(share);
    b.outbox.setCredentials(share);

    const opsA = [a.outbox.enqueue(part("a", 0)), a.outbox.enqueue(part("a", 1))];
    a.flusher.kick();
    await runUntilIdle(clock);
    const opsB = [b.outbox.enqueue(part("b", 0)), b.outbox.enqueue(part("b", 1))];
    b.flusher.kick();
    await runUntilIdle(clock);
    opsA.push(a.outbox.enqueue(part("a", 2)));
    a.flusher.kick();
    await runUntilIdle(clock);

    const acks = (events: typeof a.events) => events.flatMap((e) => (e.kind === "ack" ? [e.ack] : []));
    // B's first attempt lost the race (expected 0, cursor 2), its retry expected the adopted 2.
    expect(acks(b.events).map((k) => [k.applied.length, k.rejected.map((r) => r.reason)])).toEqual([
      [0, ["CursorMismatch", "CursorMismatch"]],
      [2, []],
    ]);
    // A's third op raced B's two: same story.
    expect(acks(a.events).map((k) => k.rejected.length)).toEqual([0, 1, 0]);

    const applied = events.flatMap((e) => (e.kind === "applied" ? [e.op] : []));
    expect(applied.map((o) => o.op_id)).toEqual([...opsA.slice(0, 2), ...opsB, opsA[2]]);
    expect(applied.map((o) => o.expected_cursor)).toEqual([0, undefined, 2, undefined, 4]);
    expect(watermarks).toEqual({ a: [2, 4, 5], b: [2, 4] });
    for (const n of [a, b]) expect(n.outbox.counts()).toMatchObject({ pending: 0, in_flight: 0, failed: 0 });
  });
});
