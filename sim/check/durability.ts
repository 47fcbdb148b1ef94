// D1, in every `synchronous` mode and whatever the disk model says it lost: after every restart,
// what was acknowledged must still be on the node's disk. To the user, an enqueue that returned an
// op_id; to the client, an ack: the server must come back at or past every cursor it acked, and
// still know every op it acked (where its ledger can tell). What D1 finds lost is handed to C1 as
// excluded keys, so one loss is reported once, by the invariant it broke.
import type Database from "better-sqlite3";
import type { Ack } from "../../src/protocol/envelope.js";
import type { ApplyLog } from "./applies.js";
import { appliesOnDisk, ledgerKnows, shareCursor, type LedgerPolicy } from "./ledger.js";
import type { Report } from "./violations.js";
import { pluck } from "./sql.js";

export class Durability {
  /** What each writer (by node name) told its user was saved: that writer's disk must keep it. */
  private readonly enqueued = new Map<string, Set<string>>();
  private readonly acked = new Set<string>();
  private ackedCursor = 0;
  /** Ops the server applied and then lost to a power loss (an ack for one may still be in flight). */
  readonly rolledBack = new Set<string>();
  /** Ops D1 reported lost: their keys are D1's, not C1's. */
  readonly lost = new Set<string>();
  /** Ops the client held as acked when this share was created: an earlier share acked them. */
  private readonly ackedByEarlierShare = new Set<string>();

  constructor(private readonly report: Report, private readonly policy: LedgerPolicy, private readonly applies: ApplyLog) {}

  onEnqueue(opID: string, writer: string): void {
    let mine = this.enqueued.get(writer);
    if (!mine) this.enqueued.set(writer, (mine = new Set()));
    mine.add(opID);
  }

  /**
   * The writer's disk was wiped on purpose (a reinstall), once everything on it was acked: what it
   * told its user is the server's to keep now (the acks are held to that), not the new disk's.
   */
  writerReinstalled(writer: string): void {
    this.enqueued.delete(writer);
  }

  onAck(ack: Ack): void {
    for (const op of [...ack.applied, ...ack.duplicates]) {
      // Acked after a power loss took it back, and not applied again since: the ack was sent
      // before the loss and arrived after it.
      if (this.rolledBack.has(op) && !this.applies.first.has(op)) this.loseAcked([op], `the server acked ${op} after a power loss took it back`);
      else this.acked.add(op);
    }
    this.ackedCursor = Math.max(this.ackedCursor, ack.cursor);
  }

  /**
   * Returns the cursor the server came back at. What was acked is what the client's disk holds as
   * acked (when it is up), besides the acks it was seen to receive: a client that crashed right
   * after recording an ack never reported it, but it will never resend that op either.
   */
  afterServerRestart(db: Database.Database, shareID: string, clients: readonly Database.Database[]): number {
    const cursor = shareCursor(db, shareID) ?? 0;
    for (const [op, at] of appliesOnDisk(db, this.policy, shareID)) this.applies.learn(op, at);
    for (const op of this.applies.rollBackTo(cursor)) this.rolledBack.add(op);
    for (const op of this.applies.first.keys()) this.rolledBack.delete(op);
    for (const client of clients) this.learnAcksFromClient(client);
    const forgotten = [...this.acked].filter((op) => this.rolledBack.has(op) || ledgerKnows(db, this.policy, shareID, op) === false);
    if (cursor < this.ackedCursor || forgotten.length > 0) {
      this.loseAcked(forgotten, `server came back at cursor ${cursor} after acking cursor ${this.ackedCursor}; ${forgotten.length} acked op(s) gone`);
    }
    this.ackedCursor = Math.min(this.ackedCursor, cursor);
    return cursor;
  }

  /** This share replaced another (a reshare): what the client's disk holds as acked now is not its. */
  sharedAfresh(client: Database.Database): void {
    for (const op of pluck(client, "SELECT op_id FROM outbox WHERE state = 'acked'").all() as string[]) this.ackedByEarlierShare.add(op);
  }

  private learnAcksFromClient(client: Database.Database): void {
    for (const op of pluck(client, "SELECT op_id FROM outbox WHERE state = 'acked'").all() as string[]) {
      if (!this.ackedByEarlierShare.has(op)) this.acked.add(op);
    }
    // A wiped disk (a reinstalled writer, down) has no sync state yet: it has acked nothing.
    const watermark = (pluck(client, "SELECT watermark FROM sync_state WHERE id = 1").get() as number | undefined) ?? 0;
    this.ackedCursor = Math.max(this.ackedCursor, watermark);
  }

  /** The writer `writer` came back on `db`: it must still hold every op it told its user was saved. */
  afterClientRestart(db: Database.Database, writer: string): void {
    const mine = this.enqueued.get(writer);
    if (!mine) return;
    const kept = new Set(pluck(db, "SELECT op_id FROM outbox").all() as string[]);
    const gone = [...mine].filter((op) => !kept.has(op));
    if (gone.length === 0) return;
    for (const op of gone) {
      mine.delete(op);
      this.lost.add(op);
    }
    this.report("D1", "client-lost-enqueue", `the client came back without ${gone.length} enqueued op(s) the user was told were saved: ${gone.slice(0, 5).join(", ")}`);
  }

  private loseAcked(ops: string[], message: string): void {
    for (const op of ops) {
      this.acked.delete(op);
      this.lost.add(op);
    }
    this.report("D1", "server-lost-ack", `${message}${ops.length ? `: ${ops.slice(0, 5).join(", ")}` : ""}`);
  }
}
