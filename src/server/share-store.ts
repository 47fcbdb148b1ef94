// The server's durable logic, free of RPC: shares, credentials, epochs and the transactional
// append. Capabilities (capabilities.ts) are thin capnweb wrappers over this.
import { atomic } from "../sqlite/atomic.js";
import { lazyStatements } from "../sqlite/lazy-statements.js";
import type Database from "better-sqlite3";
import type { Ack, Op, Rejection, RejectReason } from "../protocol/envelope.js";
import { isRetryable } from "../protocol/retryable.js";
import type { ShareInfo, ShareRead, ShareRow } from "../protocol/api.js";
import type { SyncItem } from "../protocol/items.js";
import type { Rng } from "../protocol/ports.js";
import { SturdyError } from "../protocol/errors.js";
import { itemRows, replacedScope, type RowWrite } from "../protocol/fold.js";
import { formatOpId } from "../protocol/op-id.js";
import { openServerSchema } from "./schema.js";
import type { Probe } from "../protocol/probe.js";
import { makeLedger, type DedupeLedger, type DedupePolicy } from "./dedupe.js";
import { secretsMatch } from "./auth.js";

export type { DedupeLedger, DedupePolicy, DedupeVerdict } from "./dedupe.js";

/** What the server tells an observer (the sim's checker) about each effect it commits. */
export type ServerEvent =
  | { kind: "applied"; shareID: string; op: Op; cursor: number; shareEpoch: number; via: "appendOps" }
  | { kind: "synced"; shareID: string; item: SyncItem; via: "syncShare" }
  | { kind: "revoked"; shareID: string; epoch: number };

export interface ShareStoreOptions {
  dedupe: DedupePolicy;
  rng: Rng;
  observer?: (event: ServerEvent) => void;
  /** Crash points for the simulator; absent in production. */
  probe?: Probe;
  /** The ledger for `dedupe` (default makeLedger): the simulator substitutes its own. */
  ledger?: (db: Database.Database, policy: DedupePolicy) => DedupeLedger;
}

interface ShareRecord { id: string; session_id: string; secret: string; epoch: number; cursor: number }

export class ShareStore {
  private readonly ledger: DedupeLedger;
  private readonly stmt;

  constructor(private readonly db: Database.Database, private readonly options: ShareStoreOptions) {
    openServerSchema(db);
    this.ledger = (options.ledger ?? makeLedger)(db, options.dedupe);
    this.stmt = lazyStatements({
      insertShare: () => db.prepare("INSERT INTO shares (id, session_id, secret) VALUES (?, ?, ?)"),
      share: () => db.prepare("SELECT id, session_id, secret, epoch, cursor FROM shares WHERE id = ?"),
      setCursor: () => db.prepare("UPDATE shares SET cursor = ? WHERE id = ?"),
      rotate: () => db.prepare("UPDATE shares SET secret = ?, epoch = epoch + 1 WHERE id = ?"),
      upsertRow: () => db.prepare(
        "INSERT INTO share_rows (share_id, key, dup, value) VALUES (?, ?, 0, ?) " +
          "ON CONFLICT (share_id, key, dup) DO UPDATE SET value = excluded.value",
      ),
      appendRow: () => db.prepare(
        "INSERT INTO share_rows (share_id, key, dup, value) " +
          "SELECT @share, @key, COALESCE(MAX(dup) + 1, 0), @value FROM share_rows WHERE share_id = @share AND key = @key",
      ),
      // Keys in [from, to): an index range, exact for a scope (see scopeRange).
      deleteRange: () => db.prepare("DELETE FROM share_rows WHERE share_id = ? AND key >= ? AND key < ?"),
      rows: () => db.prepare("SELECT key, dup, value FROM share_rows WHERE share_id = ? ORDER BY key, dup"),
      countShares: () => db.prepare("SELECT COUNT(*) FROM shares").pluck(),
    });
  }

  createShare(sessionID: string): ShareInfo {
    const id = `share-${(this.stmt.countShares.get() as number) + 1}-${this.options.rng.id("")}`;
    const secret = this.options.rng.id("secret-");
    this.stmt.insertShare.run(id, sessionID, secret);
    return this.info(this.mustGet(id));
  }

  /** Checks credentials; the caller gets the share as it is now (id, epoch, cursor). */
  authenticate(shareID: string, secret: string): ShareRecord {
    const share = this.mustGet(shareID);
    if (!secretsMatch(share.secret, secret)) throw new SturdyError("WrongSecret", `wrong secret for share ${shareID}`);
    return share;
  }

  current(shareID: string): ShareRecord {
    return this.mustGet(shareID);
  }

  /** Revocation rotates the secret and bumps the epoch: every older capability and envelope dies. */
  revoke(shareID: string, secret: string): ShareInfo {
    this.authenticate(shareID, secret);
    this.stmt.rotate.run(this.options.rng.id("secret-"), shareID);
    const share = this.mustGet(shareID);
    this.options.observer?.({ kind: "revoked", shareID, epoch: share.epoch });
    return this.info(share);
  }

  /** The whole batch in one transaction: apply + ledger + cursor commit together or not at all. */
  appendOps(shareID: string, capEpoch: number, ops: Op[]): Ack {
    assertOpIdentity(ops);
    const committed: ServerEvent[] = [];
    const ack = this.appendOpsTx(shareID, capEpoch, ops, committed);
    // Observers hear of effects only once they are committed (a crash mid-transaction rolls back).
    for (const e of committed) this.options.observer?.(e);
    if (ack.applied.length > 0) this.options.probe?.("server.apply.committed");
    return ack;
  }

  private appendOpsTx(shareID: string, capEpoch: number, ops: Op[], committed: ServerEvent[]): Ack {
    try {
      return this.applyBatchTx(shareID, capEpoch, ops, committed);
    } finally {
      this.ledger.endBatch?.(); // committed or rolled back, the batch's reads are stale now
    }
  }

  private applyBatchTx(shareID: string, capEpoch: number, ops: Op[], committed: ServerEvent[]): Ack {
    return atomic(this.db)((): Ack => {
      const share = this.mustGet(shareID);
      if (!this.capabilityIsCurrent(capEpoch, share.epoch)) {
        throw new SturdyError("StaleEpoch", `capability epoch ${capEpoch} is older than share epoch ${share.epoch}`);
      }
      const applied: string[] = [];
      const duplicates: string[] = [];
      const rejected: Rejection[] = [];
      const known = (opID: string) => applied.includes(opID) || this.ledger.hasApplied(shareID, opID);
      // expected_cursor is a precondition of the whole batch, stamped on its first op. If it fails,
      // nothing of the batch takes effect; ops that already had theirs are still reported as
      // duplicates, so a retry after a lost response acks instead of looping on CursorMismatch.
      const expectedCursor = ops[0]?.expected_cursor;
      const cursorMismatch = expectedCursor !== undefined && expectedCursor !== share.cursor;
      // Deliberate deviation from "any rejection is final": under writer-seq a retryable rejection
      // (StaleEpoch, MissingDependency, CursorMismatch, WriterGap) does not consume the writer's
      // number, so per-writer order is kept and the retry can still apply it. The writer's later ops
      // in this batch wait behind it as WriterGap (retryable) rather than overtake it.
      const heldAt = new Map<string, number>();
      const reject = (op: Op, reason: RejectReason, detail: Pick<Rejection, "expected_seq" | "missing"> = {}) => {
        rejected.push({ op_id: op.op_id, reason, ...detail });
        if (isRetryable(reason) && !heldAt.has(op.writer_id)) heldAt.set(op.writer_id, detail.expected_seq ?? op.writer_seq);
      };
      let cursor = share.cursor;
      this.ledger.beginBatch?.(shareID, [...new Set(ops.flatMap((op) => [op.op_id, ...op.depends_on]))]);
      const apply = (op: Op) => {
        this.applyItem(shareID, op.item);
        cursor += 1;
        this.ledger.record(shareID, op, cursor);
        applied.push(op.op_id);
        if (applied.length === 1) this.options.probe?.("server.apply.in-txn"); // a crash here rolls back
        committed.push({ kind: "applied", shareID, op, cursor, shareEpoch: share.epoch, via: "appendOps" });
      };
      for (const op of ops) {
        const verdict = this.ledger.check(shareID, op);
        const held = heldAt.get(op.writer_id);
        if (verdict.kind === "duplicate") duplicates.push(op.op_id);
        // A used op_id with other content can never apply: say so at once, whatever else is wrong.
        else if (verdict.kind === "reused") reject(op, "OpIdReused");
        else if (cursorMismatch) reject(op, "CursorMismatch");
        else if (verdict.kind === "gap") reject(op, "WriterGap", { expected_seq: held ?? verdict.expected });
        else if (op.capability_epoch !== share.epoch) reject(op, "StaleEpoch");
        else {
          // Naming what is missing lets a client that holds it as acked see that this server lost
          // it (a power loss after the ack) and send it again, instead of retrying this op forever.
          const missing = [...new Set(op.depends_on.filter((dep) => !known(dep)))];
          if (missing.length > 0) reject(op, "MissingDependency", { missing });
          else apply(op);
        }
      }
      this.ledger.commitBatch?.();
      if (cursor !== share.cursor) this.stmt.setCursor.run(cursor, shareID);
      return { cursor, epoch: share.epoch, applied, duplicates, rejected };
    });
  }

  /**
   * Today's path (cloudsession): no op identity, and a session_diff APPENDS its rows
   * (`diffs = [...diffs, ...new]`): a resend duplicates them and a file dropped from the list keeps
   * its old row. Kept on purpose as the baseline; appendOps replaces the session's list instead.
   */
  syncShare(shareID: string, secret: string, items: SyncItem[]): { ok: true } {
    const committed: ServerEvent[] = [];
    atomic(this.db)(() => {
      this.authenticate(shareID, secret);
      for (const item of items) {
        for (const w of itemRows(item)) {
          if (item.type === "session_diff") this.stmt.appendRow.run({ share: shareID, key: w.key, value: w.value });
          else this.stmt.upsertRow.run(shareID, w.key, w.value);
        }
        committed.push({ kind: "synced", shareID, item, via: "syncShare" });
      }
    });
    for (const e of committed) this.options.observer?.(e);
    this.options.probe?.("server.sync.committed");
    return { ok: true };
  }

  snapshot(shareID: string): ShareRow[] {
    this.mustGet(shareID);
    return this.stmt.rows.all(shareID) as ShareRow[];
  }

  /**
   * The cursor and the rows it covers, in one read transaction: a reader that asked for them in two
   * calls could see a cursor from before a commit and rows from after it (or, on another
   * connection, the reverse), and could not tell which prefix of the ops it is looking at.
   */
  read(shareID: string): ShareRead & { epoch: number } {
    return atomic(this.db)(() => {
      const share = this.mustGet(shareID);
      return { epoch: share.epoch, cursor: share.cursor, rows: this.stmt.rows.all(shareID) as ShareRow[] };
    });
  }

  /**
   * One item's effect through appendOps: an item that replaces a scope (a session_diff: the
   * session's whole diff list) first clears it, so files absent from the new list lose their rows;
   * then its rows are upserted. Inside the caller's transaction.
   */
  private applyItem(shareID: string, item: SyncItem): void {
    const scope = replacedScope(item);
    if (scope !== undefined) this.stmt.deleteRange.run(shareID, ...scopeRange(scope));
    for (const w of this.rowWrites(item)) this.stmt.upsertRow.run(shareID, w.key, w.value);
  }

  /** Extension point (the simulator plants bugs here): the rows appendOps writes for an item. */
  protected rowWrites(item: SyncItem): RowWrite[] {
    return itemRows(item);
  }

  /** Extension point: whether a capability of `capEpoch` may still write to a share at `shareEpoch`. */
  protected capabilityIsCurrent(capEpoch: number, shareEpoch: number): boolean {
    return capEpoch === shareEpoch;
  }

  private mustGet(shareID: string): ShareRecord {
    const share = this.stmt.share.get(shareID) as ShareRecord | undefined;
    if (!share) throw new SturdyError("UnknownShare", `no share ${shareID}`);
    return share;
  }

  private info(share: ShareRecord): ShareInfo {
    return { id: share.id, secret: share.secret, url: `https://share.invalid/${share.id}`, epoch: share.epoch };
  }
}

/**
 * The keys starting with `prefix`, as a half-open range [prefix, prefix with its last character
 * bumped): SQLite compares TEXT bytewise (UTF-8 preserves code point order), so this is exact and
 * walks the primary key index instead of scanning the share. Scopes end in ':' (never U+FFFF).
 */
function scopeRange(prefix: string): [string, string] {
  const last = prefix.charCodeAt(prefix.length - 1);
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}

/**
 * An op_id must be `<writer_id>/<writer_seq>`: the op_id ledgers dedupe by op_id, writer-seq by
 * (writer, seq) and resolves depends_on by parsing op_ids. If the two disagreed, one op could pass
 * as another, and the policies would no longer mean the same thing. The wire schema checks this
 * too; the store checks it again because it is also called directly, not only through capnweb.
 */
function assertOpIdentity(ops: Op[]): void {
  for (const op of ops) {
    if (op.op_id !== formatOpId(op.writer_id, op.writer_seq)) {
      throw new SturdyError("MalformedOps", `op_id ${op.op_id} is not ${formatOpId(op.writer_id, op.writer_seq)}`);
    }
  }
}
