// The Worker's HTTP surface, the same as `sturdy serve`'s (src/runtime/http-server.ts):
//   POST /rpc      one capnweb HTTP batch: one RPC session per request
//   GET  /ws       a WebSocket upgrade: one capnweb RPC session per connection
//   GET  /healthz  200 "ok"
// Every session gets its own ShareRouter. Requests pass `admit` first: the place for request-level
// rules (the operator token, limits), decided per request before any RPC runs.
import { newWorkersRpcResponse, newWorkersWebSocketRpcResponse } from "capnweb";
import { ShareRouter, type ShareObjects, type ShareRouterOptions } from "./share-router.js";

export interface ShareWorkerDeps {
  objects: ShareObjects;
  router: ShareRouterOptions;
}

/** Browser pages are refused (they send Origin), as by `sturdy serve`: no one's page may create shares. */
export function admit(request: Request): Response | undefined {
  if (request.headers.get("origin") !== null) return text(403, "forbidden: no browser-originated requests (Origin header)");
  return undefined;
}

export async function handleShareRequest(request: Request, deps: ShareWorkerDeps): Promise<Response> {
  const refusal = admit(request);
  if (refusal) return refusal;
  const path = new URL(request.url).pathname;
  if (path === "/rpc" && request.method === "POST") return newWorkersRpcResponse(request, new ShareRouter(deps.objects, deps.router));
  if (path === "/ws") return newWorkersWebSocketRpcResponse(request, new ShareRouter(deps.objects, deps.router));
  if (path === "/healthz" && request.method === "GET") return text(200, "ok");
  return text(404, "not found: POST /rpc (http batch) or GET /ws (websocket)");
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}
