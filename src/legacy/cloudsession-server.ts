// A model of the cloudsession server's syncShare as it runs today, kept as the baseline: it reads
// the share's whole record, merges the items into it (session-record.ts) and writes the record
// back, with awaits between the read and the write and no compare-and-set. Two syncs of one share
// that overlap (a slow one still running when the next arrives, or a proxy's replay of a request)
// can both read the same record, and the later write then drops what the earlier one added: a
// lost update, though each of them answered ok. Credentials are checked against the ShareStore,
// so createShare, revoke and the secret work as on sturdy's own server.
import type { SyncItem } from "../protocol/items.js";
import type { Probe } from "../protocol/probe.js";
import type { ServerEvent, ShareStore } from "../server/share-store.js";
import type { SyncShareHandler } from "../server/capabilities.js";
import type { RecordStorage } from "./record-storage.js";
import { emptyRecord, mergeSync, type SessionRecord } from "./session-record.js";

export interface CloudsessionOptions {
  /** Told of each item once the record holding it is written. */
  observer?: (event: ServerEvent) => void;
  /** Crash points for the simulator; absent in production. */
  probe?: Probe;
}

export class CloudsessionServer implements SyncShareHandler {
  constructor(
    private readonly store: ShareStore,
    private readonly storage: RecordStorage,
    private readonly options: CloudsessionOptions = {},
  ) {}

  async syncShare(shareID: string, secret: string, items: SyncItem[]): Promise<{ ok: true }> {
    const share = this.store.authenticate(shareID, secret);
    const stored = await this.storage.get(shareID);
    const read = stored === undefined ? emptyRecord(share.session_id) : (JSON.parse(stored) as SessionRecord);
    // Whatever another sync writes between the read above and the write below is overwritten.
    await this.storage.put(shareID, JSON.stringify(mergeSync(read, items)));
    for (const item of items) this.options.observer?.({ kind: "synced", shareID, item, via: "syncShare" });
    this.options.probe?.("server.sync.committed");
    return { ok: true };
  }
}
