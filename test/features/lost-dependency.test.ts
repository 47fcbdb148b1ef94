// A dependency the server lost is re-sent. With synchronous=normal a server power loss can take an
// op the client already holds as acked; an op depending on it is then rejected MissingDependency.
// The rejection names what is missing, and the client sends its acked copy again (livelock fix).
import { describe, expect, it } from "vitest";
import { part } from "../helpers.js";
import { Outbox } from "../../src/client/outbox.js";
import type { Ack } from "../../src/protocol/envelope.js";
import { foldItems } from "../../src/protocol/fold.js";
import type { SyncItem } from "../../src/protocol/items.js";
import type { ServerEvent } from "../../src/server/share-store.js";
import { openDatabase, ShareServer } from "../../src/server/share-server.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { SimRng } from "../../sim/world/rng.js";
import { clientNode, recordingMain, runUntilIdle, TestConnector, testServer, type Received } from "./harness.js";

function open(probe?: (p: string) => void) {
  const box = new Outbox(openDatabase(), new SimRng(3, "client"), probe ? { probe } : {});
  box.setCredentials({ id: "share-1", secret: "s", url: "", epoch: 0 });
  return box;
}
const ack = (extra: Partial<Ack>): Ack => ({ cursor: 0, epoch: 0, applied: [], duplicates: [], rejected: [], ...extra });
const row = (box: Outbox, opID: string) => box.rows().find((r) => r.op_id === opID)!;

describe("the outbox hears that an acked op is missing", () => {
  it("the acked dependency goes back to pending, due now, with its op_id and batch; it is resent before the dependent", () => {
    const box = open();
    const a = box.enqueue(part("a", 0));
    const mate = box.enqueue(part("m", 0));
    const first = box.reserveBatch(0, 8)!;
    box.recordAck(first, ack({ cursor: 2, applied: [a, mate] }), 0);
    const b = box.enqueue(part("b", 0), [a]);
    const second = box.reserveBatch(0, 8)!;
    box.recordAck(second, ack({ cursor: 0, rejected: [{ op_id: b, reason: "MissingDependency", missing: [a] }] }), 100);

    expect(row(box, a)).toMatchObject({ state: "pending", next_retry_at: 0, batch_id: first.batchID, last_error: "LostByServer" });
    expect(row(box, mate)).toMatchObject({ state: "acked" });
    expect(row(box, b)).toMatchObject({ state: "pending", next_retry_at: 100, last_error: "MissingDependency" });
    expect(box.nextWakeAt(5)).toBe(5);

    const resend = box.reserveBatch(5, 8)!;
    expect(resend).toMatchObject({ batchID: first.batchID, resend: true });
    expect(resend.rows.map((r) => r.op_id)).toEqual([a]); // its acked batch-mate is not sent again
    box.recordAck(resend, ack({ cursor: 1, applied: [a] }), 0);
    expect(box.reserveBatch(5, 8)).toBeUndefined(); // the dependent waits out its backoff
    const retry = box.reserveBatch(100, 8)!;
    expect(retry).toMatchObject({ batchID: second.batchID, resend: true });
    expect(retry.rows.map((r) => r.op_id)).toEqual([b]);
  });

  it("only a row held as acked is reset: unknown, pending and failed rows, and rows this ack applies, are left alone", () => {
    const box = open();
    const failed = box.enqueue(part("f", 0));
    box.recordFailure(box.reserveBatch(0, 8)!, "UnknownShare", 0, true);
    const pending = box.enqueue(part("p", 0));
    const x = box.enqueue(part("x", 0));
    const y = box.enqueue(part("y", 0), [x]);
    const batch = box.reserveBatch(0, 8)!; // p, x, y
    const missing = [failed, pending, x, "w-other/1"];
    box.recordAck(batch, ack({ applied: [x], rejected: [{ op_id: pending, reason: "StaleEpoch" }, { op_id: y, reason: "MissingDependency", missing }] }), 50);
    expect([failed, pending, x, y].map((id) => [row(box, id).state, row(box, id).last_error])).toEqual([
      ["failed", "UnknownShare"], ["pending", "StaleEpoch"], ["acked", null], ["pending", "MissingDependency"],
    ]);
  });

  it("a dependency this client no longer has, or gave up on, can never arrive: the op stops depending on it", () => {
    const box = open();
    const failed = box.enqueue(part("f", 0));
    box.recordFailure(box.reserveBatch(0, 8)!, "UnknownShare", 0, true);
    const pending = box.enqueue(part("p", 0));
    const y = box.enqueue(part("y", 0), [failed, pending, "w-gone/7"]);
    const batch = box.reserveBatch(0, 8)!;
    box.recordAck(batch, ack({ applied: [pending], rejected: [{ op_id: y, reason: "MissingDependency", missing: [failed, "w-gone/7"] }] }), 50);
    expect(row(box, y)).toMatchObject({ state: "pending", depends_on: [pending] });
    expect(box.reserveBatch(50, 8)!.rows.map((r) => [r.op_id, r.depends_on])).toEqual([[y, [pending]]]);
  });

  it("the reset is part of the ack's transaction: a crash before its commit leaves the dependency acked", () => {
    let crash = false;
    const box = open((p) => { if (crash && p === "client.ack.rows-marked") throw new Error("crash"); });
    const a = box.enqueue(part("a", 0));
    box.recordAck(box.reserveBatch(0, 8)!, ack({ cursor: 1, applied: [a] }), 0);
    const b = box.enqueue(part("b", 0), [a]);
    const batch = box.reserveBatch(0, 8)!;
    crash = true;
    expect(() => box.recordAck(batch, ack({ rejected: [{ op_id: b, reason: "MissingDependency", missing: [a] }] }), 10)).toThrow("crash");
    expect([row(box, a).state, row(box, b).state]).toEqual(["acked", "in_flight"]);
    expect(box.watermark()).toBe(1);
  });
});

describe.each(["permanent", "window(16)"])("a server power loss after the ack (%s)", (policy) => {
  it("the dependent's rejection brings the lost op back; both apply, in order, and the client goes quiet", async () => {
    const clock = new VirtualClock();
    const first = testServer(openDatabase(), policy);
    let server: ShareServer = first.server;
    const share = server.store.createShare("ses_1");
    const durable = server.db.serialize(); // the server's last durable point: before any op
    const received: Received[] = [];
    const connector = new TestConnector(() => recordingMain(server, received));
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials(share);
    const items: SyncItem[] = [part("a", 0), part("b", 0)];

    const a = client.outbox.enqueue(items[0]!);
    client.flusher.kick();
    await runUntilIdle(clock);
    expect(client.outbox.rows()).toMatchObject([{ op_id: a, state: "acked" }]);

    const events: ServerEvent[] = [];
    server = testServer(openDatabase(durable), policy, events).server; // power loss: a is gone
    const b = client.outbox.enqueue(items[1]!, [a]);
    client.flusher.kick();
    await runUntilIdle(clock);

    expect(received.slice(1).map((r) => [r.ops.map((o) => o.op_id), r.ack.applied, r.ack.rejected])).toEqual([
      [[b], [], [{ op_id: b, reason: "MissingDependency", missing: [a] }]],
      [[a], [a], []],
      [[b], [b], []],
    ]);
    expect(events.flatMap((e) => (e.kind === "applied" ? [e.op.op_id] : []))).toEqual([a, b]);
    expect(server.store.snapshot(share.id)).toEqual(foldItems(items));
    expect(client.outbox.counts()).toEqual({ pending: 0, in_flight: 0, acked: 2, failed: 0 });
  });
});

describe("writer-seq: a server that lost the tail of a writer's numbers", () => {
  it("a WriterGap on w/s expecting e resets exactly w's acked rows e … s-1", () => {
    const box = open();
    const ids = [0, 1, 2, 3].map((v) => box.enqueue(part(`p${v}`, 0))); // w/1 … w/4
    box.recordAck(box.reserveBatch(0, 3)!, ack({ cursor: 3, applied: ids.slice(0, 3) }), 0);
    const batch = box.reserveBatch(0, 8)!; // w/4
    box.recordAck(batch, ack({ cursor: 1, rejected: [{ op_id: ids[3]!, reason: "WriterGap", expected_seq: 2 }] }), 100);
    expect(box.rows().map((r) => [r.writer_seq, r.state, r.next_retry_at])).toEqual([[1, "acked", 0], [2, "pending", 0], [3, "pending", 0], [4, "pending", 100]]);
    expect(box.reserveBatch(0, 8)!.rows.map((r) => r.op_id)).toEqual([ids[1], ids[2]]);
  });

  it("the lost numbers are resent, then the op behind them applies, also when it depends on them", async () => {
    const clock = new VirtualClock();
    let server: ShareServer = testServer(openDatabase(), "writer-seq").server;
    const share = server.store.createShare("ses_1");
    const connector = new TestConnector(() => server.main());
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials(share);
    const items: SyncItem[] = [part("a", 0), part("b", 0), part("c", 0)];
    const a = client.outbox.enqueue(items[0]!);
    client.flusher.kick();
    await runUntilIdle(clock);
    const durable = server.db.serialize(); // the server's last durable point: a only
    const b = client.outbox.enqueue(items[1]!);
    client.flusher.kick();
    await runUntilIdle(clock);

    const events: ServerEvent[] = [];
    server = testServer(openDatabase(durable), "writer-seq", events).server; // power loss: b is gone
    const c = client.outbox.enqueue(items[2]!, [b]);
    client.flusher.kick();
    await runUntilIdle(clock);
    expect(events.flatMap((e) => (e.kind === "applied" ? [e.op.op_id] : []))).toEqual([b, c]);
    expect(server.store.snapshot(share.id)).toEqual(foldItems(items));
    expect(client.outbox.counts()).toEqual({ pending: 0, in_flight: 0, acked: 3, failed: 0 });
    expect(a).not.toBe(b);
  });
});
