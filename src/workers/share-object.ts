// What one Durable Object holds: a ShareStore over the object's own SQLite storage, and the same
// capnweb capabilities `sturdy serve` hands out (src/server/capabilities.ts), validation included.
// deploy/worker/index.ts's ShareObject class forwards its Workers RPC methods here. The Worker
// routes every share to the object named after it (idFromName), so an object holds one share.
//
// The store (and with it the schema) is opened only by createShare or in an object that already
// has it: a call naming a share that was never created reaches a fresh object, and must be refused
// without writing anything, or every guessed id would leave a stored object behind.
import { ShareStore, type ShareStoreOptions } from "../server/share-store.js";
import { parseCredential, parseCredentials, parseItems, ShareServerTarget, type CallLimits, type ShareCap } from "../server/capabilities.js";
import type { ShareInfo } from "../protocol/api.js";
import { SturdyError } from "../protocol/errors.js";
import type { SqlStore } from "../sqlite/sql-store.js";
import { durableSqlStore, type DurableStorage } from "./durable-sql-store.js";

export class ShareObjectCore {
  private readonly db: SqlStore;
  private opened: { store: ShareStore; main: ShareServerTarget } | undefined;

  /** `limits`: the Worker's (the same LIMITS binding), so a call is held to them in the object too. */
  constructor(storage: DurableStorage, private readonly options: ShareStoreOptions, private readonly limits?: CallLimits) {
    this.db = durableSqlStore(storage);
  }

  /** The Worker names the share (it had to pick this object by that name before the share existed). */
  createShare(sessionID: unknown, shareID: string): ShareInfo {
    const session = parseCredential("session id", sessionID);
    return this.open().store.createShare(session, parseCredential("share id", shareID));
  }

  redeemShare(shareID: unknown, secret: unknown): ShareCap {
    return this.existing(() => parseCredentials(shareID, secret)[0]).main.redeemShare(shareID, secret);
  }

  revoke(shareID: unknown, secret: unknown): ShareInfo {
    return this.existing(() => parseCredentials(shareID, secret)[0]).main.revoke(shareID, secret);
  }

  syncShare(shareID: unknown, secret: unknown, data: unknown): { ok: true } | Promise<{ ok: true }> {
    const checked = () => {
      const [id] = parseCredentials(shareID, secret);
      parseItems(data, this.limits);
      return id;
    };
    return this.existing(checked).main.syncShare(shareID, secret, data);
  }

  private open(): { store: ShareStore; main: ShareServerTarget } {
    if (!this.opened) {
      const store = new ShareStore(this.db, this.options);
      // No operator: createShare is the Worker's to authorize, and it reaches the store directly.
      this.opened = { store, main: new ShareServerTarget(store, this.limits ? { limits: this.limits } : {}) };
    }
    return this.opened;
  }

  /**
   * The store, if this object ever held a share; else the refusal the capabilities would give:
   * `validated` runs the call's input checks (a malformed input is refused as such first) and
   * returns the share id, which no share here has.
   */
  private existing(validated: () => string): { store: ShareStore; main: ShareServerTarget } {
    if (this.opened) return this.opened;
    const hasSchema = this.db.prepareScalar<number>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'shares'").get();
    if (hasSchema === 0) throw new SturdyError("UnknownShare", `no share ${validated()}`);
    return this.open();
  }
}
