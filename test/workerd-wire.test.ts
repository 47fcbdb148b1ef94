// The real wire against workerd: `sturdy serve --runtime workerd` in a child process (the Worker of
// deploy/worker, a SQLite-backed Durable Object per share, persisted in a temp directory), the real
// Outbox + Flusher in this process over capnweb's HTTP batch and WebSocket sessions. Mid-run the
// client crashes with a batch in flight (its resend must come back as duplicates), then the
// server's process group — node, miniflare and the workerd process — is SIGKILLed, twice, and
// restarted on the same port and directory. Judged by the independent reference model and checks
// (sim/model, sim/check), never by the product's own fold: the share, read back both over RPC and
// from the Durable Object's SQLite file itself, must hold exactly the user's writes, each op
// applied once.
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { newHttpBatchRpcSession, type RpcStub } from "capnweb";
import type { FlushEvent, FlusherOptions } from "../src/client/flusher.js";
import type { Ack } from "../src/protocol/envelope.js";
import type { ShareCapApi, ShareInfo, ShareRead, ShareServerApi } from "../src/protocol/api.js";
import type { SyncItem } from "../src/protocol/items.js";
import { WebSocketConnector } from "../src/runtime/connectors.js";
import { generateWorkload, WorkloadSpec } from "../sim/world/workload.js";
import { SimRng } from "../sim/world/rng.js";
import { decodeShare, readShareRows, type StoredRow } from "../sim/check/share-reader.js";
import { judgeConvergence } from "../sim/check/convergence.js";
import type { InvariantId } from "../sim/check/violations.js";
import { createShare, ROOT, ServeProcess, sleep, waitFor, type ServeInfo } from "../scripts/load/serve-process.js";
import { RealClientNode, type Transport } from "../scripts/load/real-client-node.js";

const OPS = 60;
/** Server kills, at these counts of acked ops. */
const KILL_AT = [15, 35];
/** A client the test crashes at the end if it is still up. */
function track(node: RealClientNode): RealClientNode {
  cleanups.push(() => node.crash());
  return node;
}

const FLUSHER: FlusherOptions = { maxBatch: 8, timeoutMs: 500, backoff: { baseMs: 20, maxMs: 200 }, expectCursor: false };
const START_TIMEOUT_MS = 60_000;
const OPERATOR_TOKEN = "workerd-wire-operator-token";


const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await ServeProcess.killAll();
  for (const fn of cleanups.splice(0).reverse()) {
    try { await fn(); } catch { /* keep cleaning */ }
  }
});

/** The share as the Worker serves it: cursor and rows in one read, through a fresh HTTP batch session. */
async function readOverRpc(info: ServeInfo, share: ShareInfo): Promise<ShareRead> {
  const main = newHttpBatchRpcSession<ShareServerApi>(info.rpc);
  const cap = main.redeemShare(share.id, share.secret) as unknown as RpcStub<ShareCapApi>;
  return (await cap.readOnly().read()) as ShareRead;
}

/** The share's Durable Object database, opened as a plain SQLite file once workerd has stopped. */
function readObjectFile(persist: string, shareID: string): { rows: StoredRow[]; cursor: number; ledger: number; hwm: number } {
  const dirs = readdirSync(persist).map((d) => join(persist, d));
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite").map((f) => join(d, f)));
  for (const file of files) {
    const db = new Database(file, { readonly: true });
    try {
      const hasShares = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'shares'").pluck().get() === 1;
      const cursor = hasShares ? (db.prepare("SELECT cursor FROM shares WHERE id = ?").pluck().get(shareID) as number | undefined) : undefined;
      if (cursor === undefined) continue;
      return {
        rows: readShareRows(db, shareID),
        cursor,
        ledger: db.prepare("SELECT COUNT(*) FROM op_ledger WHERE share_id = ?").pluck().get(shareID) as number,
        hwm: db.prepare("SELECT COALESCE(SUM(hwm), 0) FROM writer_hwm WHERE share_id = ?").pluck().get(shareID) as number,
      };
    } finally {
      db.close();
    }
  }
  throw new Error(`no Durable Object file in ${persist} holds ${shareID} (${files.length} files)`);
}

/** The reference model's verdict on rows: every report C1/C2/S1 would make. */
function judge(rows: StoredRow[], items: SyncItem[]): string[] {
  const reports: string[] = [];
  const decoded = decodeShare(rows);
  const lost = judgeConvergence({ decoded, writers: [items], excluded: new Set(), outboxes: [] }, (inv: InvariantId, kind, message) => void reports.push(`${inv} ${kind}: ${message}`));
  if (lost > 0) reports.push(`${lost} of the user's rows lost or stale`);
  return reports;
}

async function workerdRun(transport: Transport, dedupe: string) {
  const persist = mkdtempSync(join(tmpdir(), "sturdy-workerd-"));
  cleanups.push(() => rmSync(persist, { recursive: true, force: true }));
  const clientDir = mkdtempSync(join(tmpdir(), "sturdy-workerd-client-"));
  cleanups.push(() => rmSync(clientDir, { recursive: true, force: true }));
  const start = (port?: number) => ServeProcess.start({ runtime: "workerd", persist, dedupe, port, operatorToken: OPERATOR_TOKEN, startTimeoutMs: START_TIMEOUT_MS });
  let server = await start();
  const info = server.info;
  expect(info).toMatchObject({ runtime: "workerd", url: `http://127.0.0.1:${info.port}`, persist, createShare: true });
  const share = await createShare(info, OPERATOR_TOKEN, "ses_1");

  const actions = generateWorkload(WorkloadSpec.parse({ ops: OPS }), new SimRng(1));
  const enqueues = actions.flatMap((a) => (a.kind === "enqueue" ? [a] : []));
  expect(enqueues).toHaveLength(OPS);
  const items: SyncItem[] = [];
  const opIDs: string[] = [];
  const acks: Ack[] = [];
  const errors: string[] = [];
  const sentAt = new Map<string, number>();
  const rtts: number[] = [];
  let kills = 0;
  let killing: Promise<void> | undefined;
  const acked = () => new Set(acks.flatMap((a) => [...a.applied, ...a.duplicates])).size;

  let crashedBatch: string[] | undefined;
  let crashArmed = true;
  const onEvent = (e: FlushEvent, node: RealClientNode) => {
    if (e.kind === "send") {
      sentAt.set(e.batchID, node.clock.now());
      if (crashArmed && !e.resend && acked() > 0) {
        // The client stops with this batch on the wire: the Worker applies it, the ack is never recorded.
        crashArmed = false;
        crashedBatch = e.opIDs;
        node.flusher.stop();
      } else if (crashedBatch !== undefined && killing === undefined && kills < KILL_AT.length && acked() >= KILL_AT[kills]!) {
        // SIGKILL the server a moment after a batch left: it may or may not have been applied.
        kills += 1;
        killing = sleep(1).then(() => server.kill());
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
  const clientDb = join(clientDir, "client.db");
  const enqueue = (node: RealClientNode, i: number) => {
    const a = enqueues[i]!;
    opIDs[i] = node.outbox.enqueue(a.item, a.dependsOn.map((d) => opIDs[d]!));
    items[i] = a.item;
    node.flusher.kick();
  };

  // Phase 1: the client crashes with a batch in flight and restarts from its outbox file: the resend
  // of what the Worker already applied must come back as duplicates.
  const half = OPS / 4;
  let client = track(new RealClientNode(clientDb, transport, info, share, FLUSHER, onEvent));
  for (let i = 0; i < half; i++) enqueue(client, i);
  await waitFor(() => crashedBatch !== undefined, 20_000, "the client to crash with a batch in flight");
  const appliedBeforeCrash = acked() + crashedBatch!.length;
  await waitFor(async () => (await readOverRpc(info, share)).cursor === appliedBeforeCrash, 20_000, "the in-flight batch to be applied");
  client.crash();
  client = track(new RealClientNode(clientDb, transport, info, share, FLUSHER, onEvent));
  client.flusher.kick();

  // Phase 2: the user keeps working; the server is SIGKILLed twice, each time restarted on the same
  // port and directory while the client keeps retrying.
  const restarts: number[] = [];
  const restarter = (async () => {
    for (let k = 0; k < KILL_AT.length; k++) {
      await waitFor(() => killing !== undefined, 60_000, `server kill ${k + 1}`);
      await killing;
      await sleep(200);
      const t0 = Date.now();
      server = await start(info.port);
      restarts.push(Date.now() - t0);
      killing = undefined;
    }
  })();
  for (let i = half; i < OPS; i++) {
    enqueue(client, i);
    await sleep(20);
  }
  await restarter;
  await waitFor(() => {
    const c = client.outbox.counts();
    return c.pending === 0 && c.in_flight === 0;
  }, 30_000, "the outbox to drain after the restarts");
  expect(client.outbox.counts()).toEqual({ pending: 0, in_flight: 0, acked: OPS, failed: 0 });

  // Over RPC: the reference model finds nothing lost, stale or stored twice; the cursor counts
  // applications, so it equals the number of ops exactly when each applied once.
  const live = await readOverRpc(info, share);
  expect(judge(live.rows, items)).toEqual([]);
  expect(live.cursor).toBe(OPS);
  const applied = acks.flatMap((a) => a.applied);
  const duplicates = acks.flatMap((a) => a.duplicates);
  expect(new Set(applied).size).toBe(applied.length);
  expect(new Set([...applied, ...duplicates])).toEqual(new Set(opIDs));
  for (const id of crashedBatch!) {
    expect(applied).not.toContain(id); // its first ack was lost with the client...
    expect(duplicates).toContain(id); // ...so the resend was recognised, not applied again
  }
  expect(acks.every((a) => a.rejected.length === 0)).toBe(true);
  await expectSameHttpSurface(info.url);

  // From the object's own SQLite file, after a graceful stop: the same rows, one ledger entry (or
  // one writer mark step) per op.
  expect(await server.stop()).toBe(0);
  const file = readObjectFile(persist, share.id);
  expect(file.rows).toEqual(live.rows);
  expect(file.cursor).toBe(OPS);
  if (dedupe === "writer-seq") expect(file.hwm).toBe(OPS);
  else expect(file.ledger).toBe(OPS);

  const sorted = [...rtts].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  const summary = {
    transport, dedupe, ops: OPS, kills, restarts: restarts.length, restartMs: restarts,
    lost: judge(live.rows, items).length, appliedTwice: applied.length - new Set(applied).size,
    batches: rtts.length, rttMs: { p50: pct(0.5), p95: pct(0.95), max: sorted[sorted.length - 1] },
    duplicateAcks: duplicates.length, errors: errors.length,
    ...(client.connector instanceof WebSocketConnector ? { connects: client.connector.connects } : {}),
  };
  console.log(`workerd-wire ${JSON.stringify(summary)}`);
  return summary;
}

/** What `sturdy serve` answers outside RPC, the Worker answers too (test/real-wire.test.ts checks serve's). */
async function expectSameHttpSurface(url: string): Promise<void> {
  const health = await fetch(`${url}/healthz`);
  expect([health.status, await health.text()]).toEqual([200, "ok"]);
  expect((await fetch(`${url}/nope`)).status).toBe(404);
  expect((await fetch(`${url}/ws`)).status).toBe(404); // no upgrade: serve's node handler says 404 too
  expect((await fetch(`${url}/rpc`)).status).toBe(405); // capnweb's batch endpoint, as nodeHttpBatchRpcResponse
  const fromPage = await fetch(`${url}/rpc`, { method: "POST", body: "", headers: { origin: "https://evil.example" } });
  expect(fromPage.status).toBe(403);
}

describe("real wire against workerd: the Worker killed and restarted, Durable Objects persisted", () => {
  it("http batch (permanent ledger): converges, nothing lost, nothing applied twice", async () => {
    const summary = await workerdRun("http-batch", "permanent");
    expect(summary.kills).toBe(KILL_AT.length);
    expect(summary.restarts).toBe(KILL_AT.length);
  }, 180_000);

  it("websocket (writer-seq ledger): converges, nothing lost, nothing applied twice, reconnects", async () => {
    const summary = await workerdRun("websocket", "writer-seq");
    expect(summary.kills).toBe(KILL_AT.length);
    expect(summary.connects).toBeGreaterThanOrEqual(KILL_AT.length + 1);
  }, 180_000);
});

describe("sturdy serve --runtime: usage", () => {
  it.each([
    [["--runtime", "deno"], /--runtime must be node or workerd/],
    [["--runtime", "workerd", "--db", "x.db"], /--db is for --runtime node/],
    [["--runtime", "workerd", "--host", "0.0.0.0"], /--host is for --runtime node/],
    [["--persist", "objects"], /--persist is for --runtime workerd/],
  ])("bad usage %j exits 2 with one clear line", (args, message) => {
    const r = spawnSync(process.execPath, ["bin/sturdy.mjs", "serve", "--port", "0", ...(args as string[])], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
