// Safety checks after every step, read from the databases: S2 (cursors only move forward within a
// run of a node; the watermark never passes a cursor the server has had) and S5 (the ledger moved
// with the cursor; every row the client holds as acked is covered by its watermark). The ledger
// check is incremental (only the cursor range since the last step) and the acked-row check looks
// only at ops sent since they were last verified, so a step costs O(batch), not O(history). The
// world calls a side's check only after a step in which that side's product wrote (write-count.ts).
import type Database from "better-sqlite3";
import type { ApplyLog } from "./applies.js";
import { ledgerMismatch, shareCursor, type LedgerPolicy } from "./ledger.js";
import type { Report } from "./violations.js";
import { query, pluck } from "./sql.js";

export class StepChecks {
  private cursor: number | undefined;
  private ledgerCheckedTo = 0;
  /** The highest cursor the server has ever committed: a watermark above it came from nowhere. */
  maxCursor = 0;
  private watermark: number | undefined;
  private readonly unverified = new Set<string>();

  constructor(private readonly report: Report, private readonly policy: LedgerPolicy, private readonly applies: ApplyLog) {}

  onSend(opIDs: readonly string[]): void {
    for (const op of opIDs) this.unverified.add(op);
  }

  /** A node came back: its counters start again from what its disk holds (losses there are D1's). */
  serverRestarted(cursor: number): void {
    this.cursor = cursor;
    this.ledgerCheckedTo = Math.min(this.ledgerCheckedTo, cursor);
  }

  clientRestarted(): void {
    this.watermark = undefined;
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

  checkClient(db: Database.Database): void {
    const watermark = pluck(db, "SELECT watermark FROM sync_state WHERE id = 1").get() as number;
    if (this.watermark !== undefined && watermark < this.watermark) this.report("S2", "watermark-back", `client watermark went back ${this.watermark} → ${watermark}`);
    this.watermark = watermark;
    if (watermark > this.maxCursor) this.report("S2", "watermark-ahead", `client watermark ${watermark} is past every cursor the server had (${this.maxCursor})`);
    if (this.unverified.size > 0) this.checkAckedRows(db, watermark);
  }

  /** An ack marks rows and moves the watermark together, so an acked op is never above it. */
  private checkAckedRows(db: Database.Database, watermark: number): void {
    const rows = query(db, "SELECT op_id, state FROM outbox WHERE op_id IN (SELECT value FROM json_each(?))").all(JSON.stringify([...this.unverified])) as { op_id: string; state: string }[];
    const present = new Set(rows.map((r) => r.op_id));
    for (const op of [...this.unverified]) if (!present.has(op)) this.unverified.delete(op);
    for (const { op_id, state } of rows) {
      if (state === "failed") this.unverified.delete(op_id);
      if (state !== "acked") continue;
      const at = this.applies.first.get(op_id)?.cursor;
      if (at !== undefined && watermark < at && !this.applies.rewritten.has(op_id)) {
        this.report("S5", "acked-above-watermark", `op ${op_id} is acked (applied at cursor ${at}) but the watermark is ${watermark}`);
      }
      this.unverified.delete(op_id);
    }
  }
}
