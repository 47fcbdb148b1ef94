// Outbox state transitions: pending → in_flight → acked | failed, retries keep batch and order.
import { describe, expect, it } from "vitest";
import { Outbox } from "../src/client/outbox.js";
import { openDatabase } from "../src/server/share-server.js";
import { SimRng } from "../sim/world/rng.js";
import { part } from "./helpers.js";
import type { Ack } from "../src/protocol/envelope.js";

function outbox(db = openDatabase()) {
  const box = new Outbox(db, new SimRng(3, "client"));
  box.setCredentials({ id: "share-1", secret: "s", url: "", epoch: 0 });
  return { db, box };
}

const ack = (applied: string[], extra: Partial<Ack> = {}): Ack => ({ cursor: applied.length, epoch: 0, applied, duplicates: [], rejected: [], ...extra });

describe("Outbox", () => {
  it("enqueue is durable and numbers ops gaplessly per writer", () => {
    const { db, box } = outbox();
    const ids = [0, 1, 2].map((v) => box.enqueue(part("p", v)));
    expect(ids).toEqual([1, 2, 3].map((n) => `${box.writerID}/${n}`));
    // A fresh Outbox over the same database after a clean shutdown sees the rows and the same writer.
    box.close();
    const again = new Outbox(db, new SimRng(99, "other"));
    expect(again.writerID).toBe(box.writerID);
    expect(again.rows().map((r) => [r.op_id, r.state])).toEqual(ids.map((id) => [id, "pending"]));
    expect(again.enqueue(part("p", 3))).toBe(`${box.writerID}/4`);
  });

  it("a reserved batch is in flight; a failed batch is resent with the same id and order after backoff", () => {
    const { box } = outbox();
    for (let v = 0; v < 5; v++) box.enqueue(part("p", v));
    const batch = box.reserveBatch(0, 3)!;
    expect(batch.batchID).toBe(`${box.writerID}/b1`);
    expect(batch.rows.map((r) => [r.seq, r.state])).toEqual([[0, "in_flight"], [1, "in_flight"], [2, "in_flight"]]);
    box.recordFailure(batch, "timeout", 100, false);
    expect(box.counts()).toMatchObject({ pending: 5, in_flight: 0 });
    expect(box.reserveBatch(99, 3)).toBeUndefined(); // backing off: nothing due yet
    expect(box.nextWakeAt(50)).toBe(100);
    const retry = box.reserveBatch(100, 3)!;
    expect(retry.resend).toBe(true);
    expect(retry.batchID).toBe(batch.batchID);
    expect(retry.rows.map((r) => r.op_id)).toEqual(batch.rows.map((r) => r.op_id));
    expect(retry.rows.every((r) => r.attempts === 1 && r.last_error === "timeout")).toBe(true);
  });

  it("an ack marks rows acked and advances the watermark together; the next batch follows", () => {
    const { box } = outbox();
    for (let v = 0; v < 4; v++) box.enqueue(part("p", v));
    const b1 = box.reserveBatch(0, 2)!;
    box.recordAck(b1, ack(b1.rows.map((r) => r.op_id)), 0);
    expect(box.watermark()).toBe(2);
    expect(box.counts()).toMatchObject({ acked: 2, pending: 2 });
    const b2 = box.reserveBatch(0, 2)!;
    expect(b2.batchID).toBe(`${box.writerID}/b3`);
    box.recordAck(b2, ack([], { cursor: 4, duplicates: b2.rows.map((r) => r.op_id) }), 0);
    expect(box.counts()).toMatchObject({ acked: 4, pending: 0 });
    expect(box.watermark()).toBe(4);
  });

  it("the watermark never goes back, even if an old ack arrives", () => {
    const { box } = outbox();
    box.enqueue(part("p", 0));
    const b = box.reserveBatch(0, 8)!;
    box.recordAck(b, ack([], { cursor: 7, duplicates: [b.rows[0]!.op_id] }), 0);
    box.recordAck(b, ack([], { cursor: 3 }), 0);
    expect(box.watermark()).toBe(7);
  });

  it("retryable rejections go back to pending; permanent ones fail", () => {
    const { box } = outbox();
    const a = box.enqueue(part("a", 0));
    const b = box.enqueue(part("b", 0));
    const batch = box.reserveBatch(0, 8)!;
    box.recordAck(batch, ack([], { rejected: [{ op_id: a, reason: "MissingDependency" }, { op_id: b, reason: "ReadOnly" }] }), 10);
    const rows = Object.fromEntries(box.rows().map((r) => [r.op_id, r]));
    expect(rows[a]).toMatchObject({ state: "pending", attempts: 1, next_retry_at: 10, last_error: "MissingDependency" });
    expect(rows[b]).toMatchObject({ state: "failed", last_error: "ReadOnly" });
  });

  it("after a restart, in-flight rows are pending again and resent as the same batch", () => {
    const { db, box } = outbox();
    box.enqueue(part("p", 0));
    box.enqueue(part("p", 1));
    const batch = box.reserveBatch(0, 8)!;
    const restarted = new Outbox(db, new SimRng(3, "client"));
    expect(restarted.recoverAfterRestart()).toBe(2);
    const again = restarted.reserveBatch(0, 8)!;
    expect(again.batchID).toBe(batch.batchID);
    expect(again.rows.map((r) => r.op_id)).toEqual(batch.rows.map((r) => r.op_id));
  });

  it("new credentials make rows that were backing off due now; the same credentials again change nothing", () => {
    const { box } = outbox();
    box.enqueue(part("p", 0));
    box.recordFailure(box.reserveBatch(0, 8)!, "WrongSecret", 1_000, false);
    box.setCredentials({ id: "share-1", secret: "s", url: "", epoch: 0 });
    expect(box.reserveBatch(10, 8)).toBeUndefined();
    box.setCredentials({ id: "share-1", secret: "s2", url: "", epoch: 1 });
    expect(box.nextWakeAt(10)).toBe(10);
    expect(box.reserveBatch(10, 8)).toMatchObject({ resend: true, rows: [{ attempts: 1, last_error: "WrongSecret" }] });
  });

  it("the watermark is a cursor of one share: credentials for another share start it over", () => {
    const { box } = outbox();
    box.enqueue(part("p", 0));
    const b = box.reserveBatch(0, 8)!;
    box.recordAck(b, ack(b.rows.map((r) => r.op_id), { cursor: 9 }), 0);
    box.setCredentials({ id: "share-1", secret: "s2", url: "", epoch: 1 }); // same share, revoked: keep it
    expect(box.watermark()).toBe(9);
    box.setCredentials({ id: "share-2", secret: "t", url: "", epoch: 0 });
    expect(box.watermark()).toBe(0);
  });

  it("envelopes carry the writer, the epoch they are sent under, and expected_cursor only when asked", () => {
    const { box } = outbox();
    box.enqueue(part("p", 0), ["dep/1"]);
    const row = box.reserveBatch(0, 8)!.rows[0]!;
    expect(Outbox.envelope(row, 3)).toMatchObject({ writer_id: box.writerID, writer_seq: 1, capability_epoch: 3, depends_on: ["dep/1"] });
    expect(Outbox.envelope(row, 3)).not.toHaveProperty("expected_cursor");
    expect(Outbox.envelope(row, 3, 5).expected_cursor).toBe(5);
  });
});
