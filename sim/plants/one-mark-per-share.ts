// Planted: writer-seq keyed by the share alone, one high-water mark for all its writers (the
// ledger a single-writer design would write). A second writer's numbers collide with the first's:
// every op of it numbered at or below the share's mark is acked as a duplicate and never applied,
// so a reinstalled client, whose new writer starts again at 1, loses its first ops. A1 sees each
// such ack at once (a duplicate of an op the server never applied); H1 would find the same acked
// ops nowhere in the server's order, but its end check comes after A1 has filled the run's log.
import type { SqlStore } from "../../src/sqlite/sql-store.js";
import { makeLedger, type DedupeLedger, type DedupePolicy } from "../../src/server/dedupe.js";
import { parseOpId } from "../../src/protocol/op-id.js";

/** The mark is kept under this writer id: one row per share. */
const SHARE_MARK = "*";

export function oneMarkPerShare(db: SqlStore, policy: DedupePolicy): DedupeLedger {
  if (policy.kind !== "writer-seq") return makeLedger(db, policy);
  const get = db.prepareScalar<number>("SELECT hwm FROM writer_hwm WHERE share_id = ? AND writer_id = ?");
  const upsert = db.prepare(
    "INSERT INTO writer_hwm (share_id, writer_id, hwm) VALUES (?, ?, ?) ON CONFLICT (share_id, writer_id) DO UPDATE SET hwm = excluded.hwm",
  );
  const mark = (shareID: string) => get.get(shareID, SHARE_MARK);
  return {
    check: (shareID, op) => {
      const hwm = mark(shareID) ?? 0;
      if (op.writer_seq <= hwm) return { kind: "duplicate" };
      if (op.writer_seq > hwm + 1) return { kind: "gap", expected: hwm + 1 };
      return { kind: "new" };
    },
    record: (shareID, op) => {
      upsert.run(shareID, SHARE_MARK, op.writer_seq);
    },
    hasApplied: (shareID, opID) => {
      const dep = parseOpId(opID);
      return dep !== undefined && dep.seq <= (mark(shareID) ?? 0);
    },
  };
}
