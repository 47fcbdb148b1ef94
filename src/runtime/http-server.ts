// The ShareServer on a real wire: node:http on loopback, one file-backed SQLite database.
//   POST /rpc      one capnweb HTTP batch (nodeHttpBatchRpcResponse): one RPC session per request
//   GET  /ws       upgrade to a WebSocket (`ws`): one capnweb RPC session per connection
//   GET  /healthz  200 "ok"
// Every RPC session gets its own main capability (ShareServer.main()); they all share the store.
// Loopback only: it binds 127.0.0.1, and refuses browser-originated requests (an Origin header) and
// foreign Host names (DNS rebinding), since createShare needs no credentials.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type Database from "better-sqlite3";
import { newWebSocketRpcSession, nodeHttpBatchRpcResponse } from "capnweb";
import { WebSocketServer, type WebSocket as WsSocket } from "ws";
import { ShareServer } from "../server/share-server.js";
import type { DedupePolicy } from "../server/dedupe.js";
import type { ServerEvent } from "../server/share-store.js";
import type { Clock, Rng } from "../protocol/ports.js";
import { openFileDatabase } from "./sqlite.js";
import { ensureWebSocketGlobal } from "./websocket.js";
import { SystemClock, SystemRng } from "./system-clock.js";

/** The only interface this server binds: it is a local prototype, not an internet service. */
export const LOOPBACK = "127.0.0.1";

export interface ShareHttpServerOptions {
  /** SQLite database file; created if missing, reopened as-is after a crash. */
  dbPath: string;
  dedupe: DedupePolicy;
  /** 0 (default) picks a free port. */
  port?: number;
  rng?: Rng;
  clock?: Clock;
  observer?: (event: ServerEvent) => void;
  /** How long close() lets in-flight requests and sockets finish before cutting them. */
  closeGraceMs?: number;
}

export interface RunningShareServer {
  readonly shareServer: ShareServer;
  readonly db: Database.Database;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly rpcUrl: string;
  readonly wsUrl: string;
  /** Stop accepting, let in-flight work finish (bounded), close sockets and the database. */
  close(): Promise<void>;
}

export async function startShareHttpServer(options: ShareHttpServerOptions): Promise<RunningShareServer> {
  ensureWebSocketGlobal();
  const clock = options.clock ?? new SystemClock();
  const db = openFileDatabase(options.dbPath);
  const shareServer = new ShareServer(db, {
    dedupe: options.dedupe,
    rng: options.rng ?? new SystemRng(),
    ...(options.observer ? { observer: options.observer } : {}),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const sockets = new Set<WsSocket>();

  const http: Server = createServer((req, res) => handleRequest(req, res, shareServer));
  http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refusal = !isLocalRequest(req) ? "403 Forbidden" : pathOf(req) !== "/ws" ? "404 Not Found" : undefined;
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on("close", () => sockets.delete(ws));
      // capnweb wants a DOM-style WebSocket; ws provides the same surface (see websocket.ts).
      newWebSocketRpcSession(ws as unknown as WebSocket, shareServer.main());
    });
  });
  // A client that vanishes mid-request must not take the server down.
  http.on("clientError", (_err, socket: Socket) => socket.destroy());

  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      http.once("error", onError);
      http.listen(options.port ?? 0, LOOPBACK, () => {
        http.off("error", onError);
        resolve();
      });
    });
  } catch (e) {
    wss.close();
    db.close();
    throw e;
  }
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  const port = address.port;
  const url = `http://${LOOPBACK}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      const grace = clock.setTimer(options.closeGraceMs ?? 1_000, () => {
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

  return { shareServer, db, port, url, rpcUrl: `${url}/rpc`, wsUrl: `ws://${LOOPBACK}:${port}/ws`, close };
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?", 1)[0]!;
}

/** No browser page (it would send Origin) and no rebound DNS name (Host must be a loopback name). */
function isLocalRequest(req: IncomingMessage): boolean {
  if (req.headers.origin !== undefined) return false;
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  return host === LOOPBACK || host === "localhost" || host === "[::1]";
}

function handleRequest(req: IncomingMessage, res: ServerResponse, shareServer: ShareServer): void {
  if (!isLocalRequest(req)) {
    res.writeHead(403, { "content-type": "text/plain" });
    res.end("forbidden: loopback clients only (no Origin header, Host 127.0.0.1 or localhost)");
    return;
  }
  const path = pathOf(req);
  if (path === "/rpc") {
    nodeHttpBatchRpcResponse(req, res, shareServer.main()).catch((e: unknown) => {
      // The request broke (client aborted, bad body): nothing was half-applied, each appendOps is
      // one transaction. Answer if we still can.
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(e instanceof Error ? e.message : String(e));
    });
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
