// Who may do what, before the store is asked. A share's secret redeems, revokes and syncs that
// share; creating a share takes the operator token, which the host is given at start (a file or
// an environment variable, src/runtime) and keeps only as a digest. Secrets are compared in
// constant time: both sides are hashed to 32 bytes first, so neither the length nor the first
// differing character of the secret shows in how long a refusal takes. Nothing here logs.
import { createHash, timingSafeEqual } from "node:crypto";
import { SturdyError } from "../protocol/errors.js";

/** A token shorter than this is refused at start: it could be guessed. */
export const MIN_OPERATOR_TOKEN = 16;
export const MAX_OPERATOR_TOKEN = 256;

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Whether `given` is `expected`, in time that depends on neither (beyond hashing them). */
export function secretsMatch(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/** The operator's authority to create shares. Holds the token's digest, never the token. */
export class OperatorAuth {
  private readonly tokenDigest: Buffer;

  /** Throws a one-line Error (without the token) when the token is too short or too long. */
  constructor(token: string) {
    if (token.length < MIN_OPERATOR_TOKEN || token.length > MAX_OPERATOR_TOKEN) {
      throw new Error(`the operator token must be ${MIN_OPERATOR_TOKEN} to ${MAX_OPERATOR_TOKEN} characters, got ${token.length}`);
    }
    this.tokenDigest = digest(token);
  }

  /** Throws Unauthorized unless `given` is the token. */
  check(given: unknown): void {
    if (typeof given !== "string" || given.length > MAX_OPERATOR_TOKEN || !timingSafeEqual(this.tokenDigest, digest(given))) {
      throw new SturdyError("Unauthorized", "createShare needs the operator token");
    }
  }
}

/** createShare on a server without an operator: nobody may create shares over the wire. */
export function requireOperator(operator: OperatorAuth | undefined, given: unknown): void {
  if (!operator) throw new SturdyError("Unauthorized", "createShare is disabled: this server was started without an operator token");
  operator.check(given);
}
