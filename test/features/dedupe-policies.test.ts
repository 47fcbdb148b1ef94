// The dedupe ledger policies: what each stores, what it still recognises, and what it risks.
import { describe, expect, it } from "vitest";
import { dump, op, part, serverFixture } from "../helpers.js";
import type { Ack, Op } from "../../src/protocol/envelope.js";
import { isRetryable } from "../../src/protocol/retryable.js";
import { errorCode } from "../../src/protocol/errors.js";
import { openDatabase } from "../../src/server/share-server.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, runUntilIdle, TestConnector, testServer } from "./harness.js";

async function send(f: ReturnType<typeof serverFixture>, ops: Op[]): Promise<Ack> {
  return (await f.rpc.redeemShare(f.share.id, f.share.secret).appendOps(ops)) as Ack;
}
const count = (f: ReturnType<typeof serverFixture>, table: string) => f.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
const appliedTimes = (f: ReturnType<typeof serverFixture>, opID: string) =>
  f.events.filter((e) => e.kind === "applied" && e.op.op_id === opID).length;

describe.each(["permanent", "window(4)", "writer-seq"])("every policy (%s)", (policy) => {
  it("a redelivered batch applies once", async () => {
    const f = serverFixture(policy);
    const batch = [op(1, part("a", 0)), op(2, part("b", 0))];
    expect(await send(f, batch)).toMatchObject({ cursor: 2, applied: ["w1/1", "w1/2"], duplicates: [] });
    const before = dump(f.db);
    expect(await send(f, batch)).toMatchObject({ cursor: 2, applied: [], duplicates: ["w1/1", "w1/2"] });
    expect(dump(f.db)).toBe(before);
    expect(f.events.filter((e) => e.kind === "applied")).toHaveLength(2);
  });

  it("refuses an op whose op_id is not <writer_id>/<writer_seq>: the policies would disagree on what it is", async () => {
    const f = serverFixture(policy);
    const before = dump(f.db);
    const forged = op(1, part("a", 0), { op_id: "w1/7" });
    let code: string | undefined;
    try { await send(f, [forged]); } catch (e) { code = errorCode(e); }
    expect(code).toBe("MalformedOps");
    // The store guards itself too, for callers that do not come through the wire schema.
    expect(() => f.server.store.appendOps(f.share.id, 0, [forged])).toThrow(/MalformedOps/);
    expect(dump(f.db)).toBe(before);
  });
});

describe("permanent", () => {
  it("remembers every op_id forever, at one ledger row per op", async () => {
    const f = serverFixture("permanent");
    for (let i = 1; i <= 30; i++) await send(f, [op(i, part("p", i))]);
    expect((await send(f, [op(1, part("p", 1))])).duplicates).toEqual(["w1/1"]);
    expect(count(f, "op_ledger")).toBe(30);
  });
});

describe("window(N)", () => {
  it("keeps only the last N op_ids; a duplicate inside the window is caught", async () => {
    const f = serverFixture("window(4)");
    for (let i = 1; i <= 10; i++) await send(f, [op(i, part("p", i))]);
    expect(count(f, "op_ledger")).toBe(4);
    expect((await send(f, [op(7, part("p", 7))])).duplicates).toEqual(["w1/7"]);
  });

  it("a late duplicate outside the window applies a second time: the documented risk", async () => {
    const f = serverFixture("window(4)");
    for (let i = 1; i <= 10; i++) await send(f, [op(i, part("p", i))]);
    const late = await send(f, [op(2, part("p", 2))]);
    expect(late).toMatchObject({ applied: ["w1/2"], cursor: 11 });
    expect(appliedTimes(f, "w1/2")).toBe(2);
  });
});

describe("writer-seq", () => {
  it("one high-water mark per (share, writer): anything at or below it is a duplicate forever", async () => {
    const f = serverFixture("writer-seq");
    for (let i = 1; i <= 30; i++) await send(f, [op(i, part("p", i))]);
    expect((await send(f, [op(1, part("p", 1)), op(30, part("p", 30))])).duplicates).toEqual(["w1/1", "w1/30"]);
    expect(count(f, "op_ledger")).toBe(0);
    expect(f.db.prepare("SELECT writer_id, hwm FROM writer_hwm").all()).toEqual([{ writer_id: "w1", hwm: 30 }]);
  });

  it("a seq beyond hwm + 1 is rejected as WriterGap with the seq it expects, and nothing applies", async () => {
    const f = serverFixture("writer-seq");
    await send(f, [op(1, part("p", 1)), op(2, part("p", 2))]);
    const before = dump(f.db);
    const ack = await send(f, [op(4, part("p", 4))]);
    expect(ack).toMatchObject({ applied: [], rejected: [{ op_id: "w1/4", reason: "WriterGap", expected_seq: 3 }] });
    expect(dump(f.db)).toBe(before);
    expect(isRetryable("WriterGap")).toBe(true);
  });

  it("an unknown writer whose first op is not seq 1 waits as a gap behind seq 1 (retryable), never silently accepted", async () => {
    const f = serverFixture("writer-seq");
    const before = dump(f.db);
    const stranger = (seq: number) => op(seq, part("p", seq), { op_id: `w9/${seq}`, writer_id: "w9" });
    const ack = await send(f, [stranger(5), stranger(6)]);
    expect(ack).toMatchObject({ applied: [], duplicates: [], rejected: [{ op_id: "w9/5", reason: "WriterGap", expected_seq: 1 }, { op_id: "w9/6", reason: "WriterGap", expected_seq: 1 }] });
    expect(dump(f.db)).toBe(before);
    // Its first batch arrives late (it was overtaken): everything applies, in order.
    const late = await send(f, [1, 2, 3, 4].map(stranger));
    expect(late.applied).toEqual(["w9/1", "w9/2", "w9/3", "w9/4"]);
    expect((await send(f, [stranger(5), stranger(6)])).applied).toEqual(["w9/5", "w9/6"]);
  });

  it("a retryable rejection does not consume the writer's number: its later ops wait, and the retry applies them in order", async () => {
    const f = serverFixture("writer-seq");
    const batch = [op(1, part("a", 0), { depends_on: ["w2/1"] }), op(2, part("b", 0)), op(3, part("c", 0))];
    const first = await send(f, batch);
    // seq 1 was never applied, so seq 2 and 3 are a gap behind it, not a writer with a lost history.
    expect(first.rejected).toEqual([
      { op_id: "w1/1", reason: "MissingDependency", missing: ["w2/1"] },
      { op_id: "w1/2", reason: "WriterGap", expected_seq: 1 },
      { op_id: "w1/3", reason: "WriterGap", expected_seq: 1 },
    ]);
    await send(f, [op(1, part("d", 0), { op_id: "w2/1", writer_id: "w2" })]);
    expect(await send(f, batch)).toMatchObject({ applied: ["w1/1", "w1/2", "w1/3"], rejected: [] });
  });

  it("a client that lost its database mints a new writer id, and the server accepts it as a new writer", async () => {
    const clock = new VirtualClock();
    const { server, events } = testServer(openDatabase(), "writer-seq");
    const share = server.store.createShare("ses_1");
    const connector = new TestConnector(() => server.main());
    const old = clientNode(openDatabase(), connector, clock, { seed: 1 });
    old.outbox.setCredentials(share);
    old.outbox.enqueue(part("a", 0));
    old.outbox.enqueue(part("a", 1));
    old.flusher.kick();
    await runUntilIdle(clock);
    old.crash(); // an in-memory database: the disk is gone with it

    const reborn = clientNode(openDatabase(), connector, clock, { seed: 2 });
    expect(reborn.outbox.writerID).not.toBe(old.outbox.writerID);
    reborn.outbox.setCredentials(share);
    const first = reborn.outbox.enqueue(part("a", 2));
    expect(first).toBe(`${reborn.outbox.writerID}/1`);
    reborn.flusher.kick();
    await runUntilIdle(clock);
    expect(reborn.outbox.counts()).toMatchObject({ acked: 1, failed: 0 });
    expect(events.filter((e) => e.kind === "applied").map((e) => e.kind === "applied" && e.op.op_id)).toEqual([
      `${old.outbox.writerID}/1`, `${old.outbox.writerID}/2`, first,
    ]);
    expect(server.store.snapshot(share.id)).toEqual([{ key: "part:a", dup: 0, value: expect.stringContaining('"version":2') }]);
  });
});
