// depends_on: an op whose dependency has not been applied is rejected (never applied out of order);
// once the dependency lands, a retry of the very same op applies it.
import { describe, expect, it } from "vitest";
import { dump, op, part, serverFixture } from "../helpers.js";
import type { Ack } from "../../src/protocol/envelope.js";
import { openDatabase } from "../../src/server/share-server.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, runUntilIdle, TestConnector, testServer } from "./harness.js";

const appliedIDs = (events: { kind: string; op?: { op_id: string } }[]) =>
  events.flatMap((e) => (e.kind === "applied" && e.op ? [e.op.op_id] : []));

describe("depends_on at the server", () => {
  it("rejects an op whose dependency is missing, changes nothing, and applies the same op once the dependency lands", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    const dependent = op(1, part("p1", 0), { depends_on: ["w2/1"] });
    const before = dump(f.db);
    const first = (await cap.appendOps([dependent])) as Ack;
    expect(first).toMatchObject({ cursor: 0, applied: [], duplicates: [], rejected: [{ op_id: "w1/1", reason: "MissingDependency" }] });
    expect(dump(f.db)).toBe(before);

    const dependency = op(1, part("p2", 0), { op_id: "w2/1", writer_id: "w2", batch_id: "w2/b1" });
    expect(((await cap.appendOps([dependency])) as Ack).applied).toEqual(["w2/1"]);
    const retry = (await cap.appendOps([dependent])) as Ack;
    expect(retry).toMatchObject({ cursor: 2, applied: ["w1/1"], rejected: [] });
    expect(appliedIDs(f.events)).toEqual(["w2/1", "w1/1"]);
  });

  it("never reorders a batch to satisfy a dependency: a dependent before its dependency is rejected", async () => {
    const f = serverFixture();
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    const a = op(1, part("a", 0));
    const b = op(2, part("b", 0), { depends_on: ["w1/1"] });
    const wrongOrder = (await cap.appendOps([b, a])) as Ack;
    expect(wrongOrder.applied).toEqual(["w1/1"]);
    expect(wrongOrder.rejected).toEqual([{ op_id: "w1/2", reason: "MissingDependency", missing: ["w1/1"] }]);
    expect(((await cap.appendOps([b])) as Ack).applied).toEqual(["w1/2"]);
    expect(appliedIDs(f.events)).toEqual(["w1/1", "w1/2"]);
  });

  it("a dependency earlier in the same batch counts", async () => {
    const f = serverFixture("writer-seq");
    const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
    const ack = (await cap.appendOps([op(1, part("a", 0)), op(2, part("b", 0), { depends_on: ["w1/1"] })])) as Ack;
    expect(ack).toMatchObject({ applied: ["w1/1", "w1/2"], rejected: [] });
  });
});

describe("depends_on through the Flusher", () => {
  it("a row rejected for a missing dependency goes back to pending and is applied on retry, after its dependency", async () => {
    const clock = new VirtualClock();
    const { server, events } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    const connector = new TestConnector(() => server.main());
    const writerA = clientNode(openDatabase(), connector, clock, { owner: "a", seed: 1 });
    const writerB = clientNode(openDatabase(), connector, clock, { owner: "b", seed: 2 });
    writerA.outbox.setCredentials(share);
    writerB.outbox.setCredentials(share);

    const dependency = writerA.outbox.enqueue(part("a", 0));
    const dependent = writerB.outbox.enqueue(part("b", 0), [dependency]);
    writerB.flusher.kick();
    await runUntilIdle(clock, 30); // B keeps retrying until the dependency lands: run only its first attempt
    expect(writerB.outbox.rows()).toMatchObject([{ op_id: dependent, state: "pending", attempts: 1, last_error: "MissingDependency" }]);
    expect(appliedIDs(events)).toEqual([]);

    writerA.flusher.kick();
    await runUntilIdle(clock);
    expect(appliedIDs(events)).toEqual([dependency, dependent]);
    expect(writerB.outbox.counts()).toMatchObject({ acked: 1, pending: 0, failed: 0 });
    const resent = writerB.events.filter((e) => e.kind === "send");
    expect(resent.length).toBeGreaterThanOrEqual(2);
    expect(resent.every((e) => e.kind === "send" && e.batchID === resent[0]!.batchID)).toBe(true);
  });
});
