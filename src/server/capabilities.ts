// capnweb capabilities over the ShareStore. Inputs are validated here, at the RPC boundary: a bad
// call gets a typed SturdyError and changes nothing.
import { RpcTarget } from "capnweb";
import { z } from "zod";
import { MAX_BATCH_OPS, OpBatch, type Ack, type Op } from "../protocol/envelope.js";
import { SyncItem } from "../protocol/items.js";
import { SturdyError } from "../protocol/errors.js";
import type { ShareInfo, ShareRow } from "../protocol/api.js";
import type { ShareStore } from "./share-store.js";

const Credential = z.string().min(1).max(256);

function parseOps(ops: unknown): Op[] {
  if (Array.isArray(ops) && ops.length > MAX_BATCH_OPS) {
    throw new SturdyError("BatchTooLarge", `batch of ${ops.length} ops exceeds ${MAX_BATCH_OPS}`);
  }
  const parsed = OpBatch.safeParse(ops);
  if (!parsed.success) throw new SturdyError("MalformedOps", summarize(parsed.error));
  return parsed.data;
}

function parseCredentials(shareID: unknown, secret: unknown): [string, string] {
  const id = Credential.safeParse(shareID);
  const sec = Credential.safeParse(secret);
  if (!id.success || !sec.success) throw new SturdyError("MalformedOps", "share id and secret must be non-empty strings");
  return [id.data, sec.data];
}

function summarize(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid input";
}

/** Read-only attenuation: no appendOps exists on this object, so the RPC layer refuses the call. */
export class ReadCap extends RpcTarget {
  constructor(private readonly store: ShareStore, private readonly shareID: string) { super(); }
  cursor(): number { return this.store.current(this.shareID).cursor; }
  snapshot(): ShareRow[] { return this.store.snapshot(this.shareID); }
}

/** A live capability on one share, valid for the epoch it was redeemed in. */
export class ShareCap extends RpcTarget {
  constructor(private readonly store: ShareStore, private readonly id: string, private readonly capEpoch: number) { super(); }
  shareID(): string { return this.id; }
  cursor(): number { return this.store.current(this.id).cursor; }
  epoch(): number { return this.capEpoch; }
  appendOps(ops: unknown): Ack { return this.store.appendOps(this.id, this.capEpoch, parseOps(ops)); }
  readOnly(): ReadCap { return new ReadCap(this.store, this.id); }
  snapshot(): ShareRow[] { return this.store.snapshot(this.id); }
}

/** The server's main capability: what an unauthenticated peer can ask for. */
export class ShareServerTarget extends RpcTarget {
  constructor(private readonly store: ShareStore) { super(); }

  createShare(sessionID: unknown): ShareInfo {
    const id = Credential.safeParse(sessionID);
    if (!id.success) throw new SturdyError("MalformedOps", "session id must be a non-empty string");
    return this.store.createShare(id.data);
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

  syncShare(shareID: unknown, secret: unknown, data: unknown): { ok: true } {
    const [id, sec] = parseCredentials(shareID, secret);
    const items = z.array(SyncItem).max(MAX_BATCH_OPS).safeParse(data);
    if (!items.success) throw new SturdyError("MalformedOps", summarize(items.error));
    return this.store.syncShare(id, sec, items.data);
  }
}
