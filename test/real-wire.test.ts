// The real wire: `sturdy serve` in a child process on 127.0.0.1, the real Outbox + Flusher in this
// process over capnweb's own HTTP batch and WebSocket sessions, with wall-clock timeouts.
// Per transport: the client crashes with a batch in flight (its resend must come back as
// duplicates), then the server is SIGKILLed mid-run and restarted on the same database and port.
// The share must converge to the fold of every op, with the cursor equal to the number of ops.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newHttpBatchRpcSession, type RpcStub } from "capnweb";
import type { FlushEvent, FlusherOptions } from "../src/client/flusher.js";
import type { Ack } from "../src/protocol/envelope.js";
import type { ShareCapApi, ShareRow, ShareServerApi } from "../src/protocol/api.js";
import type { SyncItem } from "../src/protocol/items.js";
import { foldItems } from "../src/protocol/fold.js";
import { WebSocketConnector } from "../src/runtime/connectors.js";
import { generateWorkload, WorkloadSpec } from "../sim/world/workload.js";
import { SimRng } from "../sim/world/rng.js";
import { createShare, ROOT, ServeProcess, sleep, waitFor, type ServeInfo } from "../scripts/load/serve-process.js";
import { RealClientNode, type Transport } from "../scripts/load/real-client-node.js";
import type { ShareInfo } from "../src/protocol/api.js";

const OPS = 60;
const TOKEN = "operator-token-for-the-real-wire-test";
/** A client the test crashes at the end if it is still up. */
function track(node: RealClientNode): RealClientNode {
  cleanups.push(() => node.crash());
  return node;
}

const FLUSHER: FlusherOptions = { maxBatch: 8, timeoutMs: 200, backoff: { baseMs: 20, maxMs: 200 }, expectCursor: false };


const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await ServeProcess.killAll();
  for (const fn of cleanups.splice(0).reverse()) {
    try { await fn(); } catch { /* keep cleaning */ }
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sturdy-wire-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The share as the server holds it, read through a fresh HTTP batch session. */
async function probe(share: ShareInfo, port: number): Promise<{ cursor: number; rows: ShareRow[] }> {
  const main = newHttpBatchRpcSession<ShareServerApi>(`http://127.0.0.1:${port}/rpc`);
  const cap = main.redeemShare(share.id, share.secret) as unknown as RpcStub<ShareCapApi>;
  const [cursor, rows] = await Promise.all([cap.cursor(), cap.snapshot()]);
  return { cursor: cursor as number, rows: rows as ShareRow[] };
}

async function realWireRun(transport: Transport, dedupe: string) {
  const dir = tempDir();
  const serverDb = join(dir, "server.db");
  const clientDb = join(dir, "client.db");
  let server = await ServeProcess.start({ db: serverDb, dedupe, operatorToken: TOKEN });
  const info = server.info;
  const port = info.port;
  expect(info.url).toBe(`http://127.0.0.1:${port}`);
  const share = await createShare(info, TOKEN, "ses_1");

  // ~60 ops: session, user messages with agent/model, parts rewritten while streaming, diffs.
  const actions = generateWorkload(WorkloadSpec.parse({ ops: OPS }), new SimRng(1));
  const enqueues = actions.flatMap((a) => (a.kind === "enqueue" ? [a] : []));
  expect(enqueues).toHaveLength(OPS);
  const items: SyncItem[] = [];
  const opIDs: string[] = [];

  const acks: Ack[] = [];
  const errors: string[] = [];
  const sentAt = new Map<string, number>();
  const rtts: number[] = [];
  let crashedBatch: string[] | undefined;
  let clientCrashArmed = false;
  let serverKillArmed = false;
  let serverKilled = false;
  const ackedOps = () => new Set(acks.flatMap((a) => [...a.applied, ...a.duplicates])).size;

  const onEvent = (e: FlushEvent, node: RealClientNode) => {
    if (e.kind === "send") {
      sentAt.set(e.batchID, node.clock.now());
      if (clientCrashArmed && !e.resend && ackedOps() > 0) {
        // Crash the client with this batch on the wire: the server applies it, the ack is lost.
        clientCrashArmed = false;
        crashedBatch = e.opIDs;
        node.stopFlusher();
      } else if (serverKillArmed && !serverKilled && ackedOps() >= 24) {
        // SIGKILL the server a moment after a batch left: it may or may not have been applied.
        serverKilled = true;
        setTimeout(() => void server.kill(), 1);
      }
    } else if (e.kind === "ack") {
      acks.push(e.ack);
      const t0 = sentAt.get(e.batchID);
      if (t0 !== undefined) rtts.push(node.clock.now() - t0);
      sentAt.delete(e.batchID);
    } else {
      errors.push(e.error);
      sentAt.delete(e.batchID);
    }
  };

  const enqueue = (node: RealClientNode, i: number) => {
    const a = enqueues[i]!;
    opIDs[i] = node.outbox.enqueue(a.item, a.dependsOn.map((d) => opIDs[d]!));
    items[i] = a.item;
    node.flusher.kick();
  };

  // Phase 1: half the workload, durable before anything is sent; the client crashes mid-batch.
  const half = OPS / 2;
  let client = track(new RealClientNode(clientDb, transport, info, share, FLUSHER, onEvent));
  clientCrashArmed = true;
  for (let i = 0; i < half; i++) enqueue(client, i);
  await waitFor(() => crashedBatch !== undefined, 10_000, "the client to crash with a batch in flight");
  const appliedBeforeCrash = ackedOps() + crashedBatch!.length;
  await waitFor(async () => (await probe(share, port)).cursor === appliedBeforeCrash, 10_000, "the in-flight batch to be applied");
  client.crash();

  // Phase 2: the client restarts from its outbox file (in_flight → pending, resent, deduped) and the
  // user keeps working; once 24 ops are acked the server is SIGKILLed mid-run.
  client = track(new RealClientNode(clientDb, transport, info, share, FLUSHER, onEvent));
  expect(client.outbox.counts().pending).toBe(half - ackedOps());
  serverKillArmed = true;
  client.flusher.kick();
  for (let i = half; i < OPS; i++) {
    enqueue(client, i);
    await sleep(3);
  }
  await waitFor(() => serverKilled && !server.alive, 10_000, "the server to be killed");
  const pendingWhileDown = client.outbox.counts();
  await sleep(250); // the client keeps retrying against a closed port
  server = await ServeProcess.start({ db: serverDb, dedupe, port, operatorToken: TOKEN });

  // Convergence: nothing pending or in flight, within a wall-clock bound.
  const t0 = Date.now();
  await waitFor(() => {
    const c = client.outbox.counts();
    return c.pending === 0 && c.in_flight === 0;
  }, 20_000, "the outbox to drain after the server restart");
  const drainMs = Date.now() - t0;

  const counts = client.outbox.counts();
  expect(counts).toEqual({ pending: 0, in_flight: 0, acked: OPS, failed: 0 });

  // C1: the share equals the fold of every op the user made.
  const after = await probe(share, port);
  expect(after.rows).toEqual(foldItems(items));
  // S1: every op applied exactly once — the cursor counts applications.
  expect(after.cursor).toBe(OPS);
  const applied = acks.flatMap((a) => a.applied);
  const duplicates = acks.flatMap((a) => a.duplicates);
  expect(new Set(applied).size).toBe(applied.length); // never reported applied twice
  expect(new Set([...applied, ...duplicates])).toEqual(new Set(opIDs)); // every op acked
  for (const id of crashedBatch!) {
    expect(applied).not.toContain(id); // its first ack was lost with the client...
    expect(duplicates).toContain(id); // ...so the resend was recognised, not re-applied
  }
  expect(acks.every((a) => a.rejected.length === 0)).toBe(true);

  const sorted = [...rtts].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  const summary = {
    transport,
    dedupe,
    batches: rtts.length,
    rttMs: { p50: pct(0.5), p95: pct(0.95), max: sorted[sorted.length - 1] },
    duplicates: duplicates.length,
    errors: errors.length,
    errorKinds: [...new Set(errors.map((e) => e.slice(0, 60)))],
    pendingWhileDown: pendingWhileDown.pending + pendingWhileDown.in_flight,
    drainMs,
    ...(client.connector instanceof WebSocketConnector ? { connects: client.connector.connects } : {}),
  };
  console.log(`real-wire ${JSON.stringify(summary)}`);

  expect(await server.stop()).toBe(0); // graceful SIGTERM
  return { summary, client };
}

describe("real wire: sturdy serve in a child process, killed and restarted", () => {
  it("http batch (permanent ledger): converges, no double-apply", async () => {
    const { summary } = await realWireRun("http-batch", "permanent");
    expect(summary.duplicates).toBeGreaterThan(0);
  }, 30_000);

  it("websocket (writer-seq ledger): converges, no double-apply, reconnects", async () => {
    const { summary } = await realWireRun("websocket", "writer-seq");
    expect(summary.duplicates).toBeGreaterThan(0);
    expect(summary.connects).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

describe("sturdy serve: usage and loopback guard", () => {
  it.each([
    [["--port", "http"], /--port must be/],
    [["--port", "0", "--dedupe", "magic"], /--dedupe must be/],
    [["--port", "0", "--share", "share-404"], /unknown option --share/],
    [["--port", "0", "--verbose"], /unknown option --verbose/],
  ])("bad usage %j exits 2 with one clear line", (args, message) => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, ["bin/sturdy.mjs", "serve", "--db", join(dir, "s.db"), ...(args as string[])], {
      cwd: ROOT, encoding: "utf8", timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it("answers loopback clients only: no browser Origin, no foreign Host", async () => {
    const server = await ServeProcess.start({ db: join(tempDir(), "s.db") });
    const { url, port } = server.info;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const fromPage = await fetch(`${url}/rpc`, { method: "POST", body: "", headers: { origin: "https://evil.example" } });
    expect(fromPage.status).toBe(403);
    const rebound = await new Promise<number>((done, fail) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/rpc", method: "POST", headers: { host: `evil.example:${port}` } }, (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      });
      req.on("error", fail);
      req.end("");
    });
    expect(rebound).toBe(403);
    expect(await server.stop()).toBe(0);
  }, 30_000);
});
