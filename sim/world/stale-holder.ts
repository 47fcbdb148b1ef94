// An old device: it redeemed the share before a revocation and keeps the live capability on its
// socket. After every revoke it writes through that stale stub, stamping the share's new epoch
// (an attacker can guess it), and it redeems its old credentials (the sturdy ref it kept) afresh.
// The server must refuse both: by the capability's own epoch, and by the rotated secret. If a write
// lands, S4 fails.
import type { RpcStub } from "capnweb";
import type { ShareCapApi, ShareInfo, ShareServerApi } from "../../src/protocol/api.js";
import type { Clock } from "../../src/protocol/ports.js";
import type { SocketWire } from "../net/socket-wire.js";
import { accepted, intruderOp } from "./intruder-op.js";
import type { HostileContext } from "./viewer.js";

export class StaleHolder {
  private cap: RpcStub<ShareCapApi> | undefined;
  private readOnly: RpcStub<ShareCapApi["readOnly"]> | undefined;
  private attempt = 0;
  /** The sturdy ref as it was before the first revoke: an old device keeps it. */
  private oldRef: ShareInfo | undefined;

  constructor(private readonly wire: SocketWire, private readonly clock: Clock, private readonly ctx: HostileContext) {}

  /** Redeem while the credentials are still good, and hold on to the capability. */
  redeem(share: ShareInfo): void {
    const { main } = this.wire.connect<ShareServerApi>();
    this.oldRef = share;
    this.cap = main.redeemShare(share.id, share.secret) as unknown as RpcStub<ShareCapApi>;
    this.readOnly = this.cap.readOnly() as unknown as RpcStub<ShareCapApi["readOnly"]>;
    this.ctx.record("stale-holder-redeemed", `epoch ${share.epoch}`);
  }

  /** The share was revoked: write through the old capability with the new epoch, and read through both. */
  afterRevoke(share: ShareInfo): void {
    const cap = this.cap;
    if (!cap) return;
    this.clock.setTimer(1, () => {
      this.tryRead("snapshot", () => cap.snapshot());
      this.tryRead("read-only snapshot", () => (this.readOnly as unknown as { snapshot(): Promise<unknown> }).snapshot());
      this.redeemOldRef(share);
      const forged = intruderOp("stale-holder", ++this.attempt, share.epoch);
      cap.appendOps([forged]).then(
        (result) => {
          this.ctx.record("stale-holder-answered", forged.op_id);
          if (accepted(result)) this.ctx.intrusion(`a capability redeemed before the revoke appended ${forged.op_id} at epoch ${share.epoch}`);
        },
        (e: unknown) => this.ctx.record("stale-holder-refused", e instanceof Error ? e.message.slice(0, 60) : String(e)),
      );
    });
  }

  /** Revocation must also kill the old sturdy ref: redeeming it afresh may not yield a writer. */
  private redeemOldRef(share: ShareInfo): void {
    const old = this.oldRef;
    if (!old) return;
    const { main } = this.wire.connect<ShareServerApi>();
    const forged = intruderOp("old-ref", ++this.attempt, share.epoch);
    (main.redeemShare(old.id, old.secret) as unknown as RpcStub<ShareCapApi>).appendOps([forged]).then(
      (result) => { if (accepted(result)) this.ctx.intrusion(`credentials from before the revoke redeemed the share again and appended ${forged.op_id}`); },
      (e: unknown) => this.ctx.record("old-ref-refused", e instanceof Error ? e.message.slice(0, 60) : String(e)),
    );
  }

  /** A capability from before the revoke must not read either: revocation cuts reads too. */
  private tryRead(what: string, read: () => Promise<unknown>): void {
    read().then(
      () => this.ctx.intrusion(`a capability redeemed before the revoke still reads (${what})`),
      (e: unknown) => this.ctx.record("stale-holder-read-refused", `${what}: ${e instanceof Error ? e.message.slice(0, 60) : String(e)}`),
    );
  }
}
