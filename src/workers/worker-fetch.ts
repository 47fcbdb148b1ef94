// The Worker's HTTP surface, the same as `sturdy serve`'s (src/runtime/http-server.ts):
//   POST /rpc      one capnweb HTTP batch: one RPC session per request
//   GET  /ws       a WebSocket upgrade: one capnweb RPC session per connection
//   GET  /healthz  200 "ok"
// Every session gets its own ShareRouter. Requests pass `admit` first (browser pages refused), and a
// batch's body is read against maxBodyBytes before capnweb sees it: a body too large is refused
// as `sturdy serve` refuses it (413, capnweb's abort message carrying BodyTooLarge), and so is a
// batch of more than maxCallsInFlight calls (429, TooManyCalls) or a line that is not JSON (400,
// MalformedMessage), all before any call of it is evaluated.
import { newHttpBatchRpcResponse, newWorkersWebSocketRpcResponse } from "capnweb";
import { SturdyError } from "../protocol/errors.js";
import { checkBodySize, checkCallsInFlight, isCall, type ServerLimits } from "../server/limits.js";
import { abortMessage, httpStatusOf } from "../runtime/rpc-refusal.js";
import { parseBatch } from "../runtime/http-batch.js";
import { ShareRouter, type ShareObjects, type ShareRouterOptions } from "./share-router.js";

export interface ShareWorkerDeps {
  objects: ShareObjects;
  router: ShareRouterOptions;
  limits: BatchLimits;
}

type BatchLimits = Pick<ServerLimits, "maxBodyBytes" | "maxCallsInFlight">;

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
  if (path === "/rpc") return batch(request, deps);
  const upgrade = request.headers.get("upgrade")?.toLowerCase() === "websocket";
  if (path === "/ws" && upgrade) return newWorkersWebSocketRpcResponse(request, new ShareRouter(deps.objects, deps.router));
  if (path === "/healthz" && request.method === "GET") return text(200, "ok");
  return text(404, "not found: POST /rpc (http batch) or GET /ws (websocket)");
}

async function batch(request: Request, deps: ShareWorkerDeps): Promise<Response> {
  if (request.method !== "POST") return newHttpBatchRpcResponse(request, new ShareRouter(deps.objects, deps.router));
  let body: string;
  try {
    body = await readBody(request, deps.limits);
    // As serve's http-batch.ts counts them: the calls of the batch but the one that ends it.
    checkCallsInFlight(parseBatch(body).filter(isCall).length - 1, deps.limits);
  } catch (e) {
    return new Response(abortMessage(e), { status: httpStatusOf(e), headers: { "content-type": "text/plain" } });
  }
  const bounded = new Request(request.url, { method: "POST", headers: request.headers, body });
  return newHttpBatchRpcResponse(bounded, new ShareRouter(deps.objects, deps.router));
}

/** The body as text, refused (BodyTooLarge) by its declared length, or as soon as its bytes pass the limit. */
async function readBody(request: Request, limits: Pick<ServerLimits, "maxBodyBytes">): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limits.maxBodyBytes) {
    throw new SturdyError("BodyTooLarge", `request body of ${declared} bytes exceeds maxBodyBytes ${limits.maxBodyBytes}`);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > limits.maxBodyBytes) {
      await reader.cancel();
      checkBodySize(bytes, limits);
    }
    text += decoder.decode(value, { stream: true });
  }
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}
