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

/** Every ErrorCode once (the Record makes the compiler insist on a new code being added here). */
const ERROR_CODES: Record<ErrorCode, true> = {
  MalformedOps: true, MalformedCredentials: true, UnknownShare: true, WrongSecret: true,
  BatchTooLarge: true, StaleEpoch: true, OutboxClosed: true,
};

export function isErrorCode(text: string): text is ErrorCode {
  return Object.hasOwn(ERROR_CODES, text);
}

export function errorCode(e: unknown): ErrorCode | undefined {
  if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string") {
    return (e as { code: ErrorCode }).code;
  }
  return undefined;
}
