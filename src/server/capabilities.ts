// capnweb capabilities over the ShareStore. Inputs are validated here, at the RPC boundary: a bad
// call gets a typed SturdyError and changes nothing. Every check that needs no database runs
// before the store is touched; the store's own checks (share, secret, epoch) run before its first
// write, inside its transaction.
import { RpcTarget } from "capnweb";
import { z } from "zod/v4";
import { MAX_BATCH_OPS, OpBatch, type Ack, type Op } from "../protocol/envelope.js";
import { boundedString, SyncItem } from "../protocol/items.js";
import { SturdyError } from "../protocol/errors.js";
import type { ShareInfo, ShareRead, ShareRow } from "../protocol/api.js";
import type { ShareStore } from "./share-store.js";

const Credential = boundedString(256, 1);
const SyncItems = z.array(SyncItem).max(MAX_BATCH_OPS);

/** Too many entries is its own, cheaper verdict: it is decided before any entry is parsed. */
function checkBatchSize(what: string, value: unknown): void {
  if (Array.isArray(value) && value.length > MAX_BATCH_OPS) {
    throw new SturdyError("BatchTooLarge", `${what}: ${value.length} entries exceed ${MAX_BATCH_OPS}`);
  }
}

export function parseOps(ops: unknown): Op[] {
  checkBatchSize("ops", ops);
  const parsed = OpBatch.safeParse(ops);
  if (!parsed.success) throw new SturdyError("MalformedOps", summarize(parsed.error));
  return parsed.data;
}

export function parseItems(data: unknown): SyncItem[] {
  checkBatchSize("data", data);
  const parsed = SyncItems.safeParse(data);
  if (!parsed.success) throw new SturdyError("MalformedOps", summarize(parsed.error));
  return parsed.data;
}

export function parseCredential(what: string, value: unknown): string {
  const parsed = Credential.safeParse(value);
  if (!parsed.success) throw new SturdyError("MalformedCredentials", `${what} must be a non-empty string of at most 256 characters`);
  return parsed.data;
}

export function parseCredentials(shareID: unknown, secret: unknown): [string, string] {
  return [parseCredential("share id", shareID), parseCredential("secret", secret)];
}

function summarize(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.map(String).join(".") || "(root)"}: ${first.message}` : "invalid input";
}

/**
 * Read-only attenuation: no appendOps exists on this object, so the RPC layer refuses the call.
 * It inherits the epoch of the capability it was cut from and dies with it on revocation.
 */
export class ReadCap extends RpcTarget {
  private readonly capEpoch: number;
  /** `capEpoch` defaults to the share's epoch now: a read capability cut today dies at the next revocation. */
  constructor(private readonly store: ShareStore, private readonly shareID: string, capEpoch?: number) {
    super();
    this.capEpoch = capEpoch ?? store.current(shareID).epoch;
  }
  cursor(): number { return live(this.store, this.shareID, this.capEpoch).cursor; }
  snapshot(): ShareRow[] {
    live(this.store, this.shareID, this.capEpoch);
    return this.store.snapshot(this.shareID);
  }
  /** cursor() then snapshot() may straddle a commit; this reads both in one transaction. */
  read(): ShareRead {
    const { epoch, cursor, rows } = this.store.read(this.shareID);
    if (epoch !== this.capEpoch) throw staleEpoch(this.capEpoch, epoch);
    return { cursor, rows };
  }
}

/** A live capability on one share, valid for the epoch it was redeemed in. */
export class ShareCap extends RpcTarget {
  constructor(private readonly store: ShareStore, private readonly id: string, private readonly capEpoch: number) { super(); }
  shareID(): string { return this.id; }
  cursor(): number { return live(this.store, this.id, this.capEpoch).cursor; }
  epoch(): number { return this.capEpoch; }
  appendOps(ops: unknown): Ack { return this.store.appendOps(this.id, this.capEpoch, parseOps(ops)); }
  readOnly(): ReadCap {
    live(this.store, this.id, this.capEpoch);
    return new ReadCap(this.store, this.id, this.capEpoch);
  }
  snapshot(): ShareRow[] {
    live(this.store, this.id, this.capEpoch);
    return this.store.snapshot(this.id);
  }
}

/** The share as it is now, if a capability of `capEpoch` still speaks for it (revocation kills reads too). */
function live(store: ShareStore, shareID: string, capEpoch: number) {
  const share = store.current(shareID);
  if (share.epoch !== capEpoch) throw staleEpoch(capEpoch, share.epoch);
  return share;
}

function staleEpoch(capEpoch: number, shareEpoch: number): SturdyError {
  return new SturdyError("StaleEpoch", `capability epoch ${capEpoch} is older than share epoch ${shareEpoch}`);
}

/**
 * Today's sync path behind `syncShare`, given already validated input: the store's own one-transaction
 * apply, or a model of the cloudsession server (src/legacy), which answers once its storage has.
 */
export interface SyncShareHandler {
  syncShare(shareID: string, secret: string, items: SyncItem[]): { ok: true } | Promise<{ ok: true }>;
}

/** The server's main capability: what an unauthenticated peer can ask for. */
export class ShareServerTarget extends RpcTarget {
  /** `legacy`: who serves `syncShare` (default: the store, in one transaction). */
  constructor(private readonly store: ShareStore, private readonly legacy: SyncShareHandler = store) { super(); }

  createShare(sessionID: unknown): ShareInfo {
    return this.store.createShare(parseCredential("session id", sessionID));
  }

  /** Sturdy-ref redemption: durable credentials in, a live capability (current epoch) out. */
  redeemShare(shareID: unknown, secret: unknown): ShareCap {
    const [id, sec] = parseCredentials(shareID, secret);
    const share = this.store.authenticate(id, sec);
    return new ShareCap(this.store, share.id, share.epoch);
  }

  revoke(shareID: unknown, secret: unknown): ShareInfo {
    return this.store.revoke(...parseCredentials(shareID, secret));
  }

  syncShare(shareID: unknown, secret: unknown, data: unknown): { ok: true } | Promise<{ ok: true }> {
    const [id, sec] = parseCredentials(shareID, secret);
    return this.legacy.syncShare(id, sec, parseItems(data));
  }
}
