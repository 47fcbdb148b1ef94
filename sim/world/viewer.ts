// A hostile viewer. Capability security is about what is reachable, so the viewer walks its
// read-only stub: it calls every method name any capability of the API has (capnweb lets a peer
// try any name), with hostile arguments, and walks every capability those calls return, to a
// bounded depth, all pipelined in one exchange. Every write it attempts carries the intruder mark:
// an ack that applied one, or the mark in the share's database, is S4.
import { RpcSession, type RpcStub } from "capnweb";
import type { ShareInfo, ShareServerApi } from "../../src/protocol/api.js";
import type { Clock } from "../../src/protocol/ports.js";
import type { BatchWire } from "../net/batch-wire.js";
import { INTRUDER_MARK } from "../check/intruder.js";
import { accepted, intruderOp } from "./intruder-op.js";

export interface HostileContext {
  record(kind: string, detail: string): void;
  /** The forged write took effect. */
  intrusion(detail: string): void;
}

/** Every method any capability of the API has, and one no capability has. */
const METHOD_NAMES = ["appendOps", "readOnly", "snapshot", "cursor", "epoch", "shareID", "redeemShare", "revoke", "syncShare", "createShare", "grantWrite"] as const;
const MAX_DEPTH = 2;

type Callable = Record<string, (...args: unknown[]) => unknown>;

export function startViewer(wire: BatchWire, clock: Clock, share: () => ShareInfo, everyMs: number, until: number, ctx: HostileContext): void {
  let round = 0;
  const tick = () => {
    if (clock.now() > until) return;
    round += 1;
    const creds = share();
    const main = new RpcSession<ShareServerApi>(wire.openSession()).getRemoteMain() as unknown as RpcStub<ShareServerApi>;
    walk(main.redeemShare(creds.id, creds.secret).readOnly() as unknown as Callable, `r${round}`, 0, { creds, ctx });
    forgeSecrets(main, creds, round, ctx);
    clock.setTimer(everyMs, tick);
  };
  clock.setTimer(everyMs, tick);
}

interface Walk { creds: ShareInfo; ctx: HostileContext }

function walk(stub: Callable, path: string, depth: number, w: Walk): void {
  METHOD_NAMES.forEach((name, i) => {
    const at = `${path}.${name}`;
    let result: unknown;
    try {
      result = stub[name]!(...hostileArgs(name, `${path}-${i}`, w.creds));
    } catch (e) {
      w.ctx.record("viewer-call-refused", `${at}: ${short(e)}`);
      return;
    }
    // A pipelined result may itself be a capability: walk it too.
    if (depth + 1 < MAX_DEPTH) walk(result as Callable, at, depth + 1, w);
    Promise.resolve(result).then(
      (value) => {
        w.ctx.record("viewer-call-answered", at);
        if (accepted(value)) w.ctx.intrusion(`viewer reached a write through ${at}`);
      },
      (e: unknown) => w.ctx.record("viewer-call-refused", `${at}: ${short(e)}`),
    );
  });
}

/**
 * The share's id is public (it is in the URL); its secret is not. A viewer who saw part of a link
 * tries secrets close to the real one: each redemption must fail, and nothing may be written.
 */
function forgeSecrets(main: RpcStub<ShareServerApi>, creds: ShareInfo, round: number, ctx: HostileContext): void {
  const s = creds.secret;
  const guesses = [s.slice(0, -1), s.slice(0, Math.ceil(s.length / 2)), `${s}x`, s.toUpperCase(), ` ${s}`, s.slice(1)];
  guesses.forEach((guess, i) => {
    if (guess === s) return;
    const op = intruderOp(`guesser-${round}-${i}`, 1, creds.epoch);
    Promise.resolve((main.redeemShare(creds.id, guess) as unknown as Callable).appendOps!([op])).then(
      (value) => { if (accepted(value)) ctx.intrusion(`a forged secret (guess ${i}) redeemed the share and wrote ${op.op_id}`); },
      (e: unknown) => ctx.record("guess-refused", short(e)),
    );
  });
}

/** What a hostile peer passes: forged ops, the credentials it was given, marked items, garbage. */
function hostileArgs(name: string, tag: string, creds: ShareInfo): unknown[] {
  const item = { type: "part", data: { id: `prt_viewer_${tag}`, messageID: "msg_intruder", text: `${INTRUDER_MARK} viewer`, version: 0 } };
  switch (name) {
    case "appendOps": return [[intruderOp(`viewer-${tag}`, 1, creds.epoch)]];
    case "syncShare": return [creds.id, creds.secret, [item]];
    case "redeemShare": case "revoke": return [creds.id, creds.secret];
    case "createShare": return [`ses_${INTRUDER_MARK}`];
    default: return ["\u0000' OR 1=1 --", -1, { op_id: 42 }];
  }
}

function short(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 60);
}
