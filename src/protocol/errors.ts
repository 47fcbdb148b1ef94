// Typed errors. capnweb carries an Error's own enumerable properties across the wire, so `code`
// survives serialization and the client can branch on it.
export type ErrorCode =
  /** An op batch (appendOps) or item list (syncShare) that fails the wire schema. */
  | "MalformedOps"
  /** A share id, secret or session id that is not a non-empty, bounded string. */
  | "MalformedCredentials"
  | "UnknownShare"
  | "WrongSecret"
  | "BatchTooLarge"
  | "StaleEpoch"
  /** createShare without the operator token (or on a server started without one). */
  | "Unauthorized"
  /** A method the capability does not have (appendOps on a read-only capability, say). */
  | "NoSuchMethod"
  /** A wire message that is not capnweb's JSON (a garbage frame or body line). */
  | "MalformedMessage"
  // Server limits (src/server/limits.ts): each names the limit it exceeded; nothing was changed.
  /** An HTTP batch request body over `maxBodyBytes`. */
  | "BodyTooLarge"
  /** A WebSocket message over `maxFrameBytes`. */
  | "FrameTooLarge"
  /** One op's (or legacy item's) item over `maxItemBytes` of JSON. */
  | "ItemTooLarge"
  /** More than `maxCallsInFlight` calls held by one RPC session. */
  | "TooManyCalls"
  /** More than `maxSessionsPerShare` RPC sessions holding one share at once. */
  | "TooManySessions"
  /** A WebSocket session silent for `idleTimeoutMs`. */
  | "IdleTimeout"
  /** An HTTP request not received in full within `requestTimeoutMs`. */
  | "RequestTimeout"
  /** A client-side refusal: Outbox.enqueue after Outbox.close(). */
  | "OutboxClosed";

export class SturdyError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
    Object.defineProperty(this, "code", { value: code, enumerable: true });
  }
}

export function errorCode(e: unknown): ErrorCode | undefined {
  if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string") {
    return (e as { code: ErrorCode }).code;
  }
  return undefined;
}
