// The Worker holds serve-hardening's rules: createShare needs the operator token (OPERATOR_TOKEN,
// compared by OperatorAuth, as `sturdy serve` does), the per-call limits come from LIMITS through
// the same parsers (maxOpsPerBatch, maxItemBytes), and a batch body past maxBodyBytes (413) or with
// more than maxCallsInFlight calls (429) is refused before capnweb sees it, with capnweb's abort
// message carrying the typed error. Each refusal leaves
// the share as it was, and the next honest request applies. The deployed Worker's code
// (deploy/worker/index.ts, bundled as `sturdy serve --runtime workerd` bundles it) in real workerd,
// its Durable Objects in memory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Miniflare } from "miniflare";
import { newHttpBatchRpcSession } from "capnweb";
import { readWorkerConfig } from "../src/runtime/worker-config.js";
import { bundleWorker, miniflareOptions, workerBindings, WORKER_CONFIG } from "../src/runtime/workerd-server.js";
import { parsePolicy } from "../src/server/dedupe.js";
import type { ShareServerApi } from "../src/protocol/api.js";
import type { SyncItem } from "../src/protocol/items.js";
import { op, part } from "./helpers.js";

const TOKEN = "workerd-limits-operator-token";
const LIMITS = { maxOpsPerBatch: 2, maxItemBytes: 300, maxBodyBytes: 8192, maxCallsInFlight: 3 };
const config = readWorkerConfig(WORKER_CONFIG);
let script: string;
const running: Miniflare[] = [];

async function worker(bindings: Record<string, string>): Promise<string> {
  const mf = new Miniflare(miniflareOptions(config, script, bindings));
  running.push(mf);
  return new URL("/rpc", await mf.ready).href;
}

const main = (rpc: string) => newHttpBatchRpcSession<ShareServerApi>(rpc);
const big = (n: number): SyncItem => ({ type: "part", data: { id: "p1", messageID: "msg_1", text: "x".repeat(n), version: 1 } });

beforeAll(async () => { script = await bundleWorker(config.main); }, 60_000);
afterAll(async () => { await Promise.all(running.map((mf) => mf.dispose())); });

describe("the Worker with an operator token and limits", () => {
  let rpc: string;
  beforeAll(async () => {
    rpc = await worker(workerBindings({ dedupe: parsePolicy("permanent"), operatorToken: TOKEN, limits: LIMITS }));
  }, 60_000);

  it("createShare needs the operator token", async () => {
    await expect(main(rpc).createShare("ses_1", undefined as unknown as string)).rejects.toMatchObject({ code: "Unauthorized" });
    await expect(main(rpc).createShare("ses_1", `${TOKEN}x`)).rejects.toMatchObject({ code: "Unauthorized" });
    await expect(main(rpc).createShare("ses_1", 42 as unknown as string)).rejects.toMatchObject({ code: "Unauthorized" });
    const share = await main(rpc).createShare("ses_1", TOKEN);
    expect(share.epoch).toBe(0);
  }, 30_000);

  it("maxOpsPerBatch, maxItemBytes, maxBodyBytes and maxCallsInFlight refuse with typed errors; the share is unchanged; an honest batch applies", async () => {
    const share = await main(rpc).createShare("ses_1", TOKEN);
    const append = (ops: unknown) => main(rpc).redeemShare(share.id, share.secret).appendOps(ops as never);
    await expect(append([op(1, part("a", 1)), op(2, part("b", 1)), op(3, part("c", 1))])).rejects.toMatchObject({ code: "BatchTooLarge" });
    await expect(append([op(1, big(400))])).rejects.toMatchObject({ code: "ItemTooLarge" });
    await expect(main(rpc).syncShare(share.id, share.secret, [part("a", 1), part("b", 1), part("c", 1)])).rejects.toMatchObject({ code: "BatchTooLarge" });

    // A body past maxBodyBytes, declared (Content-Length) or streamed (chunked, no length).
    const declared = await fetch(rpc, { method: "POST", body: "x".repeat(LIMITS.maxBodyBytes + 1) });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toMatch(/^\["abort",.*BodyTooLarge/);
    const chunks = [new TextEncoder().encode("y".repeat(5000)), new TextEncoder().encode("y".repeat(5000))];
    const stream = new ReadableStream<Uint8Array>({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } });
    const streamed = await fetch(rpc, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.text()).toMatch(/BodyTooLarge/);
    // More calls in one batch than maxCallsInFlight (counted as serve counts them): refused before any runs.
    const calls = await fetch(rpc, { method: "POST", body: Array(LIMITS.maxCallsInFlight + 2).fill('["push",["pipeline",0,["cursor"],[]]]').join("\n") });
    expect(calls.status).toBe(429);
    expect(await calls.text()).toMatch(/^\["abort",.*TooManyCalls/);

    expect(await main(rpc).redeemShare(share.id, share.secret).cursor()).toBe(0);
    const ack = await append([op(1, part("a", 1)), op(2, part("b", 1))]);
    expect(ack).toMatchObject({ cursor: 2, applied: ["w1/1", "w1/2"], rejected: [] });
  }, 30_000);
});

describe("the Worker without an operator token, or with a bad one", () => {
  it("no OPERATOR_TOKEN: nobody may create shares", async () => {
    const rpc = await worker(workerBindings({ dedupe: parsePolicy("permanent") }));
    await expect(main(rpc).createShare("ses_1", TOKEN)).rejects.toMatchObject({ code: "Unauthorized", message: expect.stringMatching(/disabled/) });
  }, 60_000);

  it("an OPERATOR_TOKEN too short: every request is refused as misconfigured, the token never echoed", async () => {
    const short = "short-tok-XYZ";
    const rpc = await worker(workerBindings({ dedupe: parsePolicy("permanent"), operatorToken: short }));
    const r = await fetch(rpc, { method: "POST", body: "" });
    const body = await r.text();
    expect(r.status).toBe(500);
    expect(body).toMatch(/^misconfigured: OPERATOR_TOKEN: the operator token must be 16 to 256 characters/);
    expect(body).not.toContain(short);
  }, 60_000);
});
