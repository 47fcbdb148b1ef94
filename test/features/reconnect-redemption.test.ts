// Reconnect redemption: the share's credentials are a sturdy ref. After a disconnect or a server
// restart, redeemShare gives back the same share with its latest cursor, and the client resumes.
import { afterEach, describe, expect, it } from "vitest";
import type { RpcStub } from "capnweb";
import { op, part } from "../helpers.js";
import type { Ack } from "../../src/protocol/envelope.js";
import type { ShareServerApi } from "../../src/protocol/api.js";
import { openDatabase } from "../../src/server/share-server.js";
import type { ServerEvent } from "../../src/server/share-store.js";
import { directPair } from "../../sim/net/direct-pair.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, Database, runUntilIdle, tempDir, TestConnector, testServer } from "./harness.js";

const dirs: { cleanup(): void }[] = [];
afterEach(() => { for (const d of dirs.splice(0)) d.cleanup(); });

function session(server: { main(): object }) {
  return directPair<ShareServerApi>(server.main()) as { main: RpcStub<ShareServerApi>; close(): void };
}

describe("reconnect redemption", () => {
  it("after a disconnect, a new session redeems the same share at its latest cursor; the old capability is dead", async () => {
    const { server } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    const first = session(server);
    const cap = first.main.redeemShare(share.id, share.secret);
    await cap.appendOps([op(1, part("a", 0)), op(2, part("b", 0)), op(3, part("c", 0))]);
    first.close();
    await expect(cap.cursor()).rejects.toThrow();

    const second = session(server);
    const again = second.main.redeemShare(share.id, share.secret);
    expect([await again.shareID(), await again.cursor(), await again.epoch()]).toEqual([share.id, 3, share.epoch]);
    expect(((await again.appendOps([op(4, part("d", 0))])) as Ack).cursor).toBe(4);
  });

  it("after a server restart from its database file: same identity, same cursor, same state, and the ledger still dedupes", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = dir.path("server.db");
    const before = testServer(new Database(path));
    const share = before.server.store.createShare("ses_1");
    const s1 = session(before.server);
    const batch = [op(1, part("a", 0)), op(2, part("b", 0))];
    await s1.main.redeemShare(share.id, share.secret).appendOps(batch);
    const snapshot = before.server.store.snapshot(share.id);
    s1.close();
    before.server.db.close(); // the process dies; only the file remains

    const after = testServer(new Database(path));
    const s2 = session(after.server);
    const cap = s2.main.redeemShare(share.id, share.secret);
    expect([await cap.shareID(), await cap.cursor(), await cap.epoch()]).toEqual([share.id, 2, 0]);
    expect(await cap.snapshot()).toEqual(snapshot);
    expect(((await cap.appendOps(batch)) as Ack)).toMatchObject({ cursor: 2, applied: [], duplicates: ["w1/1", "w1/2"] });
    after.server.db.close();
  });

  it("the client resumes after the server restarts: what was acked stays applied once, the rest follows", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = dir.path("server.db");
    const clock = new VirtualClock();
    const events: ServerEvent[] = [];
    let server = testServer(new Database(path), "writer-seq", events).server;
    const share = server.store.createShare("ses_1");
    const connector = new TestConnector(() => server.main());
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials(share);

    const early = [client.outbox.enqueue(part("a", 0)), client.outbox.enqueue(part("b", 0))];
    client.flusher.kick();
    await runUntilIdle(clock);
    expect(client.outbox.watermark()).toBe(2);

    connector.abort();
    server.db.close();
    const late = [client.outbox.enqueue(part("a", 1)), client.outbox.enqueue(part("c", 0))];
    client.flusher.kick();
    await runUntilIdle(clock, clock.now() + 300); // server down: attempts fail and back off
    expect(client.outbox.counts()).toMatchObject({ acked: 2, pending: 2 });

    server = testServer(new Database(path), "writer-seq", events).server;
    await runUntilIdle(clock);
    expect(events.flatMap((e) => (e.kind === "applied" ? [e.op.op_id] : []))).toEqual([...early, ...late]);
    expect(client.outbox.counts()).toMatchObject({ acked: 4, pending: 0, in_flight: 0, failed: 0 });
    expect(client.outbox.watermark()).toBe(4);
    expect(server.store.current(share.id).cursor).toBe(4);
    server.db.close();
  });
});
