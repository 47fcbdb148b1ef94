// Safety checks after every step, read from the databases: S2 (cursors only move forward within a
// run of a node; the watermark never passes a cursor the server has had) and S5 (the ledger moved
// with the cursor; every row the client holds as acked is covered by its watermark). The ledger
// check is incremental (only the cursor range since the last step) and the acked-row check looks
// only at rows that became acked since the last step (logged by a TEMP trigger), so a step costs
// O(batch), not O(history). The
// world calls a side's check only after a step in which that side's product wrote (write-count.ts).
import type Database from "better-sqlite3";
import type { ApplyLog } from "./applies.js";
import { ledgerMismatch, shareCursor, type LedgerPolicy } from "./ledger.js";
import type { Report } from "./violations.js";
import { pluck } from "./sql.js";

export class StepChecks {
  private cursor: number | undefined;
  private ledgerCheckedTo = 0;
  /** The highest cursor the server has ever committed: a watermark above it came from nowhere. */
  maxCursor = 0;
  /** Each writer's watermark (by node name) within its node's current run. */
  private readonly watermarks = new Map<string, number>();
  /** Client connections this checker has put its ack log on (a restart brings a new one). */
  private readonly logged = new WeakSet<Database.Database>();

  constructor(private readonly report: Report, private readonly policy: LedgerPolicy, private readonly applies: ApplyLog) {}

  /** A node came back: its counters start again from what its disk holds (losses there are D1's). */
  serverRestarted(cursor: number): void {
    this.cursor = cursor;
    this.ledgerCheckedTo = Math.min(this.ledgerCheckedTo, cursor);
  }

  /**
   * A client came back on a new connection, which the ack log of the old one does not reach: a crash
   * between an ack's rows and its watermark left its evidence on the disk, so every row the disk
   * holds as acked is checked once against the watermark it came back with.
   */
  clientRestarted(db: Database.Database, writer: string): void {
    this.watermarks.delete(writer);
    // A wiped disk (a reinstall) boots from the per-thread pool and may get the very connection the
    // node gave up when it went down, TEMP log and all: start its log afresh.
    this.logged.delete(db);
    this.watchClient(db);
    const watermark = pluck(db, "SELECT watermark FROM sync_state WHERE id = 1").get() as number;
    this.judgeAcked(pluck(db, "SELECT op_id FROM outbox WHERE state = 'acked'").all() as string[], watermark);
  }

  checkServer(db: Database.Database, shareID: string): void {
    const cursor = shareCursor(db, shareID) ?? 0;
    if (this.cursor !== undefined && cursor < this.cursor) this.report("S2", "cursor-back", `server cursor went back ${this.cursor} → ${cursor}`);
    this.cursor = cursor;
    this.maxCursor = Math.max(this.maxCursor, cursor);
    if (cursor === this.ledgerCheckedTo) return;
    const mismatch = ledgerMismatch(db, this.policy, shareID, this.ledgerCheckedTo, cursor);
    if (mismatch) this.report("S5", "ledger-vs-cursor", `ledger and cursor moved apart: ${mismatch}`);
    this.ledgerCheckedTo = cursor;
  }

  checkClient(db: Database.Database, writer: string): void {
    const watermark = pluck(db, "SELECT watermark FROM sync_state WHERE id = 1").get() as number;
    const before = this.watermarks.get(writer);
    if (before !== undefined && watermark < before) this.report("S2", "watermark-back", `client watermark went back ${before} → ${watermark}`);
    this.watermarks.set(writer, watermark);
    if (watermark > this.maxCursor) this.report("S2", "watermark-ahead", `client watermark ${watermark} is past every cursor the server had (${this.maxCursor})`);
    this.checkNewlyAcked(db, watermark);
  }

  /**
   * The client's database, as the checker watches it: a TEMP trigger logs every row that becomes
   * acked into a TEMP table. Neither is part of the node's disk (a TEMP object lives in the
   * connection, not in the database file or its image), and the product never sees them. Installed
   * when a connection is first checked: nothing is acked before that (a run starts with no acks, and
   * a restarted client is checked right after it boots, before its flusher runs).
   */
  watchClient(db: Database.Database): void {
    if (this.logged.has(db)) return;
    db.exec(
      "CREATE TEMP TABLE IF NOT EXISTS sturdy_newly_acked (op_id TEXT NOT NULL); DELETE FROM temp.sturdy_newly_acked; " +
        "CREATE TEMP TRIGGER IF NOT EXISTS sturdy_log_acked AFTER UPDATE OF state ON main.outbox " +
        "WHEN NEW.state = 'acked' AND OLD.state <> 'acked' BEGIN INSERT INTO temp.sturdy_newly_acked VALUES (NEW.op_id); END;",
    );
    this.logged.add(db);
  }

  /** An ack marks rows and moves the watermark together, so a row that became acked is never above it. */
  private checkNewlyAcked(db: Database.Database, watermark: number): void {
    this.watchClient(db);
    this.judgeAcked(pluck(db, "DELETE FROM temp.sturdy_newly_acked RETURNING op_id").all() as string[], watermark);
  }

  private judgeAcked(opIDs: readonly string[], watermark: number): void {
    for (const opID of opIDs) {
      const at = this.applies.first.get(opID)?.cursor;
      if (at !== undefined && watermark < at && !this.applies.rewritten.has(opID)) {
        this.report("S5", "acked-above-watermark", `op ${opID} is acked (applied at cursor ${at}) but the watermark is ${watermark}`);
      }
    }
  }
}
