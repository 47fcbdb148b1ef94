// The Worker's HTTP surface, the same as `sturdy serve`'s (src/runtime/http-server.ts):
//   POST /rpc      one capnweb HTTP batch: one RPC session per request
//   GET  /ws       a WebSocket upgrade: one capnweb RPC session per connection
//   GET  /healthz  200 "ok"
// Every session gets its own ShareRouter. Requests pass `admit` first: the place for request-level
// rules (the operator token, limits), decided per request before any RPC runs.
import { newHttpBatchRpcResponse, newWorkersWebSocketRpcResponse } from "capnweb";
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
  // As serve: /rpc is capnweb's batch endpoint whatever the method (it answers 405 but to POST);
  // /ws without a WebSocket upgrade is not found.
  if (path === "/rpc") return newHttpBatchRpcResponse(request, new ShareRouter(deps.objects, deps.router));
  const upgrade = request.headers.get("upgrade")?.toLowerCase() === "websocket";
  if (path === "/ws" && upgrade) return newWorkersWebSocketRpcResponse(request, new ShareRouter(deps.objects, deps.router));
  if (path === "/healthz" && request.method === "GET") return text(200, "ok");
  return text(404, "not found: POST /rpc (http batch) or GET /ws (websocket)");
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}
