// How the client reaches the server. The sim provides in-memory connectors; production would use
// capnweb's newWebSocketRpcSession or newHttpBatchRpcSession. Either way the client only sees a stub.
import type { RpcStub } from "capnweb";
import type { ShareServerApi } from "../protocol/api.js";

export interface Connector {
  /** The server's main capability on a live session (opening one if needed). */
  main(): RpcStub<ShareServerApi>;
  /** The session is presumed dead (timeout): tear it down so the next main() reconnects. */
  abort(reason: unknown): void;
}
