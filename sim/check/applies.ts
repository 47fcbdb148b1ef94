// What the server applied, as it reported each commit: the first cursor and content of every op.
// First apply wins: a second apply of the same op is S1's finding and must not move the cursor an
// acked op is judged by (that is what made S5 report atomicity failures that never happened).
// These reports are the product's own word; every check that reads them is cross-checked against
// the databases elsewhere (ledger vs cursor in step-checks.ts, the share in convergence.ts).
import type { ServerEvent } from "../../src/server/share-store.js";
import { stableJson } from "../model/stable-json.js";
import type { Report } from "./violations.js";

/**
 * `content` is unknown for an apply learned from the disk (its report was lost to a crash), and so
 * are `dependsOn` (the dependencies the envelope carried) and `call` (the cursor of the first op
 * the same appendOps call applied: ops with one `call` were applied by one call, in cursor order).
 * A learned apply's cursor is 0 where the disk cannot tell it (writer-seq keeps only marks).
 */
export interface Apply { cursor: number; content: string | undefined; dependsOn?: readonly string[]; call?: number }

export class ApplyLog {
  readonly first = new Map<string, Apply>();
  /** Ops a power loss took back: a later apply gives them a cursor the client's old ack never saw. */
  readonly rewritten = new Set<string>();
  private readonly count = new Map<string, number>();
  /** Applies committed and not taken back by a power loss: what the cursor must equal. */
  committed = 0;
  synced = 0;
  /**
   * Bumped whenever a power loss takes applies back: cursors below it may since have been given to
   * other ops, so evidence gathered across a bump (a read's cursor, its prefix) is not comparable.
   */
  generation = 0;
  /** A second apply of an op already applied (S1's finding): cursor → op, for the history check (H1). */
  readonly repeatedAt = new Map<number, string>();
  /** The cursor of the first op the current appendOps call applied (undefined between calls). */
  private callStart: number | undefined;

  constructor(private readonly report: Report) {}

  onEvent(e: ServerEvent): void {
    if (e.kind === "synced") this.synced += 1;
    if (e.kind !== "applied") return;
    const { op } = e;
    this.committed += 1;
    const n = (this.count.get(op.op_id) ?? 0) + 1;
    this.count.set(op.op_id, n);
    this.callStart ??= e.cursor;
    if (n > 1) {
      this.report("S1", "applied-twice", `op ${op.op_id} applied ${n} times`);
      this.repeatedAt.set(e.cursor, op.op_id);
    } else {
      this.first.set(op.op_id, { cursor: e.cursor, content: opContent(op.item), dependsOn: op.depends_on, call: this.callStart });
    }
    for (const dep of op.depends_on) {
      if (!this.count.has(dep)) this.report("S3", "before-dependency", `op ${op.op_id} applied before its dependency ${dep}`);
    }
    if (op.capability_epoch !== e.shareEpoch) {
      this.report("S4", "stale-envelope", `op ${op.op_id} stamped epoch ${op.capability_epoch} applied while the share is at ${e.shareEpoch}`);
    }
  }

  /**
   * The server's appendOps call that applied the ops reported since the last call ended has
   * returned (its `server.apply.committed` probe point, reached once per call that applied anything,
   * after the call's reports): the next apply starts another call.
   */
  endCall(): void {
    this.callStart = undefined;
  }

  /**
   * An apply found on the server's disk that was never reported: the node crashed right after the
   * commit, before telling anyone. The disk is the evidence; the report was only ever a detail.
   */
  learn(opID: string, cursor: number): void {
    if (this.first.has(opID)) return;
    this.first.set(opID, { cursor, content: undefined });
    this.count.set(opID, 1);
    this.committed += 1;
  }

  /** The server came back from an older image: applies after `cursor` never happened. Returns them. */
  rollBackTo(cursor: number): string[] {
    const gone = [...this.first].filter(([, a]) => a.cursor > cursor).map(([op]) => op);
    for (const op of gone) {
      this.rewritten.add(op);
      this.first.delete(op);
      this.count.delete(op);
    }
    for (const at of [...this.repeatedAt.keys()]) if (at > cursor) this.repeatedAt.delete(at);
    if (gone.length > 0 || this.committed > cursor) this.generation += 1;
    this.committed = cursor;
    return gone;
  }
}

/**
 * What makes two ops "the same write" for the user: the item. Dependencies are ordering metadata a
 * client may legitimately drop (one that can never arrive), so they are not part of it.
 */
export function opContent(item: unknown): string {
  return stableJson(item);
}
