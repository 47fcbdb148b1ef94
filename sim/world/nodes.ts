// Nodes: code plus a durable SQLite database. A crash drops every JS object of the node (sessions,
// timers, queues); the database survives as its disk image. A restart rebuilds from that alone.
// Crashing is two-phase: `halt` (synchronous, safe inside the node's own stack: nothing of the node
// runs again) and `finish` (at the next step boundary: the disk keeps what was durable).
import type Database from "better-sqlite3";
import { RpcSession, type RpcStub } from "capnweb";
import { ShareServer } from "../../src/server/share-server.js";
import type { ShareStoreOptions } from "../../src/server/share-store.js";
import { Outbox } from "../../src/client/outbox.js";
import { SessionStore } from "../../src/session/session-store.js";
import { Flusher, type FlusherOptions, type FlushEvent } from "../../src/client/flusher.js";
import type { Connector } from "../../src/client/connector.js";
import { ShareNextClient, type LegacyEvent } from "../../src/legacy/share-next.js";
import { LegacySink } from "../../src/legacy/legacy-sink.js";
import type { ShareSink } from "../../src/session/share-sink.js";
import { SentLog, type SentOp } from "./sent-log.js";
import type { ShareInfo, ShareServerApi } from "../../src/protocol/api.js";
import type { SyncItem } from "../../src/protocol/items.js";
import type { Clock } from "../../src/protocol/ports.js";
import { NodeCrashed, type Probe } from "../../src/protocol/probe.js";
import type { ServerEndpoint } from "../net/inbox.js";
import type { BatchWire } from "../net/batch-wire.js";
import type { SocketWire, SocketConnection } from "../net/socket-wire.js";
import type { SimRng } from "./rng.js";
import type { VirtualClock } from "./clock.js";
import type { Design } from "./scenario.js";
import { Disk, type Synchronous } from "./disk.js";
import { SERVER_SCHEMA } from "../../src/server/schema.js";
import { OUTBOX_SCHEMA } from "../../src/client/outbox-schema.js";
import type { PlantHooks } from "../plants/hooks.js";
import { ShareServerTarget, type SyncShareHandler } from "../../src/server/capabilities.js";
import type { RmwLegacyServer } from "./legacy-server.js";

/** What every node shares: a disk, a database while up, and the two-phase crash. */
abstract class DurableNode {
  readonly disk: Disk;
  /** The database as the disk and the checker see it; the product gets it through `wrap`. */
  db: Database.Database | undefined;
  private halted: Database.Database | undefined;
  /** Wraps the database the product is given (crash opportunities at every durable write). */
  wrap: ((db: Database.Database) => Database.Database) | undefined;

  constructor(synchronous: Synchronous, schema: string) {
    this.disk = new Disk(synchronous, schema);
  }

  isUp(): boolean { return this.db !== undefined; }

  /** Boot from the disk alone. */
  start(): void {
    this.db = this.disk.open();
    this.boot(this.wrap ? this.wrap(this.db) : this.db);
    // Opening is a durable point (the outbox marks itself running and fsyncs: a power loss right
    // after a restart must not roll that mark back and let it re-mint numbers).
    if (this.disk.synchronous !== "full") this.disk.checkpoint(this.db);
  }

  /** Crash, phase one: drop every JS object of the node; nothing of it runs again. */
  halt(): void {
    if (!this.db) return;
    this.forget();
    this.halted = this.db;
    this.db = undefined;
  }

  /** Crash, phase two: the disk keeps what was durable. Returns whether committed data was lost. */
  finish(powerLoss: boolean): boolean {
    const db = this.halted;
    this.halted = undefined;
    return db ? this.disk.crash(db, powerLoss) : false;
  }

  /**
   * The run is over: drop the node and give its databases up now (emptied into the pool, or
   * closed), rather than leave their native memory to GC finalizers (rss grew by hundreds of MB).
   */
  shutDown(): void {
    if (this.db) this.forget();
    for (const db of [this.db, this.halted]) if (db) this.disk.release(db);
    this.db = undefined;
    this.halted = undefined;
  }

  protected abstract boot(db: Database.Database): void;
  protected abstract forget(): void;
}

export class ServerNode extends DurableNode implements ServerEndpoint {
  private server: ShareServer | undefined;
  /** Who serves syncShare in this boot, when not the store itself (the rmw legacy server). */
  private legacyHandler: SyncShareHandler | undefined;
  private generation = 0;

  /** `legacy`: today's cloudsession server for legacy clients; absent, the store serves syncShare. */
  constructor(private readonly options: ShareStoreOptions, synchronous: Synchronous, private readonly hooks: PlantHooks = {}, private readonly legacy?: RmwLegacyServer) {
    super(synchronous, legacy ? SERVER_SCHEMA + legacy.schema : SERVER_SCHEMA);
  }

  incarnation(): number { return this.generation; }

  main(): object {
    if (!this.server) throw new Error("server is down");
    if (this.hooks.main) return this.hooks.main(this.server.store);
    return this.legacyHandler ? new ShareServerTarget(this.server.store, {}, this.legacyHandler) : this.server.main();
  }

  get store() {
    if (!this.server) throw new Error("server is down");
    return this.server.store;
  }

  protected boot(db: Database.Database): void {
    const options = this.hooks.ledger ? { ...this.options, ledger: this.hooks.ledger } : this.options;
    this.server = new ShareServer(db, options, this.hooks.createStore);
    this.legacyHandler = this.legacy?.boot(db, this.server.store);
  }

  protected forget(): void {
    this.generation += 1;
    this.server = undefined;
    this.legacyHandler = undefined;
    this.legacy?.forget();
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
  /** The node's name: "client", or "client2", … in a world of several sessions. Owns its timers. */
  name: string;
  design: Design;
  clock: VirtualClock;
  rng: SimRng;
  synchronous: Synchronous;
  connector: () => SimConnector;
  flusher: FlusherOptions;
  onFlush: (e: FlushEvent) => void;
  onLegacy: (e: LegacyEvent) => void;
  probe: Probe;
  hooks: PlantHooks;
  /** The workload's causalDeps: off, the app's ops carry no depends_on (sent-log.ts). */
  causalDeps: boolean;
}

export class ClientNode extends DurableNode {
  outbox: Outbox | undefined;
  /** The app's session model: over the outbox, or (legacy) over ShareNext's in-memory queue. */
  sessionStore: SessionStore | undefined;
  /** What the session model sent through its sink since the last take. */
  sentLog: SentLog | undefined;
  private flusher: Flusher | undefined;
  private legacy: ShareNextClient | undefined;
  private connector: SimConnector | undefined;
  private readonly clock: Clock;
  /** Legacy keeps its share record in opencode's own storage, which outlives a crash. */
  private legacyShare: ShareInfo | undefined;

  constructor(private readonly deps: ClientNodeDeps) {
    super(deps.synchronous, OUTBOX_SCHEMA);
    this.clock = deps.clock.scoped(deps.name);
  }

  protected boot(db: Database.Database): void {
    this.connector = this.deps.connector();
    if (this.deps.design === "legacy") {
      const legacy = new ShareNextClient(this.connector, this.clock, this.deps.rng, this.deps.flusher.timeoutMs, this.deps.onLegacy, this.deps.probe);
      this.legacy = legacy;
      if (this.legacyShare) legacy.setCredentials(this.legacyShare);
      this.openSessionModel(new LegacySink(db, (item) => legacy.sync(item)));
      return;
    }
    const { hooks } = this.deps;
    hooks.beforeOutboxOpens?.(db);
    const options = { probe: this.deps.probe };
    this.outbox = hooks.createOutbox ? hooks.createOutbox(db, this.deps.rng, options) : new Outbox(db, this.deps.rng, options);
    this.outbox.recoverAfterRestart();
    this.openSessionModel(this.outbox);
    const flusherArgs = [this.outbox, this.connector, this.clock, this.deps.rng, this.deps.flusher, this.deps.onFlush, this.deps.probe] as const;
    this.flusher = hooks.createFlusher ? hooks.createFlusher(...flusherArgs) : new Flusher(...flusherArgs);
    this.flusher.kick();
  }

  private openSessionModel(sink: ShareSink): void {
    this.sentLog = new SentLog(sink, this.deps.causalDeps);
    const { hooks } = this.deps;
    this.sessionStore = hooks.createSessionStore ? hooks.createSessionStore(this.sentLog) : new SessionStore(this.sentLog);
  }

  isLegacy(): boolean { return this.deps.design === "legacy"; }
  get name(): string { return this.deps.name; }

  /** Legacy keeps credentials in memory only; the outbox keeps them durably. */
  setCredentials(share: ShareInfo): void {
    this.legacyShare = share;
    this.outbox?.setCredentials(share);
    this.legacy?.setCredentials(share);
    this.flusher?.kick();
  }

  /**
   * Runs an app call against the session model; a crash inside it is an answer too. `sent`: what
   * the session model sent during the call (nothing when it crashed: nobody was told).
   */
  perform<T>(call: (store: SessionStore) => T): { value?: T; sent: SentOp[]; crashed: boolean } {
    this.sentLog?.take();
    try {
      const value = call(this.sessionStore!);
      return { value, sent: this.sentLog!.take(), crashed: false };
    } catch (e) {
      if (e instanceof NodeCrashed) return { sent: [], crashed: true };
      throw e;
    } finally {
      this.flusher?.kick();
    }
  }

  /**
   * A clean exit: the app is closed, not killed. The flusher stops and the outbox records the clean
   * shutdown (the next start may keep its writer id); legacy disposes its instance as opencode does,
   * queue and all. Then the node's objects go and its disk keeps every commit: no crash, no power
   * loss. False when a crash cut the shutdown short: the crash path (already halting) takes over.
   */
  exitCleanly(): boolean {
    try {
      this.flusher?.stop();
      this.outbox?.close();
      this.legacy?.dispose();
    } catch (e) {
      if (e instanceof NodeCrashed) return false;
      throw e;
    }
    this.halt();
    this.finish(false);
    return true;
  }

  protected forget(): void {
    this.flusher?.stop();
    this.legacy?.stop();
    this.connector?.abort(new Error("client crashed"));
    this.deps.clock.dropOwner(this.deps.name);
    this.outbox = undefined;
    this.sessionStore = undefined;
    this.sentLog = undefined;
    this.flusher = undefined;
    this.legacy = undefined;
  }
}
