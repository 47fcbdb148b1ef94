// Round trips of the share server on each wire, `sturdy serve` (node) beside the Worker in workerd
// (`sturdy serve --runtime workerd`): `npx tsx scripts/wire-rtt.ts [--calls N]`. Each runtime runs
// in its own child process on 127.0.0.1, as an operator would start it; the client here sends what
// the Flusher sends per batch — redeemShare(id, secret).appendOps([one op]), pipelined — N times in
// sequence on each wire (HTTP batch: one POST per call; WebSocket: one connection) after a warm-up,
// and prints p50/p95/max in ms of wall-clock time. A figure of this machine at this moment: the
// node server answers in its own process, the Worker passes each call on to a Durable Object.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newHttpBatchRpcSession, newWebSocketRpcSession, type RpcStub } from "capnweb";
import type { ShareServerApi } from "../src/protocol/api.js";
import type { Op } from "../src/protocol/envelope.js";
import { ensureWebSocketGlobal, WsWebSocket } from "../src/runtime/websocket.js";
import { createShare, ServeProcess, type ServeInfo } from "./load/serve-process.js";

/** This script's own operator token for its short-lived servers (each creates one share). */
const OPERATOR_TOKEN = "wire-rtt-operator-token";

const WARMUP = 20;
const calls = Number(process.argv[process.argv.indexOf("--calls") + 1] ?? 200) || 200;

function op(seq: number): Op[] {
  return [{
    op_id: `rtt/${seq}`, batch_id: `rtt/b${seq}`, seq: 0, writer_id: "rtt", writer_seq: seq, depends_on: [], capability_epoch: 0,
    item: { type: "part", data: { id: `p${seq % 8}`, messageID: "m1", text: `v${seq}`, version: seq } },
  }];
}

async function timeCalls(send: (seq: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let seq = 1; seq <= WARMUP + calls; seq++) {
    const t0 = performance.now();
    await send(seq);
    if (seq > WARMUP) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

function summary(times: number[]): string {
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${times[times.length - 1]!.toFixed(2)} ms`;
}

async function measure(info: ServeInfo): Promise<{ batch: string; websocket: string }> {
  const { id, secret } = await createShare(info, OPERATOR_TOKEN, "ses_rtt");
  let next = 0;
  const batch = await timeCalls(() => newHttpBatchRpcSession<ShareServerApi>(info.rpc).redeemShare(id, secret).appendOps(op(++next)));
  ensureWebSocketGlobal();
  const socket = new WsWebSocket(info.ws);
  const main = newWebSocketRpcSession<ShareServerApi>(socket as unknown as WebSocket) as RpcStub<ShareServerApi>;
  // As the Flusher does: each redeemed capability is released after its call, or the socket's
  // session would hold them all and `sturdy serve` would refuse past maxCallsInFlight.
  const websocket = await timeCalls(async () => {
    const cap = main.redeemShare(id, secret);
    try {
      return await cap.appendOps(op(++next));
    } finally {
      cap[Symbol.dispose]();
    }
  });
  main[Symbol.dispose]();
  socket.terminate();
  return { batch: summary(batch), websocket: summary(websocket) };
}

const dir = mkdtempSync(join(tmpdir(), "sturdy-rtt-"));
try {
  for (const runtime of ["node", "workerd"] as const) {
    const server = await ServeProcess.start(runtime === "node"
      ? { db: join(dir, "rtt.db"), operatorToken: OPERATOR_TOKEN }
      : { runtime, persist: join(dir, "objects"), operatorToken: OPERATOR_TOKEN, startTimeoutMs: 60_000 });
    try {
      const r = await measure(server.info);
      console.log(`${runtime.padEnd(7)} http batch  ${r.batch}`);
      console.log(`${runtime.padEnd(7)} websocket   ${r.websocket}`);
    } finally {
      await server.stop();
    }
  }
  console.log(`(${calls} sequential calls per wire after ${WARMUP} warm-up; each call: redeemShare(..).appendOps([1 op]), pipelined)`);
} finally {
  await ServeProcess.killAll();
  rmSync(dir, { recursive: true, force: true });
}
