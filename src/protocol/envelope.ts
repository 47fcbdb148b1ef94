// The op envelope and the ack: what crosses the wire between Flusher and ShareCap.
import { z } from "zod";
import { SyncItem } from "./items.js";

export const MAX_BATCH_OPS = 256;

export const Op = z.object({
  op_id: z.string().min(1).max(128),
  batch_id: z.string().min(1).max(128),
  seq: z.number().int().nonnegative(),
  // Writer identity and gapless per-writer sequence number, minted in the enqueue transaction.
  writer_id: z.string().min(1).max(64),
  writer_seq: z.number().int().positive(),
  depends_on: z.array(z.string().min(1).max(128)).max(16),
  expected_cursor: z.number().int().nonnegative().optional(),
  capability_epoch: z.number().int().nonnegative(),
  item: SyncItem,
}).strict();
export type Op = z.infer<typeof Op>;

export const OpBatch = z.array(Op).min(1).max(MAX_BATCH_OPS);

export const RejectReason = z.enum([
  "StaleEpoch",
  "MissingDependency",
  "CursorMismatch",
  "WriterGap",
  "ReadOnly",
  "UnknownWriter",
]);
export type RejectReason = z.infer<typeof RejectReason>;

export interface Rejection {
  op_id: string;
  reason: RejectReason;
  /** For WriterGap: the writer_seq the server expects next. */
  expected_seq?: number;
}

export interface Ack {
  /** The share's cursor after this call: the number of ops ever applied to it. */
  cursor: number;
  epoch: number;
  applied: string[];
  duplicates: string[];
  rejected: Rejection[];
}

/** Rejections a later retry can cure (the dependency lands, new credentials arrive, the gap fills). */
export function isRetryable(reason: RejectReason): boolean {
  return reason !== "ReadOnly" && reason !== "UnknownWriter";
}
