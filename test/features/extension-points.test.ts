// The seams the simulator plants bugs through, so that src/ needs no test-only branches: a store
// factory for ShareServer, ShareStore's protected rowWrites and capabilityIsCurrent, and the ledger
// factory in ShareStoreOptions.
import { describe, expect, it } from "vitest";
import type Database from "better-sqlite3";
import type { SqlStore } from "../../src/sqlite/sql-store.js";
import { op, part } from "../helpers.js";
import type { RowWrite } from "../../src/protocol/fold.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { openDatabase, ShareServer } from "../../src/server/share-server.js";
import { ShareStore, type DedupeLedger, type ShareStoreOptions } from "../../src/server/share-store.js";
import { makeLedger, parsePolicy, type DedupePolicy } from "../../src/server/dedupe.js";
import { SimRng } from "../../sim/world/rng.js";

const options = (extra: Partial<ShareStoreOptions> = {}): ShareStoreOptions => ({ dedupe: parsePolicy("permanent"), rng: new SimRng(5, "server"), ...extra });

class TaggedStore extends ShareStore {
  protected override rowWrites(item: SyncItem): RowWrite[] {
    return super.rowWrites(item).map((w) => ({ ...w, key: `tagged:${w.key}` }));
  }
}

class EpochBlindStore extends ShareStore {
  protected override capabilityIsCurrent(): boolean {
    return true;
  }
}

describe("ShareServer's store factory", () => {
  it("defaults to a plain ShareStore", () => {
    const server = new ShareServer(openDatabase(), options());
    expect(Object.getPrototypeOf(server.store)).toBe(ShareStore.prototype);
  });

  it("a subclass's rowWrites decides what every appendOps item writes (syncShare, the legacy path, does not use it)", () => {
    const server = new ShareServer(openDatabase(), options(), (db, o) => new TaggedStore(db, o));
    expect(server.store).toBeInstanceOf(TaggedStore);
    const share = server.store.createShare("ses_1");
    server.store.appendOps(share.id, 0, [op(1, part("a", 0))]);
    server.store.syncShare(share.id, share.secret, [part("b", 0)]);
    expect(server.store.snapshot(share.id).map((r) => r.key)).toEqual(["part:b", "tagged:part:a"]);
  });

  it("capabilityIsCurrent is the capability-epoch check of appendOps", () => {
    for (const [create, outcome] of [[(db: Database.Database, o: ShareStoreOptions) => new ShareStore(db, o), "refused"], [(db: Database.Database, o: ShareStoreOptions) => new EpochBlindStore(db, o), "applied"]] as const) {
      const server = new ShareServer(openDatabase(), options(), create);
      const share = server.store.createShare("ses_1");
      server.store.revoke(share.id, share.secret); // the share is at epoch 1; a capability of epoch 0 is stale
      let result: string;
      try {
        result = server.store.appendOps(share.id, 0, [op(1, part("a", 0), { capability_epoch: 1 })]).applied.length === 1 ? "applied" : "rejected";
      } catch (e) {
        expect(String(e)).toMatch(/^Error: StaleEpoch: /);
        result = "refused";
      }
      expect(result).toBe(outcome);
    }
  });
});

describe("the ledger factory", () => {
  it("replaces makeLedger when given, and is handed the database and the policy", () => {
    const seen: DedupePolicy[] = [];
    const spy = (db: SqlStore, policy: DedupePolicy): DedupeLedger => {
      seen.push(policy);
      const real = makeLedger(db, policy);
      return { ...real, check: () => ({ kind: "new" }), record: () => {} }; // forgets: every retry applies again
    };
    const store = new ShareStore(openDatabase(), options({ ledger: spy }));
    const share = store.createShare("ses_1");
    store.appendOps(share.id, 0, [op(1, part("a", 0))]);
    expect(store.appendOps(share.id, 0, [op(1, part("a", 0))]).applied).toEqual(["w1/1"]);
    expect(seen).toEqual([{ kind: "permanent" }]);
  });

  it("absent, the policy's own ledger dedupes", () => {
    const store = new ShareStore(openDatabase(), options());
    const share = store.createShare("ses_1");
    store.appendOps(share.id, 0, [op(1, part("a", 0))]);
    expect(store.appendOps(share.id, 0, [op(1, part("a", 0))]).duplicates).toEqual(["w1/1"]);
  });
});
