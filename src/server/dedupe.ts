// Dedupe ledger policies. Each answers "has this op already had its effect?" and records an
// applied op. They differ in what they store and therefore in what they can still recognise.
import { createHash } from "node:crypto";
import type { Op } from "../protocol/envelope.js";
import { canonicalJson } from "../protocol/canonical.js";
import { parseOpId } from "../protocol/op-id.js";
import { lazyStatements } from "../sqlite/lazy-statements.js";
import type { SqlStore } from "../sqlite/sql-store.js";

export type DedupePolicy =
  | { kind: "permanent" }
  | { kind: "window"; size: number }
  | { kind: "writer-seq" };

export type DedupeVerdict =
  | { kind: "new" }
  | { kind: "duplicate" }
  /** The op_id was applied before with other content: not a retry, and it must not apply. */
  | { kind: "reused" }
  | { kind: "gap"; expected: number };

export interface DedupeLedger {
  check(shareID: string, op: Op): DedupeVerdict;
  record(shareID: string, op: Op, cursor: number): void;
  /** Whether `opID` (a dependency) is known to have been applied. */
  hasApplied(shareID: string, opID: string): boolean;
  /**
   * Optional, all three inside the batch's transaction but `endBatch`: one batch is about to be
   * checked, and these op_ids (its ops and their dependencies) will be asked about: read them in one
   * statement instead of one per question. Answers come from that read, and from `record`, whose
   * entries `commitBatch` writes in one statement too. `endBatch` (committed or rolled back) drops
   * the batch's reads and anything not written.
   */
  beginBatch?(shareID: string, opIDs: readonly string[]): void;
  commitBatch?(): void;
  endBatch?(): void;
}

export function describePolicy(p: DedupePolicy): string {
  return p.kind === "window" ? `window(${p.size})` : p.kind;
}

export function parsePolicy(text: string): DedupePolicy {
  if (text === "permanent" || text === "writer-seq") return { kind: text };
  // A window of 0 would remember nothing: it is refused, not read as "no dedupe".
  const m = /^window\(([1-9]\d{0,8})\)$/.exec(text);
  if (m) return { kind: "window", size: Number(m[1]) };
  throw new Error(`unknown dedupe policy "${text}" (permanent | window(N) with 1 ≤ N ≤ 999999999 | writer-seq)`);
}

export function makeLedger(db: SqlStore, policy: DedupePolicy): DedupeLedger {
  switch (policy.kind) {
    case "permanent": return opIdLedger(db, undefined);
    case "window": return opIdLedger(db, policy.size);
    case "writer-seq": return writerSeqLedger(db);
  }
}

/**
 * What an op_id stands for: a digest of the write it carries (its item), the way Stripe keeps a
 * request's parameters with its idempotency key. Canonical JSON, so key order does not count. The
 * envelope's other fields legitimately change between retries and are left out: batch, seq,
 * epoch, expected_cursor, and depends_on too, which is ordering metadata a client may drop when a
 * dependency can never arrive (outbox.ts repairDependency) — a resend after such a repair, or of
 * the unrepaired copy a power loss brought back, is still the same write.
 */
export function opDigest(op: Pick<Op, "item">): string {
  return createHash("sha256").update(canonicalJson(op.item)).digest("hex");
}

/**
 * An op_id log, kept forever or trimmed to the last `window` applied ops of the share. Each entry
 * keeps the op's digest, so a second op under a used op_id is told from a retry (until a window
 * trims the entry: then neither is recognised).
 */
function opIdLedger(db: SqlStore, window: number | undefined): DedupeLedger {
  const { digest, digests, insert, insertMany, trim, trimmed } = lazyStatements({
    digest: () => db.prepareScalar<string>("SELECT digest FROM op_ledger WHERE share_id = ? AND op_id = ?"),
    digests: () => db.prepare<{ op_id: string; digest: string }>("SELECT op_id, digest FROM op_ledger WHERE share_id = ? AND op_id IN (SELECT value FROM json_each(?))"),
    insert: () => db.prepare("INSERT INTO op_ledger (share_id, op_id, cursor, digest) VALUES (?, ?, ?, ?)"),
    // A batch's entries as a JSON array of [op_id, cursor, digest].
    insertMany: () => db.prepare(
      "INSERT INTO op_ledger (share_id, op_id, cursor, digest) SELECT ?, value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)",
    ),
    trim: () => db.prepare("DELETE FROM op_ledger WHERE share_id = ? AND cursor <= ?"),
    trimmed: () => db.prepareScalar<number>("SELECT cursor > ? FROM shares WHERE id = ?"),
  });
  // The current batch's reads (op_id → digest; null: not in the ledger), for its share only.
  let batch: { shareID: string; known: Map<string, string | null>; entries: [string, number, string][] } | undefined;
  const stored = (shareID: string, opID: string): string | undefined => {
    const cached = batch?.shareID === shareID ? batch.known.get(opID) : undefined;
    if (cached !== undefined) return cached ?? undefined;
    return digest.get(shareID, opID) as string | undefined;
  };
  return {
    check: (shareID, op) => {
      const found = stored(shareID, op.op_id);
      if (found === undefined) return { kind: "new" };
      return found === opDigest(op) ? { kind: "duplicate" } : { kind: "reused" };
    },
    record: (shareID, op, cursor) => {
      const d = opDigest(op);
      if (batch?.shareID === shareID) {
        batch.known.set(op.op_id, d);
        batch.entries.push([op.op_id, cursor, d]);
        return;
      }
      insert.run(shareID, op.op_id, cursor, d);
      if (window !== undefined) trim.run(shareID, cursor - window);
    },
    // A window forgets, so it cannot tell a dependency older than the window from one that never
    // arrived: once it has trimmed anything it assumes "old, hence applied". S3 catches it when wrong.
    hasApplied: (shareID, opID) =>
      stored(shareID, opID) !== undefined || (window !== undefined && trimmed.get(window, shareID) === 1),
    beginBatch: (shareID, opIDs) => {
      const known = new Map<string, string | null>(opIDs.map((id) => [id, null]));
      const rows = digests.all(shareID, JSON.stringify(opIDs)) as { op_id: string; digest: string }[];
      for (const r of rows) known.set(r.op_id, r.digest);
      batch = { shareID, known, entries: [] };
    },
    commitBatch: () => {
      if (!batch || batch.entries.length === 0) return;
      insertMany.run(batch.shareID, JSON.stringify(batch.entries));
      if (window !== undefined) trim.run(batch.shareID, batch.entries[batch.entries.length - 1]![1] - window);
      batch.entries = [];
    },
    endBatch: () => { batch = undefined; },
  };
}

/**
 * One high-water mark per (share, writer): the writer numbers its ops gaplessly, so "seq ≤ hwm"
 * is an exact duplicate test in O(writers) storage (Replicache lastMutationID, Kafka producer id).
 *
 * Its limit: it keeps no content, so it cannot tell a retry from a second op that reuses a number
 * (it never answers "reused"); such an op is acked as a duplicate and silently has no effect. It
 * relies on the writer never minting a (writer, seq) twice — the outbox mints a new writer id
 * after an unclean shutdown for exactly this reason (client/outbox.ts openWriter).
 */
function writerSeqLedger(db: SqlStore): DedupeLedger {
  const get = db.prepareScalar<number>("SELECT hwm FROM writer_hwm WHERE share_id = ? AND writer_id = ?");
  const upsert = db.prepare(
    "INSERT INTO writer_hwm (share_id, writer_id, hwm) VALUES (?, ?, ?) " +
      "ON CONFLICT (share_id, writer_id) DO UPDATE SET hwm = excluded.hwm",
  );
  return {
    check: (shareID, op) => {
      const hwm = get.get(shareID, op.writer_id) as number | undefined;
      // A writer the server has not met starts at 1. A later number first is a gap like any other:
      // its first batch may still be on the way (pipelined batches overtake each other), or this
      // server lost it to a power loss (the client resends what it holds as acked). Both heal by
      // waiting, retryably; refusing the writer for good would wedge every later op of it.
      if (hwm === undefined) return op.writer_seq === 1 ? { kind: "new" } : { kind: "gap", expected: 1 };
      if (op.writer_seq <= hwm) return { kind: "duplicate" };
      if (op.writer_seq > hwm + 1) return { kind: "gap", expected: hwm + 1 };
      return { kind: "new" };
    },
    // Only an applied op moves the mark: a retryably rejected op keeps its number (share-store.ts).
    record: (shareID, op) => {
      upsert.run(shareID, op.writer_id, op.writer_seq);
    },
    hasApplied: (shareID, opID) => {
      const dep = parseOpId(opID);
      if (!dep) return false;
      const hwm = get.get(shareID, dep.writer) as number | undefined;
      return hwm !== undefined && dep.seq <= hwm;
    },
  };
}
