// The Worker's side of the share service: the main capability each capnweb session gets, routing
// every call to the Durable Object of the share it names, and relays for the capabilities those
// objects hand back. The objects run the same capabilities as `sturdy serve` (share-object.ts); the
// Worker adds only what routing needs:
//   * input is validated here first, with the same parsers (a malformed share id cannot pick an
//     object; a hostile payload never reaches Workers RPC, which could not even carry some of it),
//     and again in the object, harmlessly;
//   * a refusal keeps its SturdyError code across Workers RPC (relay-error.ts).
import { RpcTarget } from "capnweb";
import type { Ack, Op } from "../protocol/envelope.js";
import type { ShareInfo, ShareRead, ShareRow } from "../protocol/api.js";
import type { SyncItem } from "../protocol/items.js";
import type { Rng } from "../protocol/ports.js";
import { parseCredential, parseCredentials, parseItems, parseOps, type CallLimits } from "../server/capabilities.js";
import { relayed } from "./relay-error.js";

/** What the Worker holds of a ReadCap living in a Durable Object (a Workers RPC stub). */
export interface RemoteReadCap extends Partial<Disposable> {
  cursor(): Promise<number>;
  snapshot(): Promise<ShareRow[]>;
  read(): Promise<ShareRead>;
}

/** What the Worker holds of a ShareCap living in a Durable Object. */
export interface RemoteShareCap extends Partial<Disposable> {
  shareID(): Promise<string>;
  cursor(): Promise<number>;
  epoch(): Promise<number>;
  appendOps(ops: Op[]): Promise<Ack>;
  readOnly(): Promise<RemoteReadCap>;
  snapshot(): Promise<ShareRow[]>;
}

/** One share's Durable Object, as Workers RPC shows it (ShareObjectCore's methods, made remote). */
export interface ShareObjectApi {
  createShare(sessionID: string, shareID: string): Promise<ShareInfo>;
  redeemShare(shareID: string, secret: string): Promise<RemoteShareCap>;
  revoke(shareID: string, secret: string): Promise<ShareInfo>;
  syncShare(shareID: string, secret: string, data: SyncItem[]): Promise<{ ok: true }>;
}

/** The object a share lives in: `namespace.get(namespace.idFromName(shareID))` when deployed. */
export type ShareObjects = (shareID: string) => ShareObjectApi;

export interface ShareRouterOptions {
  /** Names new shares; the production Worker gives it real randomness (SystemRng). */
  rng: Rng;
  /**
   * Called first by createShare with the token the caller passed; throws to refuse (the deployed
   * Worker: requireOperator with OPERATOR_TOKEN, worker-settings.ts). Required: a router that lets
   * anyone create shares has to say so.
   */
  authorizeCreate: (operatorToken: unknown) => void;
  /** maxOpsPerBatch and maxItemBytes, checked here and again in the object with the same limits. */
  limits: CallLimits;
}

export class ShareRouter extends RpcTarget {
  constructor(private readonly objects: ShareObjects, private readonly options: ShareRouterOptions) { super(); }

  createShare(sessionID: unknown, operatorToken?: unknown): Promise<ShareInfo> {
    this.options.authorizeCreate(operatorToken);
    const session = parseCredential("session id", sessionID);
    const id = this.options.rng.id("share-");
    return relayed(this.objects(id).createShare(session, id));
  }

  async redeemShare(shareID: unknown, secret: unknown): Promise<RelayShareCap> {
    const [id, sec] = parseCredentials(shareID, secret);
    return new RelayShareCap(await relayed(this.objects(id).redeemShare(id, sec)), this.options.limits);
  }

  revoke(shareID: unknown, secret: unknown): Promise<ShareInfo> {
    const [id, sec] = parseCredentials(shareID, secret);
    return relayed(this.objects(id).revoke(id, sec));
  }

  syncShare(shareID: unknown, secret: unknown, data: unknown): Promise<{ ok: true }> {
    const [id, sec] = parseCredentials(shareID, secret);
    const items = parseItems(data, this.options.limits);
    return relayed(this.objects(id).syncShare(id, sec, items));
  }
}

/** A ShareCap for the client, forwarding to the one in the share's object. */
export class RelayShareCap extends RpcTarget {
  constructor(private readonly remote: RemoteShareCap, private readonly limits: CallLimits) { super(); }
  shareID(): Promise<string> { return relayed(this.remote.shareID()); }
  cursor(): Promise<number> { return relayed(this.remote.cursor()); }
  epoch(): Promise<number> { return relayed(this.remote.epoch()); }
  appendOps(ops: unknown): Promise<Ack> {
    const parsed = parseOps(ops, this.limits);
    return relayed(this.remote.appendOps(parsed));
  }
  async readOnly(): Promise<RelayReadCap> { return new RelayReadCap(await relayed(this.remote.readOnly())); }
  snapshot(): Promise<ShareRow[]> { return relayed(this.remote.snapshot()); }
  /** capnweb disposes this when the client drops it: release the object's capability too. */
  [Symbol.dispose](): void { this.remote[Symbol.dispose]?.(); }
}

/** A ReadCap for the client, forwarding to the one in the share's object. */
export class RelayReadCap extends RpcTarget {
  constructor(private readonly remote: RemoteReadCap) { super(); }
  cursor(): Promise<number> { return relayed(this.remote.cursor()); }
  snapshot(): Promise<ShareRow[]> { return relayed(this.remote.snapshot()); }
  read(): Promise<ShareRead> { return relayed(this.remote.read()); }
  [Symbol.dispose](): void { this.remote[Symbol.dispose]?.(); }
}
