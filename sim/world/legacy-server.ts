// The server legacy's client syncs to, when the scenario asks for today's cloudsession ("rmw"):
// src/legacy's CloudsessionServer over the node's own database, its storage scheduled by the world
// (scheduled-storage.ts). Built afresh at every boot of the server node and dropped at every crash,
// like the rest of the node's objects; its records stay on the node's disk.
import type Database from "better-sqlite3";
import type { SyncShareHandler } from "../../src/server/capabilities.js";
import type { ServerEvent, ShareStore } from "../../src/server/share-store.js";
import type { SyncItem } from "../../src/protocol/items.js";
import type { Probe } from "../../src/protocol/probe.js";
import { CloudsessionServer } from "../../src/legacy/cloudsession-server.js";
import { RECORD_SCHEMA, SqliteRecordStorage } from "../../src/legacy/record-storage.js";
import { ScheduledStorage, type StorageCall } from "./scheduled-storage.js";
import type { VirtualClock } from "./clock.js";

/** The owner of the storage's timers: a crash of the server drops them all. */
const STORAGE_OWNER = "storage";

export interface RmwParts {
  clock: VirtualClock;
  /** Virtual ms one storage call takes (seeded, or an explorer's choice). */
  latency: (kind: StorageCall["kind"]) => number;
  record: (kind: string, detail: string) => void;
  observer?: (event: ServerEvent) => void;
  probe?: Probe;
}

export class RmwLegacyServer {
  /** The records' table, part of the server node's disk from its first boot. */
  readonly schema = RECORD_SCHEMA;

  constructor(private readonly parts: RmwParts) {}

  boot(db: Database.Database, store: ShareStore): SyncShareHandler {
    const { clock, latency, record, observer, probe } = this.parts;
    const storage = new ScheduledStorage(new SqliteRecordStorage(db), clock.scoped(STORAGE_OWNER), latency, record);
    return new InFlightSyncs(new CloudsessionServer(store, storage, { observer, probe }));
  }

  /** The node crashed: the calls its storage had in flight never complete. */
  forget(): void {
    this.parts.clock.dropOwner(STORAGE_OWNER);
  }
}

/**
 * The syncs being served, with their items. A sync waiting for its read holds its items only in
 * a suspended async frame, which exploration's state key cannot see; kept here, they are state.
 */
class InFlightSyncs implements SyncShareHandler {
  readonly running: { shareID: string; items: SyncItem[] }[] = [];

  constructor(private readonly inner: CloudsessionServer) {}

  async syncShare(shareID: string, secret: string, items: SyncItem[]): Promise<{ ok: true }> {
    const call = { shareID, items };
    this.running.push(call);
    try {
      return await this.inner.syncShare(shareID, secret, items);
    } finally {
      this.running.splice(this.running.indexOf(call), 1);
    }
  }
}
