// Restart recovery: the client crashes with rows in flight and restarts from its SQLite file; the
// server restarts from its own. Nothing is lost and nothing is applied twice.
import { afterEach, describe, expect, it } from "vitest";
import { part } from "../helpers.js";
import { foldItems } from "../../src/protocol/fold.js";
import type { SyncItem } from "../../src/protocol/items.js";
import type { ServerEvent } from "../../src/server/share-store.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, Database, runUntilIdle, tempDir, TestConnector, testServer, type WireFault } from "./harness.js";

const dirs: { cleanup(): void }[] = [];
afterEach(() => { for (const d of dirs.splice(0)) d.cleanup(); });

describe("restart recovery", () => {
  it.each<WireFault>(["lose-response", "blackhole"])(
    "client crashes with rows in flight (%s), both nodes restart from their files: nothing lost, nothing doubled",
    async (fault) => {
      const dir = tempDir();
      dirs.push(dir);
      const clock = new VirtualClock();
      const events: ServerEvent[] = [];
      let server = testServer(new Database(dir.path("server.db")), "writer-seq", events).server;
      const share = server.store.createShare("ses_1");
      const items: SyncItem[] = [];
      const enqueue = (node: ReturnType<typeof clientNode>, item: SyncItem) => { items.push(item); return node.outbox.enqueue(item); };

      let client = clientNode(new Database(dir.path("client.db")), new TestConnector(() => server.main(), () => fault), clock);
      client.outbox.setCredentials(share);
      const writer = client.outbox.writerID;
      const beforeCrash = [enqueue(client, part("a", 0)), enqueue(client, part("b", 0)), enqueue(client, part("a", 1))];
      client.flusher.kick();
      await runUntilIdle(clock, 100); // sent; the 500 ms timeout has not fired yet
      expect(client.outbox.counts()).toMatchObject({ in_flight: 3 });
      expect(events.filter((e) => e.kind === "applied")).toHaveLength(fault === "lose-response" ? 3 : 0);

      client.crash();
      server.db.close();
      server = testServer(new Database(dir.path("server.db")), "writer-seq", events).server;
      client = clientNode(new Database(dir.path("client.db")), new TestConnector(() => server.main()), clock);
      // A crash is an unclean shutdown: new ops come from a new writer (the old one's last numbers
      // might have been lost), while the rows it had minted are still sent under their own.
      expect(client.outbox.writerID).not.toBe(writer);
      expect(client.outbox.counts()).toMatchObject({ pending: 3, in_flight: 0 });
      const afterRestart = [enqueue(client, part("c", 0)), enqueue(client, part("b", 1))];
      client.flusher.kick();
      await runUntilIdle(clock);

      const applied = events.flatMap((e) => (e.kind === "applied" ? [e.op.op_id] : []));
      expect(applied).toEqual([...beforeCrash, ...afterRestart]);
      expect(server.store.snapshot(share.id)).toEqual(foldItems(items));
      expect(server.store.current(share.id).cursor).toBe(5);
      expect(client.outbox.counts()).toEqual({ pending: 0, in_flight: 0, acked: 5, failed: 0 });
      expect(client.outbox.watermark()).toBe(5);
      client.crash();
      server.db.close();
    },
  );
});
