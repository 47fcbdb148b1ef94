// capnweb's WebSocketTransport reads the global `WebSocket` (for `WebSocket.CONNECTING`, and to
// construct a socket from a URL). Node 20 has no stable global WebSocket (Node 22 does), so the
// `ws` package's class, which has the same constants and the `addEventListener` / `binaryType`
// surface capnweb uses, is installed there when none exists. A no-op on runtimes that have one.
import { WebSocket as WsWebSocket } from "ws";

export function ensureWebSocketGlobal(): void {
  const g = globalThis as { WebSocket?: unknown };
  if (typeof g.WebSocket === "undefined") g.WebSocket = WsWebSocket;
}

export { WsWebSocket };
