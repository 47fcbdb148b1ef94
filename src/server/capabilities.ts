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
import { checkBatchSize, checkItemSizes, DEFAULT_LIMITS, type ServerLimits } from "./limits.js";
import { requireOperator, type OperatorAuth } from "./auth.js";
import type { SessionTicket } from "./share-sessions.js";

const Credential = boundedString(256, 1);
const SyncItems = z.array(SyncItem).max(MAX_BATCH_OPS);

/** The limits a single call is held to (the rest are the host's: body, frames, timeouts). */
export type CallLimits = Pick<ServerLimits, "maxOpsPerBatch" | "maxItemBytes">;

function parseOps(ops: unknown, limits: CallLimits = DEFAULT_LIMITS): Op[] {
  checkBatchSize("ops", ops, limits);
  const parsed = OpBatch.safeParse(ops);
  if (!parsed.success) throw new SturdyError("MalformedOps", summarize(parsed.error));
  checkItemSizes("ops", parsed.data.map((op) => op.item), limits);
  return parsed.data;
}

function parseItems(data: unknown, limits: CallLimits): SyncItem[] {
  checkBatchSize("data", data, limits);
  const parsed = SyncItems.safeParse(data);
  if (!parsed.success) throw new SturdyError("MalformedOps", summarize(parsed.error));
  checkItemSizes("data", parsed.data, limits);
  return parsed.data;
}

function parseCredential(what: string, value: unknown): string {
  const parsed = Credential.safeParse(value);
  if (!parsed.success) throw new SturdyError("MalformedCredentials", `${what} must be a non-empty string of at most 256 characters`);
  return parsed.data;
}

function parseCredentials(shareID: unknown, secret: unknown): [string, string] {
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
  constructor(private readonly store: ShareStore, private readonly id: string, private readonly capEpoch: number, private readonly limits?: CallLimits) { super(); }
  shareID(): string { return this.id; }
  cursor(): number { return live(this.store, this.id, this.capEpoch).cursor; }
  epoch(): number { return this.capEpoch; }
  appendOps(ops: unknown): Ack { return this.store.appendOps(this.id, this.capEpoch, parseOps(ops, this.limits)); }
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
/**
 * Today's sync path behind `syncShare`, given already validated input: the store's own one-transaction
 * apply, or a model of the cloudsession server (src/legacy), which answers once its storage has.
 */
export interface SyncShareHandler {
  syncShare(shareID: string, secret: string, items: SyncItem[]): { ok: true } | Promise<{ ok: true }>;
}

/**
 * What one RPC session may do, as its host decided: who may create shares (absent: nobody over
 * the wire), the per-call limits (absent: DEFAULT_LIMITS), and this session's ticket for
 * maxSessionsPerShare (absent: no bound). The simulator's sessions pass nothing.
 */
export interface SessionAccess {
  operator?: OperatorAuth;
  limits?: CallLimits;
  ticket?: SessionTicket;
}

/** The server's main capability: what a peer can ask for before it holds any share's secret. */
export class ShareServerTarget extends RpcTarget {
  /** `legacy`: who serves `syncShare` (default: the store, in one transaction). */
  constructor(
    private readonly store: ShareStore,
    private readonly access: SessionAccess = {},
    private readonly legacy: SyncShareHandler = store,
  ) { super(); }

  /** Operator only: the token first, so a peer without it learns nothing about its arguments. */
  createShare(sessionID: unknown, operatorToken?: unknown): ShareInfo {
    requireOperator(this.access.operator, operatorToken);
    return this.store.createShare(parseCredential("session id", sessionID));
  }

  /** Sturdy-ref redemption: durable credentials in, a live capability (current epoch) out. */
  redeemShare(shareID: unknown, secret: unknown): ShareCap {
    const [id, sec] = parseCredentials(shareID, secret);
    const share = this.store.authenticate(id, sec);
    this.access.ticket?.hold(share.id);
    return new ShareCap(this.store, share.id, share.epoch, this.access.limits);
  }

  revoke(shareID: unknown, secret: unknown): ShareInfo {
    return this.store.revoke(...parseCredentials(shareID, secret));
  }

  syncShare(shareID: unknown, secret: unknown, data: unknown): { ok: true } | Promise<{ ok: true }> {
    const [id, sec] = parseCredentials(shareID, secret);
    return this.legacy.syncShare(id, sec, parseItems(data, this.access.limits ?? DEFAULT_LIMITS));
  }
}
