// A viewer of the share: it redeems the share, attenuates its capability to read-only and, being
// hostile, tries to append through the read-only stub anyway. Every such call must fail at the RPC
// layer. What it forges carries the intruder mark, so S4 sees it in the database too.
import { RpcSession, type RpcStub } from "capnweb";
import type { ShareInfo, ShareServerApi } from "../../src/protocol/api.js";
import type { Op } from "../../src/protocol/envelope.js";
import type { Clock } from "../../src/protocol/ports.js";
import type { BatchWire } from "../batch.js";
import { accepted, intruderOp } from "./intruder-op.js";

export interface HostileContext {
  record(kind: string, detail: string): void;
  /** The forged write took effect. */
  intrusion(detail: string): void;
}

export function startViewer(wire: BatchWire, clock: Clock, share: () => ShareInfo, everyMs: number, until: number, ctx: HostileContext): void {
  let attempt = 0;
  const tick = () => {
    if (clock.now() > until) return;
    attempt += 1;
    const creds = share();
    const main = new RpcSession<ShareServerApi>(wire.openSession()).getRemoteMain() as unknown as RpcStub<ShareServerApi>;
    const readOnly = main.redeemShare(creds.id, creds.secret).readOnly();
    const forged = intruderOp("viewer", attempt, creds.epoch);
    // The stub's type has no appendOps; a hostile peer sends the call anyway.
    (readOnly as unknown as { appendOps(ops: Op[]): Promise<unknown> }).appendOps([forged]).then(
      (result) => {
        ctx.record("viewer-append-answered", forged.op_id);
        if (accepted(result)) ctx.intrusion(`viewer appended ${forged.op_id} through a read-only stub`);
      },
      (e: unknown) => ctx.record("viewer-append-refused", e instanceof Error ? e.message.slice(0, 60) : String(e)),
    );
    clock.setTimer(everyMs, tick);
  };
  clock.setTimer(everyMs, tick);
}
