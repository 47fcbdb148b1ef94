// capnweb refuses a call to a name a capability does not have with its own TypeError ("'appendOps'
// is not a function."), which a client can only match by its text. A host passes this as its
// sessions' `onSendError` so that refusal reaches the peer as a typed NoSuchMethod, like every
// other refusal. The texts are capnweb 0.12's (pinned in package.json); test/serve-limits.test.ts
// fails if an upgrade changes them. Errors that are already typed, and every other error, go out
// as they are (without their stack, capnweb's default).
import { errorCode, SturdyError } from "../protocol/errors.js";

const NOT_A_FUNCTION = /^'([^']*)' is not a function\.$/;
const INSTANCE_PROPERTY = /^Attempted to access property '([^']*)', which is an instance property of the RpcTarget\./;

/** For RpcSessionOptions.onSendError: a typed error in place of capnweb's "no such method", else nothing. */
export function typedRpcError(error: Error): Error | void {
  if (errorCode(error) !== undefined || !(error instanceof TypeError)) return undefined;
  const name = NOT_A_FUNCTION.exec(error.message)?.[1] ?? INSTANCE_PROPERTY.exec(error.message)?.[1];
  if (name === undefined) return undefined;
  return new SturdyError("NoSuchMethod", `this capability has no method '${name.slice(0, 64)}'`);
}
