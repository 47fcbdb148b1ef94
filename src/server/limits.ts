// What one peer may make the server hold or do, as data with defaults, in the style of capnweb's
// own `RpcSessionOptions.limits`: a host passes a partial override and gets every field. Each
// check is a pure function of the limits and of what arrived, so the Node server
// (src/runtime/http-server.ts) and a Worker host enforce the same limits; the timers and sockets
// around them belong to the host. A refusal is a typed SturdyError raised before the store is
// touched: the database stays as it was and the server stays up.
import { z } from "zod/v4";
import { MAX_BATCH_OPS } from "../protocol/envelope.js";
import { SturdyError } from "../protocol/errors.js";

export interface ServerLimits {
  /** The largest HTTP batch request body, in bytes (BodyTooLarge). */
  maxBodyBytes: number;
  /** The largest WebSocket message the server evaluates, in bytes (FrameTooLarge). */
  maxFrameBytes: number;
  /**
   * `ws`'s maxPayload: a WebSocket message past it is cut by the socket layer before it is even
   * buffered (close code 1009, "message too big"), so it cannot carry a typed error. At least
   * `maxFrameBytes`: messages between the two are read and refused with FrameTooLarge.
   */
  wsMaxPayloadBytes: number;
  /** Ops in one appendOps, items in one syncShare (BatchTooLarge); at most the wire schema's MAX_BATCH_OPS. */
  maxOpsPerBatch: number;
  /** One op's item as JSON, in UTF-8 bytes (ItemTooLarge). */
  maxItemBytes: number;
  /**
   * Calls one RPC session may hold at once (TooManyCalls): an HTTP batch's calls; on a WebSocket,
   * the calls whose results the peer has not released yet.
   */
  maxCallsInFlight: number;
  /** RPC sessions holding a capability on one share at once (TooManySessions). */
  maxSessionsPerShare: number;
  /** A WebSocket session that sends nothing for this long is closed (IdleTimeout). */
  idleTimeoutMs: number;
  /** An HTTP request must arrive in full, headers and body, within this (RequestTimeout). */
  requestTimeoutMs: number;
}

const MiB = 1024 * 1024;

/**
 * Sized for opencode's sessions: a part's text may be 1 MiB (items.ts), so an item may be ~2 MiB
 * of UTF-8 JSON; the Flusher sends batches of 8 ops (DEFAULT_FLUSHER), so a body or a frame must
 * hold 8 items of maxItemBytes with their envelopes: the Flusher resends a batch whole, and a batch
 * refused as too large would be refused every time (test/serve-limits.test.ts checks the sum).
 * Timeouts are generous for a laptop on a bad network and short enough that a slow or silent peer
 * cannot hold a socket long.
 */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxBodyBytes: 20 * MiB,
  maxFrameBytes: 20 * MiB,
  wsMaxPayloadBytes: 24 * MiB,
  maxOpsPerBatch: MAX_BATCH_OPS,
  maxItemBytes: 2 * MiB,
  maxCallsInFlight: 64,
  maxSessionsPerShare: 64,
  idleTimeoutMs: 120_000,
  requestTimeoutMs: 30_000,
});

const Positive = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const LimitOverrides = z.object({
  maxBodyBytes: Positive,
  maxFrameBytes: Positive,
  wsMaxPayloadBytes: Positive,
  maxOpsPerBatch: Positive.max(MAX_BATCH_OPS),
  maxItemBytes: Positive,
  maxCallsInFlight: Positive,
  maxSessionsPerShare: Positive,
  idleTimeoutMs: Positive,
  requestTimeoutMs: Positive,
}).partial().strict();

/** Every limit: the defaults with `overrides` on top. Throws a one-line Error for an unknown or bad field. */
export function resolveLimits(overrides: unknown = {}): ServerLimits {
  const parsed = LimitOverrides.safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    throw new Error(`limits${field ? `.${field}` : ""}: ${issue.code === "unrecognized_keys" ? `unknown limit ${issue.keys.join(", ")}` : issue.message}`);
  }
  const limits = { ...DEFAULT_LIMITS, ...parsed.data };
  if (limits.wsMaxPayloadBytes < limits.maxFrameBytes) {
    throw new Error(`limits.wsMaxPayloadBytes (${limits.wsMaxPayloadBytes}) must be at least maxFrameBytes (${limits.maxFrameBytes})`);
  }
  return limits;
}

export function checkBodySize(bytes: number, limits: Pick<ServerLimits, "maxBodyBytes">): void {
  if (bytes > limits.maxBodyBytes) throw new SturdyError("BodyTooLarge", `request body of ${bytes}+ bytes exceeds maxBodyBytes ${limits.maxBodyBytes}`);
}

export function checkFrameSize(bytes: number, limits: Pick<ServerLimits, "maxFrameBytes">): void {
  if (bytes > limits.maxFrameBytes) throw new SturdyError("FrameTooLarge", `message of ${bytes} bytes exceeds maxFrameBytes ${limits.maxFrameBytes}`);
}

/** `held` calls already in the session; one more is about to be evaluated. */
export function checkCallsInFlight(held: number, limits: Pick<ServerLimits, "maxCallsInFlight">): void {
  if (held >= limits.maxCallsInFlight) throw new SturdyError("TooManyCalls", `more than maxCallsInFlight ${limits.maxCallsInFlight} calls in one session`);
}

/** Too many entries is decided before any entry is parsed: it is the cheaper verdict. */
export function checkBatchSize(what: string, value: unknown, limits: Pick<ServerLimits, "maxOpsPerBatch">): void {
  if (Array.isArray(value) && value.length > limits.maxOpsPerBatch) {
    throw new SturdyError("BatchTooLarge", `${what}: ${value.length} entries exceed ${limits.maxOpsPerBatch}`);
  }
}

/** Each item (already parsed, so plain JSON data) against maxItemBytes. */
export function checkItemSizes(what: string, items: readonly unknown[], limits: Pick<ServerLimits, "maxItemBytes">): void {
  items.forEach((item, i) => {
    const bytes = utf8Length(JSON.stringify(item));
    if (bytes > limits.maxItemBytes) throw new SturdyError("ItemTooLarge", `${what}.${i}: item of ${bytes} bytes exceeds maxItemBytes ${limits.maxItemBytes}`);
  });
}

/** capnweb messages that make the receiver evaluate a call (or open a stream): what maxCallsInFlight counts. */
export function isCall(message: unknown): boolean {
  return Array.isArray(message) && (message[0] === "push" || message[0] === "stream" || message[0] === "pipe");
}

/** UTF-8 length without encoding (no TextEncoder or Buffer: any host). A lone surrogate counts 3, as it is encoded. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
