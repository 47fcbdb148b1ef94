// Every limit of `sturdy serve`, exceeded over the real wire: one `sturdy serve` child process with
// small limits (--limits), reached through the shipped connectors and, where a connector would
// never send such a thing, through a raw socket. For each: the typed error (its `code`), the
// server's database unchanged (every row of every table, read with SQL), and the next honest
// request succeeding. Also: who may create shares, NoSuchMethod, garbage, and no secret in the logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { RpcStub } from "capnweb";
import { WebSocket } from "ws";
import { createShare, ServeProcess, sleep } from "../scripts/load/serve-process.js";
import { HttpBatchConnector, WebSocketConnector } from "../src/runtime/connectors.js";
import type { ShareCapApi, ShareInfo } from "../src/protocol/api.js";
import type { Ack, Op } from "../src/protocol/envelope.js";
import type { Connector } from "../src/client/connector.js";
import { errorCode } from "../src/protocol/errors.js";
import { DEFAULT_LIMITS, utf8Length, type ServerLimits } from "../src/server/limits.js";
import { DEFAULT_FLUSHER } from "../src/client/flusher.js";
import { formatOpId } from "../src/protocol/op-id.js";

const TOKEN = "operator-token-of-the-limits-test";
const LIMITS: Partial<ServerLimits> = {
  maxBodyBytes: 64 * 1024,
  maxFrameBytes: 64 * 1024,
  wsMaxPayloadBytes: 128 * 1024,
  maxOpsPerBatch: 16,
  maxItemBytes: 8 * 1024,
  maxCallsInFlight: 8,
  maxSessionsPerShare: 3,
  idleTimeoutMs: 1_500,
  requestTimeoutMs: 1_500,
};

let dir: string;
let server: ServeProcess;
let share: ShareInfo;
let reader: Database.Database;
let nextSeq = 1;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sturdy-limits-"));
  server = await ServeProcess.start({ db: join(dir, "server.db"), operatorToken: TOKEN, limits: LIMITS });
  share = await createShare(server.info, TOKEN, "ses_limits");
  reader = new Database(join(dir, "server.db"), { readonly: true, fileMustExist: true });
}, 60_000);

afterAll(async () => {
  reader?.close();
  await ServeProcess.killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Every row of every table of the server's database. */
function dump(): string {
  const tables = reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  return JSON.stringify(tables.map((t) => [t, reader.prepare(`SELECT * FROM "${t}" ORDER BY 1, 2`).all()]));
}

/** An op of this test's writer; `text` sizes its item. */
function op(text = "hello", seq = nextSeq++): Op {
  return {
    op_id: formatOpId("wl", seq), batch_id: `wl/b${seq}`, seq: 0, writer_id: "wl", writer_seq: seq, depends_on: [], capability_epoch: 0,
    item: { type: "part", data: { id: `prt_${seq}`, messageID: "msg_1", text, version: 0 } },
  };
}

function capOf(connector: Connector, creds = share): RpcStub<ShareCapApi> {
  return connector.main().redeemShare(creds.id, creds.secret) as unknown as RpcStub<ShareCapApi>;
}

async function failure(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail");
}

/** The next honest request, over both wires, applies; and the server answers health checks. */
async function honestSucceeds(): Promise<void> {
  for (const connector of [new HttpBatchConnector(server.info.rpc), new WebSocketConnector(server.info.ws)]) {
    const o = op();
    const ack = (await capOf(connector).appendOps([o])) as Ack;
    connector.close();
    expect(ack.applied).toEqual([o.op_id]);
  }
  expect((await fetch(`${server.info.url}/healthz`)).status).toBe(200);
  expect(server.alive).toBe(true);
}

/** `attack` fails with `code` and leaves the database as it was; then honest requests succeed. */
async function refusedWith(code: string, attack: () => Promise<unknown>): Promise<void> {
  const before = dump();
  expect(errorCode(await attack())).toBe(code);
  expect(dump()).toBe(before);
  await honestSucceeds();
}

const wires = (): [string, () => HttpBatchConnector | WebSocketConnector][] => [
  ["http batch", () => new HttpBatchConnector(server.info.rpc)],
  ["websocket", () => new WebSocketConnector(server.info.ws)],
];

describe("sturdy serve: every limit over the real wire", () => {
  it("starts clean: the limits it printed are the ones asked for", async () => {
    expect(server.info.limits).toMatchObject(LIMITS);
    expect(server.info.createShare).toBe(true);
    await honestSucceeds();
  });

  it.each(wires())("maxOpsPerBatch over %s → BatchTooLarge", async (_wire, connect) => {
    const c = connect();
    await refusedWith("BatchTooLarge", () => failure(capOf(c).appendOps(Array.from({ length: 17 }, () => op()))));
    c.close();
  });

  it.each(wires())("maxItemBytes over %s → ItemTooLarge", async (_wire, connect) => {
    const c = connect();
    await refusedWith("ItemTooLarge", () => failure(capOf(c).appendOps([op("x".repeat(9 * 1024))])));
    c.close();
  });

  it("maxBodyBytes over http batch → BodyTooLarge (413)", async () => {
    const c = new HttpBatchConnector(server.info.rpc);
    const big = Array.from({ length: 12 }, () => op("y".repeat(7 * 1024)));
    await refusedWith("BodyTooLarge", () => failure(capOf(c).appendOps(big)));
    const raw = await fetch(server.info.rpc, { method: "POST", body: "z".repeat(70 * 1024) });
    expect(raw.status).toBe(413);
    expect(await raw.text()).toContain('"code":"BodyTooLarge"');
  });

  it("maxFrameBytes over websocket → FrameTooLarge", async () => {
    const c = new WebSocketConnector(server.info.ws);
    const big = Array.from({ length: 12 }, () => op("y".repeat(7 * 1024)));
    await refusedWith("FrameTooLarge", () => failure(capOf(c).appendOps(big)));
    c.close();
  });

  it("wsMaxPayloadBytes: a larger frame is cut by the socket layer (close 1009, 'message too big')", async () => {
    const before = dump();
    const ws = await openSocket();
    const closed = new Promise<number>((done) => ws.once("close", (code) => done(code)));
    ws.send(JSON.stringify(["push", ["pipeline", 0, ["redeemShare"], [share.id, share.secret, "w".repeat(130 * 1024)]]]));
    expect(await closed).toBe(1009);
    expect(dump()).toBe(before);
    await honestSucceeds();
  });

  it("maxCallsInFlight over http batch → TooManyCalls (429), nothing of the batch runs", async () => {
    const c = new HttpBatchConnector(server.info.rpc);
    await refusedWith("TooManyCalls", () => {
      const cap = capOf(c);
      const reads = Array.from({ length: 7 }, () => cap.cursor());
      return failure(Promise.all([...reads, cap.appendOps([op()])]));
    });
  });

  it("maxCallsInFlight over websocket → TooManyCalls, the call over the limit does not run", async () => {
    const c = new WebSocketConnector(server.info.ws);
    await refusedWith("TooManyCalls", () => {
      const cap = capOf(c); // call 1; 7 reads make 8 held, the append is the 9th
      const reads = Array.from({ length: 7 }, () => cap.cursor());
      return failure(Promise.all([...reads, cap.appendOps([op()])]));
    });
    c.close();
  });

  it("maxSessionsPerShare → TooManySessions; a slot frees when a session ends", async () => {
    const own = await createShare(server.info, TOKEN, "ses_sessions"); // no other test's sessions hold it
    const holders = Array.from({ length: 3 }, () => new WebSocketConnector(server.info.ws));
    for (const h of holders) expect(await capOf(h, own).cursor()).toBe(0);
    const extra = new WebSocketConnector(server.info.ws);
    await refusedWith("TooManySessions", () => failure(capOf(extra, own).appendOps([op()])));
    holders.shift()!.close();
    await sleep(200); // the server sees the close
    const o = op();
    expect(((await capOf(extra, own).appendOps([o])) as Ack).applied).toEqual([o.op_id]);
    for (const h of [...holders, extra]) h.close();
  });

  it("idleTimeoutMs → IdleTimeout: a silent WebSocket is told why, then closed", async () => {
    const before = dump();
    const ws = await openSocket();
    const said = new Promise<string>((done) => ws.once("message", (data) => done(String(data))));
    const closed = new Promise<number>((done) => ws.once("close", (code) => done(code)));
    expect(await said).toContain('"code":"IdleTimeout"');
    expect(await closed).toBe(1008);
    // Through the connector, the session's stub learns the typed reason too.
    const c = new WebSocketConnector(server.info.ws);
    const broken = new Promise<unknown>((done) => c.main().onRpcBroken(done));
    expect(errorCode(await broken)).toBe("IdleTimeout");
    expect(dump()).toBe(before);
    await honestSucceeds();
  });

  it("requestTimeoutMs → RequestTimeout (408): a body that trickles in is cut off", async () => {
    const before = dump();
    const answer = await slowPost(server.info.port);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"code":"RequestTimeout"');
    expect(dump()).toBe(before);
    await honestSucceeds();
  });
});

it("the default limits hold the Flusher's largest batch: 8 items of maxItemBytes with their envelopes", () => {
  const item = { type: "part" as const, data: { id: "prt_1", messageID: "msg_1", text: "", version: 0 } };
  const envelope = utf8Length(JSON.stringify(op())) - utf8Length(JSON.stringify(item));
  const batch = DEFAULT_FLUSHER.maxBatch * (DEFAULT_LIMITS.maxItemBytes + envelope + 1_024); // + capnweb's framing, generously
  expect(batch).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBodyBytes);
  expect(batch).toBeLessThanOrEqual(DEFAULT_LIMITS.maxFrameBytes);
  expect(DEFAULT_LIMITS.maxFrameBytes).toBeLessThanOrEqual(DEFAULT_LIMITS.wsMaxPayloadBytes);
});

describe("sturdy serve: who may do what, and garbage", () => {
  it.each(wires())("createShare over %s: Unauthorized without the operator token, a share with it", async (_wire, connect) => {
    const c = connect();
    await refusedWith("Unauthorized", () => failure(c.main().createShare("ses_x", "not-the-token-at-all")));
    await refusedWith("Unauthorized", () => failure((c.main() as unknown as { createShare(s: string): Promise<unknown> }).createShare("ses_x")));
    const created = (await c.main().createShare("ses_y", TOKEN)) as ShareInfo;
    expect(created.secret).not.toBe(share.secret);
    c.close();
  });

  it.each(wires())("a wrong secret over %s → WrongSecret; writes nothing", async (_wire, connect) => {
    const c = connect();
    await refusedWith("WrongSecret", () => failure(capOf(c, { ...share, secret: `${share.secret}x` }).appendOps([op()])));
    c.close();
  });

  it.each(wires())("appendOps on a read-only stub over %s → NoSuchMethod, not capnweb's TypeError", async (_wire, connect) => {
    const c = connect();
    const read = capOf(c).readOnly() as unknown as { appendOps(ops: Op[]): Promise<unknown> };
    const e = await failure(read.appendOps([op()]));
    expect(errorCode(e)).toBe("NoSuchMethod");
    expect(String(e)).toContain("appendOps");
    c.close();
    await honestSucceeds();
  });

  it("garbage: a body that is not capnweb → MalformedMessage (400); a garbage or binary frame → MalformedMessage", async () => {
    const before = dump();
    const raw = await fetch(server.info.rpc, { method: "POST", body: "\u0000garbage{[" });
    expect(raw.status).toBe(400);
    expect(await raw.text()).toContain('"code":"MalformedMessage"');
    for (const frame of ["not json at all", Buffer.from([0, 1, 2, 3])]) {
      const ws = await openSocket();
      const said = new Promise<string>((done) => ws.once("message", (data) => done(String(data))));
      ws.send(frame);
      expect(await said).toContain('"code":"MalformedMessage"');
      ws.close();
    }
    expect(dump()).toBe(before);
    await honestSucceeds();
  });

  it("no secret and no token ever reached the server's output", () => {
    expect(server.stderr).not.toContain(share.secret);
    expect(server.stderr).not.toContain(TOKEN);
  });
});

/** A raw WebSocket to /ws, open. */
function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(server.info.ws);
  return new Promise((done, fail) => {
    ws.once("open", () => done(ws));
    ws.once("error", fail);
  });
}

/** POST /rpc announcing 1,000 bytes and sending 10, then waiting: the server's whole answer. */
function slowPost(port: number): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1000\r\n\r\n["push",`);
    });
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("close", () => done(answer));
    socket.on("error", fail);
  });
}
