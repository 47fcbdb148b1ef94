// Typed errors. capnweb carries an Error's own enumerable properties across the wire, so `code`
// survives serialization and the client can branch on it.
export type ErrorCode =
  | "MalformedOps"
  | "UnknownShare"
  | "WrongSecret"
  | "BatchTooLarge"
  | "StaleEpoch"
  | "UnknownWriter"
  | "ReadOnly";

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
