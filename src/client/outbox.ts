// The durable client outbox. Every state change is one SQLite transaction, so a crash between any
// two calls leaves a state the restarted client can resume from.
import { atomic } from "../sqlite/atomic.js";
import { lazyStatements } from "../sqlite/lazy-statements.js";
import type Database from "better-sqlite3";
import type { Ack, Op } from "../protocol/envelope.js";
import { isRetryable } from "../protocol/retryable.js";
import type { ShareInfo } from "../protocol/api.js";
import type { SyncItem } from "../protocol/items.js";
import type { Rng } from "../protocol/ports.js";
import { parseOpId } from "../protocol/op-id.js";
import { SturdyError } from "../protocol/errors.js";
import { OUTBOX_SCHEMA } from "./outbox-schema.js";
import type { Probe } from "../protocol/probe.js";

export type RowState = "pending" | "in_flight" | "acked" | "failed";

export interface OutboxRow {
  position: number;
  op_id: string;
  /** The writer that minted the row; op_id is `<writer_id>/<writer_seq>`. */
  writer_id: string;
  writer_seq: number;
  batch_id: string | null;
  seq: number | null;
  depends_on: string[];
  item: SyncItem;
  state: RowState;
  attempts: number;
  next_retry_at: number;
  last_error: string | null;
}

export interface Credentials { shareID: string; secret: string; epoch: number }

export interface ReservedBatch { batchID: string; rows: OutboxRow[]; resend: boolean }

interface RawRow extends Omit<OutboxRow, "depends_on" | "item"> { depends_on: string; item: string }

export interface OutboxOptions {
  /** Crash points for the simulator; absent in production. */
  probe?: Probe;
}

export class Outbox {
  /** The writer new enqueues are minted under (rows minted before an unclean restart keep theirs). */
  readonly writerID: string;
  private readonly stmt;
  private closed = false;

  /**
   * `db` is public so that local state (src/session) can live in the same database and commit a
   * change together with its enqueue: the transactional outbox.
   */
  constructor(readonly db: Database.Database, rng: Rng, private readonly options: OutboxOptions = {}) {
    db.exec(OUTBOX_SCHEMA);
    this.writerID = openWriter(db, rng);
    this.stmt = lazyStatements({
      state: () => db.prepare("SELECT share_id, secret, epoch, watermark, next_writer_seq FROM sync_state WHERE id = 1"),
      // One statement mints and inserts: the number comes from sync_state and the outbox_mint
      // trigger consumes it, so the row and the counter can never commit apart (op-id.ts's format).
      insert: () => db.prepare(
        "INSERT INTO outbox (op_id, writer_id, writer_seq, depends_on, item, state) " +
          "SELECT writer_id || '/' || next_writer_seq, writer_id, next_writer_seq, ?, ?, 'pending' FROM sync_state WHERE id = 1 " +
          "RETURNING op_id",
      ).pluck(),
      markClosed: () => db.prepare("UPDATE sync_state SET running = 0 WHERE id = 1"),
      setCreds: () => db.prepare("UPDATE sync_state SET share_id = ?, secret = ?, epoch = ? WHERE id = 1"),
      resetWatermark: () => db.prepare("UPDATE sync_state SET watermark = 0 WHERE id = 1"),
      dueNow: () => db.prepare("UPDATE outbox SET next_retry_at = 0 WHERE state = 'pending' AND next_retry_at > 0"),
      watermark: () => db.prepare("UPDATE sync_state SET watermark = MAX(watermark, ?) WHERE id = 1"),
      // The oldest batch waiting to be resent (not the ones in flight) and when it may go; both read
      // through small indexes, so the cost does not grow with the fresh rows waiting behind it.
      openBatch: () => db.prepare(
        "SELECT batch_id, (SELECT MAX(next_retry_at) FROM outbox b WHERE b.batch_id = o.batch_id " +
          "AND b.state = 'pending') AS ready_at FROM outbox o INDEXED BY outbox_open_batches " +
          "WHERE batch_id IS NOT NULL AND state = 'pending' ORDER BY position LIMIT 1",
      ),
      // Reserving writes once per batch: an open batch goes back in flight whole, or the oldest
      // fresh rows become a batch named after its first row and numbered in position order.
      resendBatch: () => db.prepare(
        "UPDATE outbox SET state = 'in_flight' WHERE batch_id = ? AND state IN ('pending', 'in_flight') RETURNING *",
      ),
      fresh: () => db.prepare(
        "SELECT op_id, writer_id, writer_seq FROM outbox WHERE batch_id IS NULL AND state = 'pending' ORDER BY position LIMIT ?",
      ),
      // The fresh rows' op_ids in send order, as a JSON array: json_each's key is the row's seq.
      newBatch: () => db.prepare(
        "UPDATE outbox SET batch_id = ?, seq = j.key, state = 'in_flight' FROM json_each(?) AS j " +
          "WHERE outbox.op_id = j.value AND outbox.batch_id IS NULL AND outbox.state = 'pending' RETURNING *",
      ),
      // Set-based marks: a whole ack or failure is a statement per outcome, not one per row.
      markAcked: () => db.prepare("UPDATE outbox SET state = 'acked' WHERE op_id IN (SELECT value FROM json_each(?))"),
      retry: () => db.prepare(
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_retry_at = ?, last_error = ? " +
          "WHERE op_id IN (SELECT value FROM json_each(?))",
      ),
      fail: () => db.prepare(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE op_id IN (SELECT value FROM json_each(?))",
      ),
      recover: () => db.prepare("UPDATE outbox SET state = 'pending' WHERE state = 'in_flight'"),
      // Both keep batch_id and seq: the row is resent as part of its old batch (see resendLostRows).
      resendLost: () => db.prepare(
        "UPDATE outbox SET state = 'pending', next_retry_at = 0, last_error = 'LostByServer' WHERE op_id = ? AND state = 'acked'",
      ),
      resendLostRange: () => db.prepare(
        "UPDATE outbox SET state = 'pending', next_retry_at = 0, last_error = 'LostByServer' " +
          "WHERE writer_id = ? AND writer_seq >= ? AND writer_seq < ? AND state = 'acked'",
      ),
      rowState: () => db.prepare("SELECT state FROM outbox WHERE op_id = ?").pluck(),
      dropDependency: () => db.prepare(
        "UPDATE outbox SET depends_on = (SELECT json_group_array(value) FROM json_each(outbox.depends_on) WHERE value <> ?) WHERE op_id = ?",
      ),
      all: () => db.prepare("SELECT * FROM outbox ORDER BY position"),
      counts: () => db.prepare("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state"),
      progress: () => db.prepare(
        "SELECT watermark, (SELECT op_id FROM outbox WHERE state = 'acked' ORDER BY position DESC LIMIT 1) AS lastAcked " +
          "FROM sync_state WHERE id = 1",
      ),
      nextFresh: () => db.prepare("SELECT 1 FROM outbox WHERE batch_id IS NULL AND state = 'pending' LIMIT 1").pluck(),
    });
  }

  /**
   * Read on every flush, so kept in memory: only setCredentials changes them, and it refreshes the
   * copy after its commit (a crash drops this object, and the restart reads the disk again).
   */
  private cachedCredentials: Credentials | undefined | null = null;

  credentials(): Credentials | undefined {
    if (this.cachedCredentials !== null) return this.cachedCredentials;
    const s = this.stmt.state.get() as { share_id: string | null; secret: string | null; epoch: number };
    return (this.cachedCredentials = s.share_id && s.secret ? { shareID: s.share_id, secret: s.secret, epoch: s.epoch } : undefined);
  }

  /**
   * New credentials (after a revocation, say) may cure what rows are backing off from (WrongSecret,
   * StaleEpoch), so they become due now. A different share has its own cursor: the watermark of
   * the old one would make every expected_cursor precondition fail forever.
   */
  setCredentials(share: ShareInfo): void {
    this.cachedCredentials = null;
    atomic(this.db)(() => {
      const before = this.credentials();
      this.stmt.setCreds.run(share.id, share.secret, share.epoch);
      if (before && before.shareID !== share.id) this.stmt.resetWatermark.run();
      if (!before || before.shareID !== share.id || before.secret !== share.secret || before.epoch !== share.epoch) this.stmt.dueNow.run();
    });
    // Inside a caller's transaction the change may still roll back: read it again when asked.
    this.cachedCredentials = this.db.inTransaction ? null : { shareID: share.id, secret: share.secret, epoch: share.epoch };
  }

  watermark(): number {
    return (this.stmt.state.get() as { watermark: number }).watermark;
  }

  /** Durable before anything is sent: the op gets its gapless writer_seq in the same statement. */
  enqueue(item: SyncItem, dependsOn: string[] = []): string {
    if (this.closed) throw new SturdyError("OutboxClosed", "enqueue after close(): the shutdown was declared clean");
    const opID = this.stmt.insert.get(JSON.stringify(dependsOn), JSON.stringify(item)) as string;
    this.options.probe?.("client.enqueue.committed");
    return opID;
  }

  /**
   * The batch to send now: an unfinished batch is resent as it was (same batch_id, same order);
   * otherwise the oldest fresh rows become a new batch. Undefined when nothing is due.
   */
  reserveBatch(now: number, maxOps: number): ReservedBatch | undefined {
    const batch = this.reserveBatchTx(now, maxOps);
    if (batch) this.options.probe?.("client.batch.reserved");
    return batch;
  }

  /** Reads, then one write: the write alone changes state, so no transaction is needed around them. */
  private reserveBatchTx(now: number, maxOps: number): ReservedBatch | undefined {
    const open = this.stmt.openBatch.get() as { batch_id: string; ready_at: number } | undefined;
    if (open) {
      if (open.ready_at > now) return undefined;
      return { batchID: open.batch_id, rows: bySeq(this.stmt.resendBatch.all(open.batch_id) as RawRow[]), resend: true };
    }
    const fresh = this.stmt.fresh.all(maxOps) as { op_id: string; writer_id: string; writer_seq: number }[];
    if (fresh.length === 0) return undefined;
    // Named after its first row, which no other batch ever starts with: unique across writers.
    const batchID = `${fresh[0]!.writer_id}/b${fresh[0]!.writer_seq}`;
    const rows = bySeq(this.stmt.newBatch.all(batchID, JSON.stringify(fresh.map((r) => r.op_id))) as RawRow[]);
    return rows.length === 0 ? undefined : { batchID, rows, resend: false };
  }

  /**
   * Whether the outbox has moved to another share since it sent to `shareID` (a reshare): an answer
   * from the old share says nothing about the new one. Its acks must not mark rows acked (the new
   * share has not seen them) nor move the watermark (the new share's cursor is another count).
   */
  leftShare(shareID: string): boolean {
    return this.credentials()?.shareID !== shareID;
  }

  /** An answered batch whose answer no longer counts (leftShare): its rows are due again, now. */
  requeue(batch: ReservedBatch, reason: string): void {
    this.stmt.retry.run(0, reason, opIDsOf(batch));
  }

  /**
   * Applied and duplicate rows become acked together with the watermark: one transaction. Every
   * ack carries the server's cursor, a rejecting one too: after a CursorMismatch the watermark
   * adopts it, so the retry's expected_cursor is current (MAX: it never goes back, and it is a value
   * the server's cursor has had, so it never passes it). Rows the server turns out to have lost
   * are reset in the same transaction (resendLostRows).
   */
  recordAck(batch: ReservedBatch, ack: Ack, retryAt: number): void {
    const done = new Set([...ack.applied, ...ack.duplicates]);
    const rejected = new Map(ack.rejected.map((r) => [r.op_id, r.reason]));
    const markRows = () => {
      this.resendLostRows(ack); // first: the marks of the batch's own rows below win
      const outcome = groupBy(batch.rows, (row) => {
        const reason = rejected.get(row.op_id);
        if (done.has(row.op_id)) return "acked";
        return reason && !isRetryable(reason) ? `failed:${reason}` : `retry:${reason ?? "NotInAck"}`;
      });
      for (const [kind, ops] of outcome) {
        if (kind === "acked") this.stmt.markAcked.run(ops);
        else if (kind.startsWith("failed:")) this.stmt.fail.run(kind.slice(7), ops);
        else this.stmt.retry.run(retryAt, kind.slice(6), ops);
      }
    };
    atomic(this.db)(() => {
      markRows();
      this.options.probe?.("client.ack.rows-marked"); // a crash here rolls the whole ack back
      this.stmt.watermark.run(ack.cursor);
    });
    this.options.probe?.("client.ack.committed");
  }

  /**
   * Rows this outbox holds as acked that the ack shows the server no longer has: it lost them after
   * acking (a power loss with synchronous=normal). Left acked they would never be sent again and
   * the ops behind them would be rejected forever, so they go back to pending, due now; if the
   * server had them after all, it dedupes them. Call inside the ack's transaction.
   * - MissingDependency names the depends_on entries the server does not know;
   * - WriterGap on `w/s` expecting `e`: the server lost w's numbers e … s-1 (writer-seq).
   * A reset row keeps its batch_id and seq and is resent as the rest of its old batch: an open batch
   * is always sent before fresh rows and the oldest first, and a lost row is older than the op
   * waiting for it (a cleared batch_id would wait behind that op's open batch, which is never done).
   */
  protected resendLostRows(ack: Ack): void {
    for (const r of ack.rejected) {
      if (r.reason === "MissingDependency") for (const dep of r.missing ?? []) this.repairDependency(r.op_id, dep);
      const gapped = r.reason === "WriterGap" && r.expected_seq !== undefined ? parseOpId(r.op_id) : undefined;
      if (gapped) this.stmt.resendLostRange.run(gapped.writer, r.expected_seq, gapped.seq);
    }
  }
  /**
   * A dependency the server does not have: resend it if this client holds it as acked (the server
   * lost it); if this client no longer has it at all (a power loss took the enqueue before it was
   * ever sent) or gave up on it, it can never arrive, and waiting for it is a livelock, so the op
   * stops depending on it. Nothing older can overwrite the op later: that older write is gone.
   */
  private repairDependency(opID: string, dep: string): void {
    const state = this.stmt.rowState.get(dep) as RowState | undefined;
    if (state === "acked") this.stmt.resendLost.run(dep);
    else if (state === undefined || state === "failed") this.stmt.dropDependency.run(dep, opID);
  }

  /** The whole batch failed (timeout, disconnect, error): retry it later, or give up if permanent. */
  recordFailure(batch: ReservedBatch, error: string, retryAt: number, permanent: boolean): void {
    if (permanent) this.stmt.fail.run(error, opIDsOf(batch));
    else this.stmt.retry.run(retryAt, error, opIDsOf(batch));
    this.options.probe?.("client.failure.recorded");
  }

  /** After a restart nothing is in flight any more: those rows are resent, the server dedupes. */
  recoverAfterRestart(): number {
    return this.stmt.recover.run().changes;
  }

  /**
   * A clean shutdown: every number this writer minted is committed, so the next Outbox over this
   * database may keep the writer id. Stop the flusher first; the caller still owns (and closes) the
   * database. Nothing may be enqueued through this object afterwards: a later enqueue lost in a
   * power loss would let the next start re-mint its number.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stmt.markClosed.run();
  }

  /** Virtual time at which a flush could next do something, or undefined when idle. */
  nextWakeAt(now: number): number | undefined {
    const open = this.stmt.openBatch.get() as { ready_at: number } | undefined;
    if (open) return Math.max(now, open.ready_at);
    return this.stmt.nextFresh.get() ? now : undefined;
  }

  /** Whether the op is still to be sent or answered (pending or in flight). */
  queued(opID: string): boolean {
    const state = this.stmt.rowState.get(opID) as RowState | undefined;
    return state === "pending" || state === "in_flight";
  }

  rows(): OutboxRow[] {
    return (this.stmt.all.all() as RawRow[]).map(decode);
  }

  /** The watermark and the newest acked op, in one O(log n) read (checked after every sim step). */
  progress(): { watermark: number; lastAcked: string | null } {
    return this.stmt.progress.get() as { watermark: number; lastAcked: string | null };
  }

  counts(): Record<RowState, number> {
    const out: Record<RowState, number> = { pending: 0, in_flight: 0, acked: 0, failed: 0 };
    for (const r of this.stmt.counts.all() as { state: RowState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /**
   * The envelope for a row, stamped with the epoch of the credentials it is sent under. It names the
   * row's own writer, not the outbox's current one: they differ for rows minted before an unclean
   * restart, and op_id must be `<writer_id>/<writer_seq>`.
   */
  static envelope(row: OutboxRow, epoch: number, expectedCursor?: number): Op {
    return {
      op_id: row.op_id,
      batch_id: row.batch_id ?? "",
      seq: row.seq ?? 0,
      writer_id: row.writer_id,
      writer_seq: row.writer_seq,
      depends_on: row.depends_on,
      ...(expectedCursor === undefined ? {} : { expected_cursor: expectedCursor }),
      capability_epoch: epoch,
      item: row.item,
    };
  }

}

/** A batch's rows as RETURNING hands them over (in no promised order), decoded, in send order. */
function bySeq(raw: RawRow[]): OutboxRow[] {
  return raw.map(decode).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

/** The batch's op_ids as the JSON array the set-based statements take through json_each. */
function opIDsOf(batch: ReservedBatch): string {
  return JSON.stringify(batch.rows.map((r) => r.op_id));
}

/** The rows' op_ids grouped by outcome, as JSON arrays, in first-seen order (deterministic). */
function groupBy(rows: readonly OutboxRow[], outcome: (row: OutboxRow) => string): Map<string, string> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const key = outcome(row);
    const ops = groups.get(key);
    if (ops) ops.push(row.op_id);
    else groups.set(key, [row.op_id]);
  }
  return new Map([...groups].map(([k, ops]) => [k, JSON.stringify(ops)]));
}

/**
 * The writer this Outbox mints new ops under, in one transaction with the `running` mark. A
 * database left running was not shut down cleanly: with synchronous=normal a power loss may have
 * taken the last commits, and with them the numbers they minted, which the server may already have
 * applied. Re-minting them would make the server drop the new ops as duplicates (writer-seq) or
 * refuse them (OpIdReused), so the outbox starts over as a new writer (Kafka bumps the producer
 * epoch). One id is drawn per open either way, so the rng stream does not depend on the outcome
 * (short of a collision with a used id).
 */
function openWriter(db: Database.Database, rng: Rng): string {
  const candidate = rng.id("w-");
  const writer = atomic(db)((): string => {
    // A fresh database (or one that lost everything): a new writer, its old numbers mean nothing now.
    db.prepare("INSERT OR IGNORE INTO sync_state (id, writer_id, next_writer_seq) VALUES (1, ?, 1)").run(candidate);
    const s = db.prepare("SELECT writer_id, running FROM sync_state WHERE id = 1").get() as { writer_id: string; running: number };
    let next = s.writer_id;
    if (s.running === 1) {
      next = candidate;
      // An rng replaying its stream (the same seed after a restart) would hand back a used id. A
      // writer's op_ids are the range [w/, w0) of the op_id index ('0' follows '/'); an op_id of
      // another writer in that range ("w/x/1") only costs one more draw.
      const used = db.prepare("SELECT 1 FROM outbox WHERE op_id >= ? AND op_id < ? LIMIT 1").pluck();
      while (next === s.writer_id || used.get(`${next}/`, `${next}0`) !== undefined) next = rng.id("w-");
      db.prepare("UPDATE sync_state SET writer_id = ?, next_writer_seq = 1 WHERE id = 1").run(next);
    }
    db.prepare("UPDATE sync_state SET running = 1 WHERE id = 1").run();
    return next;
  });
  // The mark must be on disk before this writer's first number can reach the server: were it lost
  // after a clean close, the next start would take the shutdown for clean and re-mint. A WAL file
  // with synchronous=NORMAL makes commits durable only at a checkpoint (a no-op elsewhere).
  db.pragma("wal_checkpoint(FULL)");
  return writer;
}

function decode(raw: RawRow): OutboxRow {
  return { ...raw, depends_on: JSON.parse(raw.depends_on) as string[], item: JSON.parse(raw.item) as SyncItem };
}
