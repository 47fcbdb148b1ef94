// A retried batch is the same batch: same batch_id, same ops, same seq order, however the first
// attempt failed and whatever was enqueued meanwhile.
import { describe, expect, it } from "vitest";
import { part } from "../helpers.js";
import { openDatabase } from "../../src/server/share-server.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, recordingMain, runUntilIdle, TestConnector, testServer, type Received, type WireFault } from "./harness.js";

const FIRST_ATTEMPTS: Record<string, WireFault[]> = {
  "refused connection": ["refuse"],
  "request lost, timeout": ["blackhole"],
  "two timeouts, then a lost response": ["blackhole", "blackhole", "lose-response"],
};

describe("replay in original order", () => {
  it.each(Object.keys(FIRST_ATTEMPTS))("after %s, the retry resends the same batch in the same order", async (name) => {
    const faults = FIRST_ATTEMPTS[name]!;
    const clock = new VirtualClock();
    const { server, events } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    const received: Received[] = [];
    const connector = new TestConnector(() => recordingMain(server, received), (n) => faults[n - 1] ?? "ok");
    const client = clientNode(openDatabase(), connector, clock, { maxBatch: 3 });
    client.outbox.setCredentials(share);

    const first = [0, 1, 2].map((v) => client.outbox.enqueue(part(`p${v}`, 0)));
    client.flusher.kick();
    await runUntilIdle(clock, 0); // the first attempt is on its way
    const later = [3, 4].map((v) => client.outbox.enqueue(part(`p${v}`, 0))); // enqueued while it fails
    client.flusher.kick();
    await runUntilIdle(clock);

    const sends = client.events.flatMap((e) => (e.kind === "send" ? [e] : []));
    const batchID = sends[0]!.batchID;
    const attempts = faults.length + 1;
    expect(sends.slice(0, attempts).map((s) => [s.batchID, s.opIDs, s.resend])).toEqual(
      Array.from({ length: attempts }, (_, i) => [batchID, first, i > 0]),
    );
    // What reached the server, on every attempt that reached it: the same envelopes, seq 0, 1, 2.
    const ofFirstBatch = received.filter((r) => r.ops[0]!.batch_id === batchID);
    expect(ofFirstBatch.length).toBe(faults.filter((f) => f === "lose-response").length + 1);
    for (const r of ofFirstBatch) {
      expect(r.ops.map((o) => [o.op_id, o.batch_id, o.seq])).toEqual(first.map((id, i) => [id, batchID, i]));
    }
    // The ops enqueued meanwhile waited for a later batch of their own.
    expect(sends.at(-1)).toMatchObject({ opIDs: later, resend: false });
    expect(sends.at(-1)!.batchID).not.toBe(batchID);
    expect(events.flatMap((e) => (e.kind === "applied" ? [e.op.op_id] : []))).toEqual([...first, ...later]);
    expect(client.outbox.counts()).toMatchObject({ acked: 5, pending: 0, in_flight: 0, failed: 0 });
  });
});
