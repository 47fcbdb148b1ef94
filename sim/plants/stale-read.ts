// Planted: reads served from a stale snapshot. Someone put a cache in front of the share's rows
// "to spare the database" and refreshes it after answering, so every read shows the rows as they
// were at the previous read while its cursor is current: a state the share never had (R1). Only a
// reader that checks the rows against its cursor sees it; the rows do converge once writes stop.
import { ReadCap, ShareCap } from "../../src/server/capabilities.js";
import type { ShareRead, ShareRow } from "../../src/protocol/api.js";
import type { ShareStore } from "../../src/server/share-store.js";
import { serverHanding } from "./cap-wrapper.js";

/** The cache lives as long as the store (a server restart empties it), one entry per share. */
const cached = new WeakMap<ShareStore, Map<string, ShareRow[]>>();

class StaleReadCap extends ReadCap {
  constructor(private readonly myStore: ShareStore, private readonly myID: string, capEpoch: number) {
    super(myStore, myID, capEpoch);
  }
  override read(): ShareRead {
    const fresh = super.read();
    const shares = cached.get(this.myStore) ?? new Map<string, ShareRow[]>();
    cached.set(this.myStore, shares);
    const rows = shares.get(this.myID) ?? fresh.rows;
    shares.set(this.myID, fresh.rows);
    return { cursor: fresh.cursor, rows };
  }
}

class StaleReadShareCap extends ShareCap {
  constructor(private readonly myStore: ShareStore, private readonly myID: string, private readonly myEpoch: number) {
    super(myStore, myID, myEpoch);
  }
  override readOnly(): ReadCap {
    super.readOnly(); // its epoch check
    return new StaleReadCap(this.myStore, this.myID, this.myEpoch);
  }
}

export const staleReadMain = serverHanding(StaleReadShareCap);
