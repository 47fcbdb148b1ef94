// An honest viewer: every so often it redeems the share's link, attenuates it to read-only and reads
// the cursor and the rows in one call (ReadCap.read, pipelined in one exchange), over the same
// faulty wire as the client, so it sees lost requests, server crashes and revocations. Each round is
// a reconnect (a fresh batch session). One read is outstanding at a time: a read that does not come
// back within the timeout is abandoned (its late answer is ignored, as a UI drops a stale request),
// so the reads it judges reached the server in the order they were answered. It draws no randomness.
import { RpcSession, type RpcStub } from "capnweb";
import type { ShareInfo, ShareRead, ShareServerApi } from "../../src/protocol/api.js";
import type { Clock } from "../../src/protocol/ports.js";
import { withTimeout } from "../../src/client/timeout.js";
import type { BatchWire } from "../net/batch-wire.js";

export interface ReaderSpec { name: string; everyMs: number; timeoutMs: number; until: number }

export interface ReaderContext {
  record(kind: string, detail: string): void;
  /** The read of `shareID` is being sent; returns what the judge needs to know of that moment. */
  sending(shareID: string): number;
  /** A read of `shareID`, sent at `token`, came back. */
  answered(shareID: string, token: number, read: ShareRead): void;
}

export function startReader(wire: BatchWire, clock: Clock, share: () => ShareInfo, spec: ReaderSpec, ctx: ReaderContext): void {
  let round = 0;
  const next = () => { if (clock.now() <= spec.until) clock.setTimer(spec.everyMs, tick); };
  const tick = () => {
    round += 1;
    const creds = share();
    const token = ctx.sending(creds.id);
    const main = new RpcSession<ShareServerApi>(wire.openSession()).getRemoteMain() as unknown as RpcStub<ShareServerApi>;
    const read = main.redeemShare(creds.id, creds.secret).readOnly().read() as unknown as Promise<ShareRead>;
    withTimeout(read, spec.timeoutMs, clock).then(
      (r) => {
        ctx.record("read", `${spec.name}#${round} ${creds.id} cursor=${r.cursor} rows=${r.rows.length}`);
        ctx.answered(creds.id, token, r);
        next();
      },
      (e: unknown) => {
        ctx.record("read-failed", `${spec.name}#${round}: ${(e instanceof Error ? e.message : String(e)).slice(0, 60)}`);
        next();
      },
    );
  };
  next();
}
