// Nodes: code plus a durable SQLite database. A crash drops every JS object of the node (sessions,
// timers, queues); the database survives as its disk image. A restart rebuilds from that alone.
import type Database from "better-sqlite3";
import type { RpcStub } from "capnweb";
import { openDatabase, ShareServer } from "../src/server/share-server.js";
import type { ShareStoreOptions } from "../src/server/share-store.js";
import { Outbox } from "../src/client/outbox.js";
import { Flusher, type FlusherOptions, type FlushEvent } from "../src/client/flusher.js";
import type { Connector } from "../src/client/connector.js";
import { ShareNextClient, type LegacyEvent } from "../src/legacy/share-next.js";
import type { ShareInfo, ShareServerApi } from "../src/protocol/api.js";
import type { SyncItem } from "../src/protocol/items.js";
import type { Clock } from "../src/protocol/ports.js";
import type { ServerEndpoint } from "./endpoint.js";
import type { BatchWire } from "./batch.js";
import type { SocketWire, SocketConnection } from "./transport.js";
import { RpcSession } from "capnweb";
import type { SimRng } from "./rng.js";
import type { VirtualClock } from "./clock.js";
import type { Design } from "./scenario.js";

/** A disk: the image a restarted node opens. */
class Disk {
  private image: Buffer | undefined;
  open(): Database.Database {
    return openDatabase(this.image);
  }
  /** Everything committed so far survives (synchronous = full). */
  persist(db: Database.Database): void {
    this.image = db.serialize();
  }
}

export class ServerNode implements ServerEndpoint {
  private readonly disk = new Disk();
  private server: ShareServer | undefined;
  db: Database.Database | undefined;

  constructor(private readonly options: ShareStoreOptions) {
    this.start();
  }

  isUp(): boolean { return this.server !== undefined; }

  main(): object {
    if (!this.server) throw new Error("server is down");
    return this.server.main();
  }

  get store() {
    if (!this.server) throw new Error("server is down");
    return this.server.store;
  }

  start(): void {
    this.db = this.disk.open();
    this.server = new ShareServer(this.db, this.options);
  }

  crash(): void {
    if (!this.db) return;
    this.disk.persist(this.db);
    this.db.close();
    this.db = undefined;
    this.server = undefined;
  }
}

/** The client's way to the server over the sim's wire, batch- or socket-style. */
export class SimConnector implements Connector {
  private socket: { conn: SocketConnection; main: RpcStub<ShareServerApi> } | undefined;

  constructor(private readonly mode: "batch" | "socket", private readonly batch: BatchWire, private readonly sockets: SocketWire) {}

  main(): RpcStub<ShareServerApi> {
    if (this.mode === "batch") {
      return new RpcSession<ShareServerApi>(this.batch.openSession()).getRemoteMain();
    }
    if (!this.socket || this.socket.conn.severed) this.socket = this.sockets.connect<ShareServerApi>();
    return this.socket.main;
  }

  abort(reason: unknown): void {
    if (this.mode === "batch") this.batch.abortAll(reason);
    else this.socket?.conn.sever(`client gave up: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.socket = undefined;
  }
}

export interface ClientNodeDeps {
  design: Design;
  clock: VirtualClock;
  rng: SimRng;
  connector: () => SimConnector;
  flusher: FlusherOptions;
  onFlush: (e: FlushEvent) => void;
  onLegacy: (e: LegacyEvent) => void;
  brokenSplitAck?: boolean;
}

export const CLIENT = "client";

export class ClientNode {
  private readonly disk = new Disk();
  private db: Database.Database | undefined;
  outbox: Outbox | undefined;
  private flusher: Flusher | undefined;
  private legacy: ShareNextClient | undefined;
  private connector: SimConnector | undefined;
  private readonly clock: Clock;
  /** Legacy keeps its share record in opencode's own storage, which outlives a crash. */
  private legacyShare: ShareInfo | undefined;

  constructor(private readonly deps: ClientNodeDeps) {
    this.clock = deps.clock.scoped(CLIENT);
    this.start();
  }

  isUp(): boolean { return this.db !== undefined; }

  start(): void {
    this.db = this.disk.open();
    this.connector = this.deps.connector();
    if (this.deps.design === "legacy") {
      this.legacy = new ShareNextClient(this.connector, this.clock, this.deps.rng, this.deps.flusher.timeoutMs, this.deps.onLegacy);
      if (this.legacyShare) this.legacy.setCredentials(this.legacyShare);
      return;
    }
    this.outbox = new Outbox(this.db, this.deps.rng, { brokenSplitAck: this.deps.brokenSplitAck });
    this.outbox.recoverAfterRestart();
    this.flusher = new Flusher(this.outbox, this.connector, this.clock, this.deps.rng, this.deps.flusher, this.deps.onFlush);
    this.flusher.kick();
  }

  /** Legacy keeps credentials in memory only; the outbox keeps them durably. */
  setCredentials(share: ShareInfo): void {
    this.outbox?.setCredentials(share);
    this.legacyShare = share;
    this.legacy?.setCredentials(share);
    this.flusher?.kick();
  }

  enqueue(item: SyncItem, dependsOn: string[]): string | undefined {
    if (this.legacy) {
      this.legacy.sync(item);
      return undefined;
    }
    const opID = this.outbox!.enqueue(item, dependsOn);
    this.flusher!.kick();
    return opID;
  }

  crash(): void {
    if (!this.db) return;
    this.flusher?.stop();
    this.legacy?.stop();
    this.connector?.abort(new Error("client crashed"));
    this.deps.clock.dropOwner(CLIENT);
    this.disk.persist(this.db);
    this.db.close();
    this.db = undefined;
    this.outbox = undefined;
    this.flusher = undefined;
    this.legacy = undefined;
  }
}
