// What a hostile client sends, one attack per entry, each with the refusal it must get. Every write
// an attack attempts carries the simulator's intruder mark (sim/world/intruder-op.ts), so if one
// ever lands, the checker finds it in the share's database (S4) whatever else it forged; an answer
// that applied something, or a share created without the operator token, is counted unauthorised
// on the spot. An attacker has a share of its own (stale epochs, sessions, calls need one) and
// knows the honest shares' ids (they are in their URLs), never their secrets.
import { connect } from "node:net";
import type { RpcStub } from "capnweb";
import { WebSocket } from "ws";
import { HttpBatchConnector, WebSocketConnector } from "../../src/runtime/connectors.js";
import type { ShareCapApi, ShareInfo } from "../../src/protocol/api.js";
import type { Op } from "../../src/protocol/envelope.js";
import { intruderOp } from "../../sim/world/intruder-op.js";
import { INTRUDER_MARK } from "../../sim/check/intruder.js";
import type { ServeInfo } from "./serve-process.js";

/** What an attack expects: a typed error code, or (for a frame `ws` cuts) a close code. */
export type Refusal = { code: string } | { close: number };

export interface AttackContext {
  server: ServeInfo;
  /** The attacker's own share; revoking it rotates these credentials. */
  own: ShareInfo;
  /** Honest shares' ids (public), to forge against. */
  honestIDs: string[];
  actor: string;
  attempt: number;
}

export interface Attack {
  name: string;
  refusal: Refusal;
  /**
   * Whether its write, were it applied, would be a breach of authority (a forged or stale
   * credential, a read-only capability, no operator token): then it is unauthorised. The other
   * attacks write to the attacker's own share with its current credentials, which may write: if
   * one of those lands, a limit or a validation was not enforced.
   */
  breach?: true;
  /** Resolves with what came back; throws what the server refused with. */
  run(ctx: AttackContext): Promise<unknown>;
}

type Cap = RpcStub<ShareCapApi>;
type AnyConnector = HttpBatchConnector | WebSocketConnector;

function capOn(connector: AnyConnector, share: { id: string; secret: string }): Cap {
  return connector.main().redeemShare(share.id, share.secret) as unknown as Cap;
}

/** Runs `use` with a connector of the given wire, and closes it whatever happens. */
async function over<T>(wire: "http" | "ws", ctx: AttackContext, use: (c: AnyConnector) => Promise<T>): Promise<T> {
  const c = wire === "http" ? new HttpBatchConnector(ctx.server.rpc) : new WebSocketConnector(ctx.server.ws);
  try {
    return await use(c);
  } finally {
    c.close();
  }
}

function markedOp(ctx: AttackContext, n: number, textBytes = 0): Op {
  const op = intruderOp(`${ctx.actor}-a${ctx.attempt}`, n, ctx.own.epoch);
  if (textBytes > 0) op.item = { type: "part", data: { id: `prt_${ctx.actor}-a${ctx.attempt}_${n}`, messageID: "msg_intruder", text: `${INTRUDER_MARK} ${"x".repeat(textBytes)}`, version: 0 } };
  return op;
}

function batch(ctx: AttackContext, count: number, textBytes = 0): Op[] {
  return Array.from({ length: count }, (_, i) => markedOp(ctx, i + 1, textBytes));
}

export const ATTACKS: Attack[] = [
  { name: "garbage body (http)", refusal: { code: "MalformedMessage" }, run: (ctx) => rawPost(ctx.server.rpc, "\u0000\u00ff not capnweb {[") },
  { name: "garbage frame (ws)", refusal: { code: "MalformedMessage" }, run: (ctx) => rawFrame(ctx.server.ws, "}{ garbage") },
  { name: "binary frame (ws)", refusal: { code: "MalformedMessage" }, run: (ctx) => rawFrame(ctx.server.ws, Buffer.from([0xde, 0xad, 0xbe, 0xef])) },
  {
    name: "oversized body (http)", refusal: { code: "BodyTooLarge" },
    run: (ctx) => over("http", ctx, (c) => capOn(c, ctx.own).appendOps(batch(ctx, 12, 30 * 1024))),
  },
  {
    name: "oversized frame (ws)", refusal: { code: "FrameTooLarge" },
    run: (ctx) => over("ws", ctx, (c) => capOn(c, ctx.own).appendOps(batch(ctx, 12, 30 * 1024))),
  },
  { name: "frame past ws maxPayload", refusal: { close: 1009 }, run: (ctx) => rawFrame(ctx.server.ws, `["push",${JSON.stringify("x".repeat(600 * 1024))}]`) },
  {
    name: "oversized item", refusal: { code: "ItemTooLarge" },
    run: (ctx) => over(ctx.attempt % 2 ? "ws" : "http", ctx, (c) => capOn(c, ctx.own).appendOps([markedOp(ctx, 1, 70 * 1024)])),
  },
  {
    name: "too many ops in a batch", refusal: { code: "BatchTooLarge" },
    run: (ctx) => over(ctx.attempt % 2 ? "http" : "ws", ctx, (c) => capOn(c, ctx.own).appendOps(batch(ctx, 257))),
  },
  {
    name: "forged secret on an honest share", refusal: { code: "WrongSecret" }, breach: true,
    run: (ctx) => over(ctx.attempt % 2 ? "ws" : "http", ctx, (c) => {
      const victim = ctx.honestIDs[ctx.attempt % ctx.honestIDs.length]!;
      // The op_id an honest writer will use next, had the attacker guessed its writer id.
      const forged = { ...markedOp(ctx, 1), op_id: "w-guessed/1", writer_id: "w-guessed", writer_seq: 1 };
      return capOn(c, { id: victim, secret: `secret-${ctx.actor}-${ctx.attempt}` }).appendOps([forged]);
    }),
  },
  {
    name: "forged op_id (not writer/seq)", refusal: { code: "MalformedOps" },
    run: (ctx) => over(ctx.attempt % 2 ? "http" : "ws", ctx, (c) => capOn(c, ctx.own).appendOps([{ ...markedOp(ctx, 1), op_id: "someone-else/1" }])),
  },
  { name: "stale capability after a revoke", refusal: { code: "StaleEpoch" }, breach: true, run: staleCapability },
  { name: "stale epoch stamped on an op", refusal: { code: "StaleEpoch" }, breach: true, run: staleStamp },
  {
    name: "createShare without the operator token", refusal: { code: "Unauthorized" }, breach: true,
    run: (ctx) => over(ctx.attempt % 2 ? "ws" : "http", ctx, (c) => c.main().createShare(`ses_${ctx.actor}`, "guessed-operator-token")),
  },
  {
    name: "appendOps on a read-only stub", refusal: { code: "NoSuchMethod" }, breach: true,
    run: (ctx) => over(ctx.attempt % 2 ? "http" : "ws", ctx, (c) => (capOn(c, ctx.own).readOnly() as unknown as Cap).appendOps([markedOp(ctx, 1)])),
  },
  { name: "calls flood (ws)", refusal: { code: "TooManyCalls" }, run: callsFlood },
  { name: "sessions flood", refusal: { code: "TooManySessions" }, run: sessionsFlood },
  { name: "slow request body (http)", refusal: { code: "RequestTimeout" }, run: (ctx) => slowPost(ctx.server.port) },
  { name: "silent WebSocket", refusal: { code: "IdleTimeout" }, run: (ctx) => rawFrame(ctx.server.ws, undefined) },
];

/** A capability redeemed before its share is revoked writes after it. */
async function staleCapability(ctx: AttackContext): Promise<unknown> {
  return over("ws", ctx, async (c) => {
    const cap = capOn(c, ctx.own);
    const epoch = (await cap.epoch()) as number;
    ctx.own = (await c.main().revoke(ctx.own.id, ctx.own.secret)) as ShareInfo;
    return cap.appendOps([intruderOp(`${ctx.actor}-a${ctx.attempt}`, 1, epoch)]);
  });
}

/** Fresh credentials, an op stamped with the epoch before them: refused per op, in the ack. */
async function staleStamp(ctx: AttackContext): Promise<unknown> {
  const old = ctx.own.epoch;
  ctx.own = (await over("http", ctx, (c) => c.main().revoke(ctx.own.id, ctx.own.secret))) as ShareInfo;
  const ack = (await over("http", ctx, (c) => capOn(c, ctx.own).appendOps([intruderOp(`${ctx.actor}-a${ctx.attempt}`, 1, old)])));
  const { applied, rejected } = ack as { applied: string[]; rejected: { reason: string }[] };
  if (applied.length === 0 && rejected.length > 0 && rejected.every((r) => r.reason === "StaleEpoch")) throw Object.assign(new Error("StaleEpoch"), { code: "StaleEpoch" });
  return ack;
}

/**
 * More calls in one WebSocket session than maxCallsInFlight, none of them awaited until all are
 * sent. Reads only: the attacker may write to its own share, so a write would prove nothing.
 */
function callsFlood(ctx: AttackContext): Promise<unknown> {
  return over("ws", ctx, (c) => {
    const cap = capOn(c, ctx.own);
    return Promise.all(Array.from({ length: ctx.server.limits.maxCallsInFlight + 8 }, () => cap.cursor()));
  });
}

/**
 * More sessions holding the attacker's share than maxSessionsPerShare, all opened at once. Reads
 * only, as above: a session the idle timeout closed meanwhile frees a slot, legitimately.
 */
async function sessionsFlood(ctx: AttackContext): Promise<unknown> {
  const connectors = Array.from({ length: ctx.server.limits.maxSessionsPerShare + 1 }, () => new WebSocketConnector(ctx.server.ws));
  try {
    return await Promise.all(connectors.map((c) => capOn(c, ctx.own).cursor()));
  } finally {
    for (const c of connectors) c.close();
  }
}

/** A raw POST: the refusal is in the body (capnweb's abort message) whatever the status. */
async function rawPost(url: string, body: string): Promise<unknown> {
  const res = await fetch(url, { method: "POST", body });
  throw refusalIn(await res.text(), `HTTP ${res.status}`);
}

/** Sends `frame` on a raw WebSocket (nothing: stays silent) and reports how the server answered. */
function rawFrame(url: string, frame: string | Buffer | undefined): Promise<unknown> {
  return new Promise((_resolve, reject) => {
    const ws = new WebSocket(url);
    let said = "";
    ws.once("open", () => { if (frame !== undefined) ws.send(frame); });
    ws.on("message", (data) => (said += String(data)));
    ws.once("close", (code) => reject(said ? refusalIn(said, `close ${code}`) : Object.assign(new Error(`closed ${code}`), { closeCode: code })));
    ws.once("error", reject);
  });
}

/** POST /rpc announcing 1,000 bytes, sending 10, then waiting for the server's answer. */
function slowPost(port: number): Promise<unknown> {
  return new Promise((_resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1000\r\n\r\n["push",`));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.once("close", () => reject(refusalIn(answer, "connection closed")));
    socket.once("error", reject);
  });
}

/** The attack that wrote an intruder row, from the row's part id (markedOp's), if it is one of ours. */
export function attackOfRow(key: string): Attack | undefined {
  const attempt = /^part:prt_attacker-\d+-a(\d+)_\d+$/.exec(key)?.[1];
  return attempt === undefined ? undefined : ATTACKS[Number(attempt) % ATTACKS.length];
}

/** The typed error a capnweb abort message carries, as an Error with its code. */
function refusalIn(text: string, what: string): Error {
  const code = /"code":"([A-Za-z]+)"/.exec(text)?.[1];
  return Object.assign(new Error(`${what}: ${text.slice(0, 80)}`), code ? { code } : {});
}
