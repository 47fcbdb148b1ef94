// Real-wire Connectors for the Flusher, built on capnweb's own session constructors.
import { newWebSocketRpcSession, type RpcStub } from "capnweb";
import type { Connector } from "../client/connector.js";
import type { ShareServerApi } from "../protocol/api.js";
import type { Clock } from "../protocol/ports.js";
import { ensureWebSocketGlobal, WsWebSocket } from "./websocket.js";
import { newHttpBatchSession } from "./http-batch-client.js";
import { SystemClock } from "./system-clock.js";

/** Sessions opened since the last abort that abort() may still have to cut (older ones are long done). */
const MAX_TRACKED = 32;

/**
 * HTTP batch: every main() is a new capnweb batch session, i.e. one POST carrying everything the
 * caller pipelines on it before the next macrotask (the Flusher's redeemShare(..).appendOps(..)).
 * A refusal of the whole request (BodyTooLarge, RequestTimeout, ...) comes back typed
 * (http-batch-client.ts). abort() cancels the in-flight requests through their AbortSignal, so a
 * hung POST cannot linger.
 */
export class HttpBatchConnector implements Connector {
  private controllers: AbortController[] = [];

  constructor(readonly url: string, private readonly clock: Clock = new SystemClock()) {}

  main(): RpcStub<ShareServerApi> {
    const controller = new AbortController();
    this.controllers.push(controller);
    if (this.controllers.length > MAX_TRACKED) this.controllers.shift();
    return newHttpBatchSession<ShareServerApi>(this.url, controller.signal, this.clock);
  }

  abort(reason: unknown): void {
    const controllers = this.controllers;
    this.controllers = [];
    for (const c of controllers) c.abort(reason);
  }

  close(): void {
    this.abort(new Error("connector closed"));
  }
}

/**
 * WebSocket: one capnweb session over one socket, reused by every main() until it dies — the peer
 * closed it, the connection failed, or the Flusher timed out and called abort() — then the next
 * main() dials again. Uses the `ws` package (Node 20 has no stable global WebSocket).
 */
export class WebSocketConnector implements Connector {
  private session: { socket: WsWebSocket; main: RpcStub<ShareServerApi> } | undefined;
  /** Sockets opened so far (reconnects show up here). */
  connects = 0;

  constructor(readonly url: string) {
    ensureWebSocketGlobal();
  }

  main(): RpcStub<ShareServerApi> {
    const live = this.session;
    if (live && live.socket.readyState <= WsWebSocket.OPEN) return live.main;
    if (live) this.drop(live);
    const socket = new WsWebSocket(this.url);
    this.connects += 1;
    const main = newWebSocketRpcSession<ShareServerApi>(socket as unknown as WebSocket);
    this.session = { socket, main };
    return main;
  }

  /** Presumed dead (timeout): cut the TCP connection now, every pending call on it rejects. */
  abort(_reason: unknown): void {
    const live = this.session;
    this.session = undefined;
    if (live) this.drop(live);
  }

  close(): void {
    this.abort(new Error("connector closed"));
  }

  private drop(live: { socket: WsWebSocket; main: RpcStub<ShareServerApi> }): void {
    if (this.session === live) this.session = undefined;
    try { live.main[Symbol.dispose](); } catch { /* the session may already be gone */ }
    live.socket.terminate();
  }
}
