// Workers RPC (Worker ↔ Durable Object) carries an error's message but not its own properties, so a
// SturdyError thrown in the object arrives as a plain Error: its `code`, which clients branch on,
// is gone. The message still starts with it (`WrongSecret: …`, see SturdyError), so the Worker
// rebuilds the same SturdyError before capnweb serializes it for the client. Anything else (a
// runtime failure, an engine error) passes through untouched.
import { isErrorCode, SturdyError } from "../protocol/errors.js";

/** The result of a call into a Durable Object, its SturdyError (if any) restored. */
export async function relayed<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw revived(e);
  }
}

export function revived(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof SturdyError) return e;
  const m = /^(\w+): /.exec(e.message);
  if (!m || !isErrorCode(m[1]!)) return e;
  return new SturdyError(m[1], e.message.slice(m[0].length));
}
