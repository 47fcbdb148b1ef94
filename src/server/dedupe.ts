// Dedupe ledger policies. Each answers "has this op already had its effect?" and records an
// applied op. They differ in what they store and therefore in what they can still recognise.
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type { Op } from "../protocol/envelope.js";
import { canonicalJson } from "../protocol/canonical.js";
import { parseOpId } from "../protocol/op-id.js";
import { lazyStatements } from "../sqlite/lazy-statements.js";

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
}

export function describePolicy(p: DedupePolicy): string {
  return p.kind === "window" ? `window(${p.size})` : p.kind;
}

export function parsePolicy(text: string): DedupePolicy {
  if (text === "permanent" || text === "writer-seq") return { kind: text };
  const m = /^window\((\d+)\)$/.exec(text);
  if (m) return { kind: "window", size: Number(m[1]) };
  throw new Error(`unknown dedupe policy "${text}" (permanent | window(N) | writer-seq)`);
}

export function makeLedger(db: Database.Database, policy: DedupePolicy): DedupeLedger {
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
function opIdLedger(db: Database.Database, window: number | undefined): DedupeLedger {
  const { digest, insert, trim, trimmed } = lazyStatements({
    digest: () => db.prepare("SELECT digest FROM op_ledger WHERE share_id = ? AND op_id = ?").pluck(),
    insert: () => db.prepare("INSERT INTO op_ledger (share_id, op_id, cursor, digest) VALUES (?, ?, ?, ?)"),
    trim: () => db.prepare("DELETE FROM op_ledger WHERE share_id = ? AND cursor <= ?"),
    trimmed: () => db.prepare("SELECT cursor > ? FROM shares WHERE id = ?").pluck(),
  });
  return {
    check: (shareID, op) => {
      const stored = digest.get(shareID, op.op_id) as string | undefined;
      if (stored === undefined) return { kind: "new" };
      return stored === opDigest(op) ? { kind: "duplicate" } : { kind: "reused" };
    },
    record: (shareID, op, cursor) => {
      insert.run(shareID, op.op_id, cursor, opDigest(op));
      if (window !== undefined) trim.run(shareID, cursor - window);
    },
    // A window forgets, so it cannot tell a dependency older than the window from one that never
    // arrived: once it has trimmed anything it assumes "old, hence applied". S3 catches it when wrong.
    hasApplied: (shareID, opID) =>
      digest.get(shareID, opID) !== undefined || (window !== undefined && trimmed.get(window, shareID) === 1),
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
function writerSeqLedger(db: Database.Database): DedupeLedger {
  const get = db.prepare("SELECT hwm FROM writer_hwm WHERE share_id = ? AND writer_id = ?").pluck();
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
