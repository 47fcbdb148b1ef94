// The client end of a capnweb HTTP batch, as capnweb's newHttpBatchRpcSession does it (every call
// made before the next macrotask goes in one POST), with one difference: a refused request (413,
// 408, 429, 400) whose body is capnweb's abort message (rpc-refusal.ts) is handed to the session,
// so the caller gets the server's typed error (BodyTooLarge, RequestTimeout, ...) where capnweb's
// would say "RPC request failed: 413". The macrotask comes from the injected Clock.
import { RpcSession, type RpcStub, type RpcCompatible } from "capnweb";
import type { Clock } from "../protocol/ports.js";
import { isAbortMessage } from "./rpc-refusal.js";

export function newHttpBatchSession<T extends RpcCompatible<T>>(url: string, signal: AbortSignal, clock: Clock): RpcStub<T> {
  const post = async (batch: string[]): Promise<string[]> => {
    const response = await fetch(url, { method: "POST", body: batch.join("\n"), signal });
    const body = await response.text();
    if (response.ok) return body === "" ? [] : body.split("\n");
    if (isAbortMessage(body)) return [body];
    throw new Error(`RPC request failed: ${response.status} ${response.statusText}`);
  };
  return new RpcSession<T>(new BatchClientTransport(post, clock)).getRemoteMain();
}

class BatchClientTransport {
  private outgoing: string[] | undefined = [];
  private incoming: string[] | undefined;
  private aborted: { reason: unknown } | undefined;
  private readonly exchanged: Promise<void>;

  constructor(post: (batch: string[]) => Promise<string[]>, clock: Clock) {
    // The session's read loop awaits this at once, so a failed POST is never an unhandled rejection.
    this.exchanged = new Promise<void>((resolve) => clock.setTimer(0, resolve)).then(async () => {
      if (this.aborted) throw this.aborted.reason;
      const batch = this.outgoing ?? [];
      this.outgoing = undefined;
      this.incoming = await post(batch);
    });
  }

  send(message: string): void {
    this.outgoing?.push(message);
  }

  async receive(): Promise<string> {
    if (!this.incoming) await this.exchanged;
    const message = this.incoming!.shift();
    if (message !== undefined) return message;
    throw new Error("Batch RPC request ended.");
  }

  abort(reason: unknown): void {
    this.aborted = { reason };
  }
}
