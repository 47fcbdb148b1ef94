// A client restarting from an unclean shutdown never reuses sequence numbers (Kafka bumps the
// producer epoch). With synchronous=normal a power loss can take the last commits of the outbox,
// and with them numbers the server already applied; the restarted outbox writes as a new writer.
import { describe, expect, it } from "vitest";
import { part } from "../helpers.js";
import { Outbox } from "../../src/client/outbox.js";
import { formatOpId } from "../../src/protocol/op-id.js";
import { SturdyError } from "../../src/protocol/errors.js";
import { openDatabase } from "../../src/server/share-server.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { SimRng } from "../../sim/world/rng.js";
import { clientNode, runUntilIdle, TestConnector, testServer } from "./harness.js";

const running = (db: ReturnType<typeof openDatabase>) => db.prepare("SELECT running FROM sync_state").pluck().get();

function open(db = openDatabase(), seed = 3) {
  const box = new Outbox(db, new SimRng(seed, "client"));
  box.setCredentials({ id: "share-1", secret: "s", url: "", epoch: 0 });
  return box;
}

describe("the outbox across restarts", () => {
  it("after close() the next Outbox keeps the writer and its numbering", () => {
    const db = openDatabase();
    const box = open(db);
    expect(running(db)).toBe(1);
    box.enqueue(part("a", 0));
    box.close();
    expect(running(db)).toBe(0);
    const again = open(db, 99);
    expect(running(db)).toBe(1);
    expect(again.writerID).toBe(box.writerID);
    expect(again.enqueue(part("a", 1))).toBe(`${box.writerID}/2`);
  });

  it("without close() the next Outbox mints a new writer numbered from 1; older rows keep their op_ids and writer", () => {
    const db = openDatabase();
    const box = open(db);
    const old = [box.enqueue(part("a", 0)), box.enqueue(part("b", 0))];
    const again = open(db, 99);
    expect(again.writerID).not.toBe(box.writerID);
    const fresh = again.enqueue(part("c", 0));
    expect(fresh).toBe(`${again.writerID}/1`);
    expect(again.rows().map((r) => [r.op_id, r.writer_id, r.writer_seq])).toEqual([
      [old[0], box.writerID, 1], [old[1], box.writerID, 2], [fresh, again.writerID, 1],
    ]);
  });

  it("an rng replaying the same stream (same seed) still gets a writer id no row uses", () => {
    const db = openDatabase();
    const first = open(db, 3);
    first.enqueue(part("a", 0));
    const second = open(db, 3);
    second.enqueue(part("a", 1));
    const third = open(db, 3);
    expect(new Set([first.writerID, second.writerID, third.writerID]).size).toBe(3);
  });

  it("each row is sent under its own writer, in one batch with the new writer's rows; batch ids never repeat", () => {
    const db = openDatabase();
    const box = open(db);
    box.enqueue(part("a", 0)); // never sent before the crash
    const again = open(db, 99);
    again.enqueue(part("b", 0));
    again.enqueue(part("c", 0));
    const ids: string[] = [];
    for (let batch = again.reserveBatch(0, 1); batch; batch = again.reserveBatch(0, 1)) {
      ids.push(batch.batchID);
      const [env] = batch.rows.map((r) => Outbox.envelope(r, 0));
      expect(env!.op_id).toBe(formatOpId(env!.writer_id, env!.writer_seq));
      again.recordAck(batch, { cursor: 0, epoch: 0, applied: [env!.op_id], duplicates: [], rejected: [] }, 0);
    }
    // b1 of the old writer and b1 of the new one: the same seq, told apart by the writer.
    expect(ids).toEqual([`${box.writerID}/b1`, `${again.writerID}/b1`, `${again.writerID}/b2`]);
    const mixed = open(db, 7);
    mixed.enqueue(part("d", 0));
    const mixedAgain = open(db, 8);
    mixedAgain.enqueue(part("e", 0));
    const both = mixedAgain.reserveBatch(0, 8)!;
    expect(both.rows.map((r) => Outbox.envelope(r, 0).writer_id)).toEqual([mixed.writerID, mixedAgain.writerID]);
  });

  it("close() is final for this object: a later enqueue is a typed error and mints nothing", () => {
    const db = openDatabase();
    const box = open(db);
    box.close();
    box.close(); // idempotent
    expect(() => box.enqueue(part("a", 0))).toThrow(SturdyError);
    expect(() => box.enqueue(part("a", 0))).toThrow(/^OutboxClosed: /);
    expect(box.rows()).toEqual([]);
    expect(running(db)).toBe(0);
  });
});

/**
 * The client applies a, b (acked: the durable point), then c, which the server applies too; a
 * power loss takes c from the client's disk. The restarted client enqueues d.
 */
async function powerLossAfterSend(policy: string, pretendClean: boolean) {
  const clock = new VirtualClock();
  const { server, events } = testServer(openDatabase(), policy);
  const share = server.store.createShare("ses_1");
  const connector = new TestConnector(() => server.main());
  const client = clientNode(openDatabase(), connector, clock, { seed: 1 });
  client.outbox.setCredentials(share);
  client.outbox.enqueue(part("a", 0));
  client.outbox.enqueue(part("b", 0));
  client.flusher.kick();
  await runUntilIdle(clock);
  const durable = client.outbox.db.serialize();
  const lost = client.outbox.enqueue(part("c", 0));
  client.flusher.kick();
  await runUntilIdle(clock);
  client.crash();

  const disk = openDatabase(durable);
  if (pretendClean) disk.prepare("UPDATE sync_state SET running = 0").run(); // today's behaviour
  const reborn = clientNode(disk, connector, clock, { seed: 2 });
  const d = reborn.outbox.enqueue(part("d", 0));
  reborn.flusher.kick();
  await runUntilIdle(clock);
  const applied = events.flatMap((e) => (e.kind === "applied" ? [e.op.op_id] : []));
  const keys = server.store.snapshot(share.id).map((r) => r.key);
  return { lost, d, applied, keys, rows: reborn.outbox.rows() };
}

describe.each(["writer-seq", "permanent"])("a power loss that took commits the server had applied (%s)", (policy) => {
  it("the restarted client writes as a new writer: its new op is applied", async () => {
    const r = await powerLossAfterSend(policy, false);
    expect(r.d).not.toBe(r.lost);
    expect(r.d.endsWith("/1")).toBe(true);
    expect(r.applied).toEqual([expect.stringMatching(/\/1$/), expect.stringMatching(/\/2$/), r.lost, r.d]);
    expect(r.keys).toEqual(["part:a", "part:b", "part:c", "part:d"]);
    expect(r.rows.find((row) => row.op_id === r.d)).toMatchObject({ state: "acked" });
  });

  it("had it kept its writer, it would re-mint the lost number and d would never arrive", async () => {
    const r = await powerLossAfterSend(policy, true);
    expect(r.d).toBe(r.lost);
    expect(r.keys).not.toContain("part:d");
    // writer-seq cannot see content: the new op is acked as a duplicate, silently. The op_id
    // ledger refuses it, so at least the client knows.
    expect(r.rows.find((row) => row.op_id === r.d)).toMatchObject(policy === "writer-seq" ? { state: "acked" } : { state: "failed", last_error: "OpIdReused" });
  });
});
