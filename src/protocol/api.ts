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
  /** The cursor and the rows it covers, read together: the share after exactly the first `cursor` ops. */
  read(): ShareRead;
}

export interface ShareServerApi {
  /** Operator only: the server's operator token (sturdy serve --operator-token-file). */
  createShare(sessionID: string, operatorToken: string): ShareInfo;
  redeemShare(shareID: string, secret: string): ShareCapApi;
  revoke(shareID: string, secret: string): ShareInfo;
  syncShare(shareID: string, secret: string, data: SyncItem[]): { ok: true };
}

/** A consistent read of a share: its rows are the fold of exactly the ops at cursors 1..cursor. */
export interface ShareRead { cursor: number; rows: ShareRow[] }

/** One row of share state: `key` is unique except for legacy append-only diffs (`dup` > 0). */
export interface ShareRow { key: string; dup: number; value: string }
