// The capability interfaces both sides agree on. Implemented by RpcTargets in src/server.
import type { Ack, Op } from "./envelope.js";
import type { SyncItem } from "./items.js";

export interface ShareInfo { id: string; secret: string; url: string; epoch: number }

export interface ShareCapApi {
  shareID(): string;
  cursor(): number;
  epoch(): number;
  appendOps(ops: Op[]): Ack;
  readOnly(): ReadCapApi;
  snapshot(): ShareRow[];
}

export interface ReadCapApi {
  cursor(): number;
  snapshot(): ShareRow[];
}

export interface ShareServerApi {
  createShare(sessionID: string): ShareInfo;
  redeemShare(shareID: string, secret: string): ShareCapApi;
  revoke(shareID: string, secret: string): ShareInfo;
  syncShare(shareID: string, secret: string, data: SyncItem[]): { ok: true };
}

/** One row of share state: `key` is unique except for legacy append-only diffs (`dup` > 0). */
export interface ShareRow { key: string; dup: number; value: string }
