// A bare in-memory capnweb transport pair with no scheduler: each message is handed to the peer on
// the next microtask. Used by unit tests and as the benchmark's baseline. The only faults it knows
// are the two a test may ask for by name: every request lost, or every response lost.
import { RpcSession, type RpcStub, type RpcTransport } from "capnweb";
import { Inbox } from "./inbox.js";

export interface DirectPairOptions {
  /** The client's messages never reach the server (a blackhole: the client times out). */
  loseRequests?: boolean;
  /** The server gets and applies each request, but its replies never reach the client. */
  loseResponses?: boolean;
}

export interface DirectPair<T extends object> {
  main: RpcStub<T>;
  /** Both sessions, for tests that count what each side still holds (getStats). */
  client: RpcSession<T>;
  server: RpcSession;
  close(): void;
}

export function directPair<T extends object>(serverMain: object, options: DirectPairOptions = {}): DirectPair<T> {
  const toServer = new Inbox();
  const toClient = new Inbox();
  const end = (inbox: Inbox, peer: Inbox, drop: boolean): RpcTransport => ({
    send: (m) => { if (!drop) void Promise.resolve().then(() => peer.push(m)); },
    receive: () => inbox.receive(),
    abort: (reason) => { inbox.fail(reason); peer.fail(reason); },
  });
  const server = new RpcSession(end(toServer, toClient, options.loseResponses === true), serverMain);
  const client = new RpcSession<T>(end(toClient, toServer, options.loseRequests === true));
  return {
    main: client.getRemoteMain() as unknown as RpcStub<T>,
    client,
    server,
    close: () => { toServer.fail(new Error("closed")); toClient.fail(new Error("closed")); },
  };
}
