// A lost response: the server applied the batch, the client never heard. The client times out and
// resends; the server answers "duplicate", nothing changes, and the rows are acked.
import { describe, expect, it } from "vitest";
import { dump, part } from "../helpers.js";
import { openDatabase } from "../../src/server/share-server.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, recordingMain, runUntilIdle, TestConnector, testServer, type Received } from "./harness.js";

describe("lost response", () => {
  it.each(["permanent", "window(16)", "writer-seq"])("under %s: the retry is a duplicate ack, the server state is unchanged, the rows are acked", async (policy) => {
    const clock = new VirtualClock();
    const serverDb = openDatabase();
    const { server, events } = testServer(serverDb, policy);
    const share = server.store.createShare("ses_1");
    const received: Received[] = [];
    const images: string[] = [];
    const main = () => recordingMain(server, received, () => void images.push(dump(serverDb)));
    const connector = new TestConnector(main, (n) => (n === 1 ? "lose-response" : "ok"));
    const client = clientNode(openDatabase(), connector, clock, { expectCursor: policy === "writer-seq" });
    client.outbox.setCredentials(share);

    const ops = [client.outbox.enqueue(part("p", 0)), client.outbox.enqueue(part("p", 1))];
    client.flusher.kick();
    await runUntilIdle(clock);

    expect(received.map((r) => [r.ops.map((o) => o.op_id), r.ack.applied, r.ack.duplicates])).toEqual([
      [ops, ops, []],
      [ops, [], ops],
    ]);
    expect(images[1]).toBe(images[0]); // byte for byte: the retry changed nothing
    expect(events.filter((e) => e.kind === "applied")).toHaveLength(2);
    expect(client.events.map((e) => e.kind)).toEqual(["send", "error", "send", "ack"]);
    expect(client.events[1]).toMatchObject({ kind: "error", error: expect.stringMatching(/timed out/) });
    expect(connector.aborts).toBe(1); // the dead session was torn down
    expect(client.outbox.rows().map((r) => [r.op_id, r.state])).toEqual(ops.map((id) => [id, "acked"]));
    expect(client.outbox.watermark()).toBe(2);
  });
});
