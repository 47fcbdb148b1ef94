// A bare in-memory capnweb transport pair with no scheduler and no faults: each message is handed
// to the peer on the next microtask. Used by unit tests and as the benchmark's baseline.
import { RpcSession, type RpcStub, type RpcTransport } from "capnweb";
import { Inbox } from "./endpoint.js";

export interface DirectPair<T extends object> {
  main: RpcStub<T>;
  close(): void;
}

export function directPair<T extends object>(serverMain: object): DirectPair<T> {
  const toServer = new Inbox();
  const toClient = new Inbox();
  const end = (inbox: Inbox, peer: Inbox): RpcTransport => ({
    send: (m) => void Promise.resolve().then(() => peer.push(m)),
    receive: () => inbox.receive(),
    abort: (reason) => { inbox.fail(reason); peer.fail(reason); },
  });
  new RpcSession(end(toServer, toClient), serverMain);
  const client = new RpcSession<T>(end(toClient, toServer));
  return {
    main: client.getRemoteMain() as unknown as RpcStub<T>,
    close: () => { toServer.fail(new Error("closed")); toClient.fail(new Error("closed")); },
  };
}
