// What a retry can cure, in one place. Two kinds of refusal reach the client: an error that fails
// the whole call (an ErrorCode: the flusher marks the batch failed or retries it), and a per-op
// rejection inside an ack (a RejectReason: the outbox marks that row failed or retries it). Both
// rules are written the same way: the few refusals no retry can cure, everything else is retried.
import type { RejectReason } from "./envelope.js";
import type { ErrorCode } from "./errors.js";

/** Call errors no retry can cure: the batch is marked failed. */
const PERMANENT_ERRORS: ReadonlySet<ErrorCode> = new Set(["MalformedOps", "MalformedCredentials", "BatchTooLarge", "UnknownShare"]);

/** Per-op rejections no retry can cure: the op itself is refused, whatever the credentials or order. */
const PERMANENT_REJECTIONS: ReadonlySet<RejectReason> = new Set(["ReadOnly", "OpIdReused"]);

/**
 * Server limits a retry cannot pass: a batch is resent whole (same ops, same size), so an item, a
 * body or a frame too large now is too large every time; a method a capability lacks stays missing.
 * The limits a retry can pass (too many calls or sessions right now, a timeout) are not here.
 */
const PERMANENT_LIMITS: ReadonlySet<ErrorCode> = new Set(["ItemTooLarge", "BodyTooLarge", "FrameTooLarge", "NoSuchMethod"]);

/** Whether a failed call is worth retrying; an untyped error (a transport failure) always is. */
export function isPermanentError(code: ErrorCode | undefined): boolean {
  return code !== undefined && (PERMANENT_ERRORS.has(code) || PERMANENT_LIMITS.has(code));
}

/** Rejections a later retry can cure (the dependency lands, new credentials arrive, the gap fills). */
export function isRetryable(reason: RejectReason): boolean {
  return !PERMANENT_REJECTIONS.has(reason);
}
