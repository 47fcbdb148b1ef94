// A viewer of the share: it redeems the share, attenuates its capability to read-only and, being
// hostile, tries to append through the read-only stub anyway. Every such call must fail at the RPC
// layer; S4 fails if an op written by the viewer is ever applied.
import { RpcSession, type RpcStub } from "capnweb";
import type { ShareInfo, ShareServerApi } from "../src/protocol/api.js";
import type { Op } from "../src/protocol/envelope.js";
import { formatOpId } from "../src/protocol/op-id.js";
import type { Clock } from "../src/protocol/ports.js";
import type { BatchWire } from "./batch.js";

export const VIEWER_WRITER = "viewer";

export function startViewer(
  wire: BatchWire, clock: Clock, share: () => ShareInfo, everyMs: number, until: number,
  record: (kind: string, detail: string) => void,
  /** The planted bug: attenuation that hands back the full capability. */
  leaky = false,
): void {
  let attempt = 0;
  const tick = () => {
    if (clock.now() > until) return;
    attempt += 1;
    const creds = share();
    const main = new RpcSession<ShareServerApi>(wire.openSession()).getRemoteMain() as unknown as RpcStub<ShareServerApi>;
    const cap = main.redeemShare(creds.id, creds.secret);
    const readOnly = leaky ? cap : cap.readOnly();
    const forged: Op = {
      op_id: formatOpId(VIEWER_WRITER, attempt), batch_id: `${VIEWER_WRITER}/b${attempt}`, seq: 0, writer_id: VIEWER_WRITER, writer_seq: attempt,
      depends_on: [], capability_epoch: creds.epoch,
      item: { type: "session", data: { id: "ses_1", title: "defaced by a viewer" } },
    };
    // The stub's type has no appendOps; a hostile peer sends the call anyway.
    (readOnly as unknown as { appendOps(ops: Op[]): Promise<unknown> }).appendOps([forged]).then(
      () => record("viewer-append-accepted", forged.op_id),
      (e: unknown) => record("viewer-append-refused", e instanceof Error ? e.message.slice(0, 60) : String(e)),
    );
    clock.setTimer(everyMs, tick);
  };
  clock.setTimer(everyMs, tick);
}
