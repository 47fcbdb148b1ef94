// How a transport-level refusal (a body too large, a request too slow, a garbled message) reaches
// a capnweb peer: as capnweb's own "abort" message carrying the typed error. A session that reads
// it fails every call it has pending with that error, `code` included, exactly as it would if the
// server's session had aborted; over HTTP it is the response body, next to a status that says the
// same to anything that is not capnweb.
import { serialize } from "capnweb";
import { errorCode, SturdyError, type ErrorCode } from "../protocol/errors.js";

/** The HTTP status of each refusal a host makes before capnweb sees the request. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BodyTooLarge: 413,
  RequestTimeout: 408,
  TooManyCalls: 429,
  MalformedMessage: 400,
};

export function httpStatusOf(error: unknown): number {
  const code = errorCode(error);
  return (code && STATUS[code]) ?? 500;
}

/** One capnweb message: `["abort", <the error, serialized as capnweb serializes errors>]`. */
export function abortMessage(error: unknown): string {
  const typed = error instanceof Error ? error : new SturdyError("MalformedMessage", String(error));
  return `["abort",${serialize(typed)}]`;
}

/** Whether a response body is a capnweb abort message (and nothing else): a refusal the session should read. */
export function isAbortMessage(body: string): boolean {
  if (!body.startsWith('["abort",') || body.includes("\n")) return false;
  try {
    const message = JSON.parse(body) as unknown;
    return Array.isArray(message) && message.length === 2 && message[0] === "abort";
  } catch {
    return false;
  }
}
