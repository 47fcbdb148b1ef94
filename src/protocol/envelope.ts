// The op envelope and the ack: what crosses the wire between Flusher and ShareCap.
import { z } from "zod/v4";
import { boundedString, Count, SyncItem } from "./items.js";
import { formatOpId } from "./op-id.js";

export const MAX_BATCH_OPS = 256;
export const MAX_DEPENDENCIES = 16;

const OpId = boundedString(128, 1);

export const Op = z.object({
  op_id: OpId,
  batch_id: boundedString(128, 1),
  seq: Count,
  // Writer identity and gapless per-writer sequence number, minted in the enqueue transaction.
  writer_id: boundedString(64, 1),
  writer_seq: Count.positive(),
  depends_on: z.array(OpId).max(MAX_DEPENDENCIES),
  expected_cursor: Count.optional(),
  capability_epoch: Count,
  item: SyncItem,
}).strict();
export type Op = z.infer<typeof Op>;

/**
 * A batch as the server accepts it. Beyond each op's shape: an op_id is `<writer_id>/<writer_seq>`
 * (the ledgers dedupe by one and resolve dependencies by the other, so they must agree), and no
 * op_id occurs twice in one batch (the second copy could only be a forgery or a client bug, and
 * accepting the first would be a write made before the batch was known to be sound).
 */
export const OpBatch = z.array(Op).min(1).max(MAX_BATCH_OPS).check((ctx) => {
  const seen = new Set<string>();
  ctx.value.forEach((op, i) => {
    const expected = formatOpId(op.writer_id, op.writer_seq);
    if (op.op_id !== expected) {
      ctx.issues.push({ code: "custom", input: op.op_id, path: [i, "op_id"], message: `op_id must be ${expected}` });
    }
    if (seen.has(op.op_id)) {
      ctx.issues.push({ code: "custom", input: op.op_id, path: [i, "op_id"], message: `duplicate op_id ${op.op_id} in one batch` });
    }
    seen.add(op.op_id);
  });
});

export const RejectReason = z.enum([
  "StaleEpoch",
  "MissingDependency",
  "CursorMismatch",
  "WriterGap",
  "ReadOnly",
  // The op_id was already applied with other content (item or depends_on): a second op under a
  // used identity, never a retry of the first. Only the op_id ledgers can see it (dedupe.ts).
  "OpIdReused",
]);
export type RejectReason = z.infer<typeof RejectReason>;

export interface Rejection {
  op_id: string;
  reason: RejectReason;
  /** For WriterGap: the writer_seq the server expects next. */
  expected_seq?: number;
  /**
   * For MissingDependency: the depends_on entries the server does not know. A client that holds one
   * of them as acked learns that the server lost it (a power loss after the ack) and sends it again.
   */
  missing?: string[];
}

export interface Ack {
  /** The share's cursor after this call: the number of ops ever applied to it. */
  cursor: number;
  epoch: number;
  applied: string[];
  duplicates: string[];
  rejected: Rejection[];
}
