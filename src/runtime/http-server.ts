// The ShareServer on a real wire: node:http, one file-backed SQLite database.
//   POST /rpc      one capnweb HTTP batch (http-batch.ts): one RPC session per request
//   GET  /ws       upgrade to a WebSocket (`ws`, ws-session.ts): one capnweb RPC session per connection
//   GET  /healthz  200 "ok"
// Every RPC session gets its own main capability with what it may do: create shares only with the
// operator token, the per-call limits, a ticket for maxSessionsPerShare. Every limit is data
// (src/server/limits.ts); this file owns the sockets and timers that enforce the transport's share.
// Browser pages are refused (an Origin header); bound to loopback (the default), so are foreign
// Host names (DNS rebinding).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type Database from "better-sqlite3";
import type { RpcSessionOptions } from "capnweb";
import { WebSocketServer, type WebSocket as WsSocket } from "ws";
import { ShareServer } from "../server/share-server.js";
import type { DedupePolicy } from "../server/dedupe.js";
import type { ServerEvent } from "../server/share-store.js";
import { OperatorAuth } from "../server/auth.js";
import { resolveLimits, type ServerLimits } from "../server/limits.js";
import { ShareSessions } from "../server/share-sessions.js";
import { typedRpcError } from "../server/rpc-errors.js";
import type { Clock, Rng } from "../protocol/ports.js";
import { openFileDatabase } from "./sqlite.js";
import { SystemClock, SystemRng } from "./system-clock.js";
import { serveHttpBatch } from "./http-batch.js";
import { serveWebSocket } from "./ws-session.js";

/** The default interface: only this machine can connect unless the operator binds another. */
export const LOOPBACK = "127.0.0.1";
const LOOPBACK_NAMES = new Set([LOOPBACK, "localhost", "[::1]"]);

export interface ShareHttpServerOptions {
  /** SQLite database file; created if missing, reopened as-is after a crash. */
  dbPath: string;
  dedupe: DedupePolicy;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The interface to bind (default 127.0.0.1). */
  host?: string;
  /** The operator token that createShare needs; absent, nobody can create shares over the wire. Never logged. */
  operatorToken?: string;
  /** Overrides of DEFAULT_LIMITS (src/server/limits.ts); validated. */
  limits?: Partial<ServerLimits>;
  rng?: Rng;
  clock?: Clock;
  observer?: (event: ServerEvent) => void;
  /** How long close() lets in-flight requests and sockets finish before cutting them. */
  closeGraceMs?: number;
}

export interface RunningShareServer {
  readonly shareServer: ShareServer;
  readonly db: Database.Database;
  readonly limits: ServerLimits;
  /** Sessions per share, as maxSessionsPerShare counts them. */
  readonly sessions: ShareSessions;
  readonly port: number;
  /** http://<host>:<port> */
  readonly url: string;
  readonly rpcUrl: string;
  readonly wsUrl: string;
  /** Stop accepting, let in-flight work finish (bounded), close sockets and the database. */
  close(): Promise<void>;
}

/** What every connection shares: the store, who may create shares, the limits, the clock. */
interface Host {
  shareServer: ShareServer;
  operator: OperatorAuth | undefined;
  limits: ServerLimits;
  sessions: ShareSessions;
  clock: Clock;
  bind: string;
  rpcOptions: RpcSessionOptions;
}

export async function startShareHttpServer(options: ShareHttpServerOptions): Promise<RunningShareServer> {
  const limits = resolveLimits(options.limits ?? {});
  const operator = options.operatorToken === undefined ? undefined : new OperatorAuth(options.operatorToken);
  const clock = options.clock ?? new SystemClock();
  const db = openFileDatabase(options.dbPath);
  const shareServer = new ShareServer(db, {
    dedupe: options.dedupe,
    rng: options.rng ?? new SystemRng(),
    ...(options.observer ? { observer: options.observer } : {}),
  });
  const bind = options.host ?? LOOPBACK;
  const host: Host = { shareServer, operator, limits, sessions: new ShareSessions(limits.maxSessionsPerShare), clock, bind, rpcOptions: { onSendError: typedRpcError } };
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.wsMaxPayloadBytes });
  const sockets = new Set<WsSocket>();
  const http = createServer(httpTimeouts(limits), (req, res) => handleRequest(req, res, host));
  http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => upgrade(req, socket, head, wss, sockets, host));
  // A client that vanishes mid-request must not take the server down.
  http.on("clientError", (_err, socket: Socket) => socket.destroy());

  try {
    await listen(http, options.port ?? 0, bind);
  } catch (e) {
    wss.close();
    db.close();
    throw e;
  }
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  const port = address.port;
  const name = bind.includes(":") ? `[${bind}]` : bind;
  const url = `http://${name}:${port}`;
  const close = closer(http, wss, sockets, db, clock, options.closeGraceMs ?? 1_000);
  return { shareServer, db, limits, sessions: host.sessions, port, url, rpcUrl: `${url}/rpc`, wsUrl: `ws://${name}:${port}/ws`, close };
}

/**
 * node:http's own timeouts back the typed ones up: headers must arrive within requestTimeoutMs
 * (node answers 408 itself: there is no request to type an answer for yet), and a whole request
 * a little after it, should anything slip past the body reader's timer (http-batch.ts).
 */
function httpTimeouts(limits: ServerLimits) {
  return {
    headersTimeout: limits.requestTimeoutMs,
    requestTimeout: limits.requestTimeoutMs + 1_000,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.requestTimeoutMs / 4))),
  };
}

function listen(http: Server, port: number, bind: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    http.once("error", onError);
    http.listen(port, bind, () => {
      http.off("error", onError);
      resolve();
    });
  });
}

/** One RPC session's main capability, and its ticket, released when the session ends. */
function openSession(host: Host) {
  const ticket = host.sessions.open();
  const main = host.shareServer.main({ operator: host.operator, limits: host.limits, ticket });
  return { main, ticket };
}

function upgrade(req: IncomingMessage, socket: Socket, head: Buffer, wss: WebSocketServer, sockets: Set<WsSocket>, host: Host): void {
  const refusal = !isAllowed(req, host.bind) ? "403 Forbidden" : pathOf(req) !== "/ws" ? "404 Not Found" : undefined;
  if (refusal) {
    socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const { main, ticket } = openSession(host);
    sockets.add(ws);
    ws.on("close", () => {
      sockets.delete(ws);
      ticket.close();
    });
    serveWebSocket(ws, main, host.limits, host.clock, host.rpcOptions);
  });
}

function handleRequest(req: IncomingMessage, res: ServerResponse, host: Host): void {
  if (!isAllowed(req, host.bind)) {
    res.writeHead(403, { "content-type": "text/plain" });
    res.end("forbidden: no browser pages (Origin), and on loopback only Host 127.0.0.1 or localhost");
    return;
  }
  const path = pathOf(req);
  if (path === "/rpc") {
    const { main, ticket } = openSession(host);
    serveHttpBatch(req, res, { main, limits: host.limits, clock: host.clock, options: host.rpcOptions })
      .catch((e: unknown) => {
        // The request broke (the client went away): nothing was half-applied, each appendOps is
        // one transaction. Answer if we still can.
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(e instanceof Error ? e.message : String(e));
      })
      .finally(() => ticket.close());
    return;
  }
  if (path === "/healthz" && req.method === "GET") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found: POST /rpc (http batch) or GET /ws (websocket)");
}

function closer(http: Server, wss: WebSocketServer, sockets: Set<WsSocket>, db: Database.Database, clock: Clock, graceMs: number): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      const grace = clock.setTimer(graceMs, () => {
        http.closeAllConnections();
        for (const ws of sockets) ws.terminate();
      });
      http.close(() => {
        clock.clearTimer(grace);
        wss.close();
        db.close();
        resolve();
      });
      http.closeIdleConnections();
      for (const ws of sockets) ws.close(1001, "server shutting down");
    });
    return closing;
  };
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?", 1)[0]!;
}

/**
 * No browser page (it would send Origin). On loopback, no rebound DNS name either (Host must be a
 * loopback name): a page on another site could otherwise reach this machine's server by name.
 */
function isAllowed(req: IncomingMessage, bind: string): boolean {
  if (req.headers.origin !== undefined) return false;
  if (!LOOPBACK_NAMES.has(bind) && bind !== "::1") return true;
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  return LOOPBACK_NAMES.has(host);
}
