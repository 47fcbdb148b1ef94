// One honest client under load: the real Outbox and Flusher (src/client) on its own SQLite file,
// the real connector (src/runtime/connectors.ts) over HTTP batch or WebSocket, and its own share.
// It enqueues the simulator's opencode-like workload (sim/world/workload.ts) at a fixed pace, server
// up or down, and reports every enqueue and ack to the simulator's checker (sim/check/checker.ts),
// which judges it at the end from the databases and the acks alone.
import type Database from "better-sqlite3";
import { Outbox } from "../../src/client/outbox.js";
import { Flusher, type FlushEvent, type FlusherOptions } from "../../src/client/flusher.js";
import { HttpBatchConnector, WebSocketConnector } from "../../src/runtime/connectors.js";
import { openFileDatabase } from "../../src/runtime/sqlite.js";
import { SystemClock, SystemRng } from "../../src/runtime/system-clock.js";
import type { ShareInfo } from "../../src/protocol/api.js";
import type { Ack } from "../../src/protocol/envelope.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { Checker } from "../../sim/check/checker.js";

/** Each load client is its share's one writer: the name the checker files its evidence under. */
export const LOAD_WRITER = "client";
import { generateWorkload, WorkloadSpec, type Action } from "../../sim/world/workload.js";
import { SimRng } from "../../sim/world/rng.js";

export type Wire = "http-batch" | "websocket";

const FLUSHER: FlusherOptions = { maxBatch: 8, timeoutMs: 5_000, backoff: { baseMs: 50, maxMs: 1_000 }, expectCursor: false, maxInFlight: 1 };

type Enqueue = Extract<Action, { kind: "enqueue" }>;

export class LoadClient {
  readonly clock = new SystemClock();
  readonly db: Database.Database;
  readonly outbox: Outbox;
  readonly connector: HttpBatchConnector | WebSocketConnector;
  readonly flusher: Flusher;
  readonly checker = new Checker("permanent");
  /** Every item enqueued, in order (the reference model folds these). */
  readonly items: SyncItem[] = [];
  /** Every ack received, in order (judged at the end, once the applies are read off the disk). */
  /** The client's sends and acks in the order they happened: the checker pairs each ack with its call (F1). */
  readonly answers: ({ kind: "send"; batchID: string; opIDs: string[] } | { kind: "ack"; batchID: string; ack: Ack })[] = [];
  /** Enqueue → first ack, per op, in ms. */
  readonly latencies: number[] = [];
  /** Batch sent → its ack, in ms. */
  readonly roundTrips: number[] = [];
  readonly errors = new Map<string, number>();
  /** An ack whose cursor is below an earlier ack's: with one batch in flight, acks come in order. */
  ackCursorRegressions = 0;
  private readonly workload: Enqueue[];
  private readonly opIDs: string[] = [];
  private readonly enqueuedAt = new Map<string, number>();
  private readonly sentAt = new Map<string, number>();
  private lastAckCursor = 0;
  private pace: ReturnType<typeof setInterval> | undefined;

  constructor(readonly index: number, readonly wire: Wire, path: string, readonly share: ShareInfo, urls: { rpc: string; ws: string }, maxOps: number, seed: number) {
    this.db = openFileDatabase(path);
    // The product opens an outbox with synchronous=FULL: an fsync per commit, ~6 ms on this kind of
    // disk. Here 32 devices share one event loop, so their fsyncs would queue behind each other and
    // the run would measure that queue. WAL with NORMAL loses nothing when a process dies (only a
    // power cut can, which the outbox survives too: D1); no client dies in this run anyway.
    this.db.pragma("synchronous = NORMAL");
    this.outbox = new Outbox(this.db, new SystemRng());
    this.outbox.setCredentials(share);
    this.connector = wire === "http-batch" ? new HttpBatchConnector(urls.rpc, this.clock) : new WebSocketConnector(urls.ws);
    this.flusher = new Flusher(this.outbox, this.connector, this.clock, new SystemRng(), FLUSHER, (e) => this.onFlush(e));
    // Enqueued straight into the outbox, with no session model to end a turn's unfinished tool
    // calls (T1 would rightly flag them): text parts only.
    const spec = WorkloadSpec.parse({ ops: Math.min(100_000, maxOps), toolChance: 0 });
    this.workload = generateWorkload(spec, new SimRng(seed, `client-${index}`), `ses_${index}`).flatMap((a) => (a.kind === "enqueue" ? [a] : []));
  }

  get enqueued(): number {
    return this.items.length;
  }

  /** Enqueue `opsPerSecond` ops a second, in ticks of 50 ms, until stopWriting() or the workload runs out. */
  startWriting(opsPerSecond: number): void {
    const started = Date.now();
    this.pace = setInterval(() => {
      const due = Math.min(this.workload.length, Math.floor(((Date.now() - started) / 1000) * opsPerSecond));
      while (this.items.length < due) this.enqueueNext();
      this.flusher.kick();
    }, 50);
  }

  stopWriting(): void {
    clearInterval(this.pace);
  }

  /** Nothing pending or in flight. */
  drained(): boolean {
    const c = this.outbox.counts();
    return c.pending === 0 && c.in_flight === 0;
  }

  close(): void {
    this.flusher.stop();
    this.clock.clearAll();
    this.connector.close();
    this.db.close();
  }

  private enqueueNext(): void {
    const a = this.workload[this.items.length]!;
    const deps = a.dependsOn.map((d) => this.opIDs[d]!);
    const opID = this.outbox.enqueue(a.item, deps);
    this.opIDs.push(opID);
    this.items.push(a.item);
    this.enqueuedAt.set(opID, Date.now());
    this.checker.onEnqueue(opID, a.item, deps, LOAD_WRITER);
  }

  private onFlush(e: FlushEvent): void {
    const now = Date.now();
    if (e.kind === "send") {
      this.sentAt.set(e.batchID, now);
      this.answers.push({ kind: "send", batchID: e.batchID, opIDs: [...e.opIDs] });
      return;
    }
    const sent = this.sentAt.get(e.batchID);
    this.sentAt.delete(e.batchID);
    if (e.kind === "error") {
      const kind = e.error.slice(0, 60);
      this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
      return;
    }
    this.answers.push({ kind: "ack", batchID: e.batchID, ack: e.ack });
    if (sent !== undefined) this.roundTrips.push(now - sent);
    if (e.ack.cursor < this.lastAckCursor) this.ackCursorRegressions += 1;
    this.lastAckCursor = Math.max(this.lastAckCursor, e.ack.cursor);
    for (const op of [...e.ack.applied, ...e.ack.duplicates]) {
      const at = this.enqueuedAt.get(op);
      if (at === undefined) continue;
      this.latencies.push(now - at);
      this.enqueuedAt.delete(op);
    }
  }
}
