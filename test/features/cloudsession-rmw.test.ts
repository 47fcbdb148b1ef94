// The cloudsession model (src/legacy/cloudsession-server.ts): one sync merges as cloudsession does,
// and two syncs whose reads and writes interleave lose an update, each answering ok. Then the
// checker's detector (sim/check/lost-updates.ts) on records written by hand: it names a stale
// write's losses and nothing a legitimate merge does.
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/server/share-server.js";
import { ShareStore } from "../../src/server/share-store.js";
import { parsePolicy } from "../../src/server/dedupe.js";
import { CloudsessionServer } from "../../src/legacy/cloudsession-server.js";
import { SqliteRecordStorage, type RecordStorage } from "../../src/legacy/record-storage.js";
import { emptyRecord, mergeSync, type SessionRecord } from "../../src/legacy/session-record.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { SimRng } from "../../sim/world/rng.js";
import { LostUpdates } from "../../sim/check/lost-updates.js";
import { readRecordRows } from "../../sim/check/share-reader.js";
import { part } from "../helpers.js";

const message = (id: string): SyncItem => ({ type: "message", data: { id, sessionID: "ses_1", role: "user", agent: "build", model: "openai/gpt-5" } });
const diff = (file: string, additions: number): SyncItem => ({ type: "session_diff", data: { sessionID: "ses_1", diffs: [{ file, additions, deletions: 0 }] } });

/** Storage whose every call waits until the test lets it through, in the order the test chooses. */
class GatedStorage implements RecordStorage {
  readonly waiting: { kind: string; go: () => void }[] = [];
  constructor(private readonly inner: RecordStorage) {}
  get(shareID: string) { return this.gate("get", () => this.inner.get(shareID)); }
  put(shareID: string, record: string) { return this.gate("put", () => this.inner.put(shareID, record)); }
  private gate<T>(kind: string, run: () => Promise<T>): Promise<T> {
    return new Promise((resolve) => this.waiting.push({ kind, go: () => resolve(run()) }));
  }
  /** Lets the oldest waiting call of `kind` through and lets its caller run to its next await. */
  async release(kind: string): Promise<void> {
    const at = this.waiting.findIndex((w) => w.kind === kind);
    expect(at).toBeGreaterThanOrEqual(0);
    this.waiting.splice(at, 1)[0]!.go();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

function world() {
  const db = openDatabase();
  const store = new ShareStore(db, { dedupe: parsePolicy("permanent"), rng: new SimRng(1, "server") });
  const share = store.createShare("ses_1");
  const storage = new GatedStorage(new SqliteRecordStorage(db));
  const synced: SyncItem[] = [];
  const server = new CloudsessionServer(store, storage, { observer: (e) => { if (e.kind === "synced") synced.push(e.item); } });
  const record = () => JSON.parse((db.prepare("SELECT record FROM share_records WHERE share_id = ?").pluck().get(share.id) as string)) as SessionRecord;
  return { db, share, storage, server, synced, record };
}

describe("the cloudsession model's merge", () => {
  it("upserts entities by id, appends every session_diff's files, and counts syncs", () => {
    const once = mergeSync(emptyRecord("ses_1"), [message("m1"), part("p1", 0), diff("a.ts", 1)]);
    const twice = mergeSync(once, [part("p1", 1), diff("a.ts", 2), diff("a.ts", 2)]);
    expect(twice.parts).toEqual([(part("p1", 1) as { data: unknown }).data]);
    expect(twice.messages.map((m) => m.id)).toEqual(["m1"]);
    // Appended, not replaced: the old entry stays and a resent list is stored twice.
    expect(twice.diffs.map((d) => d.additions)).toEqual([1, 2, 2]);
    expect(twice.metadata).toEqual({ sessionID: "ses_1", syncCount: 2 });
    expect(once.metadata.syncCount).toBe(1); // the record read is not changed
  });
});

describe("the cloudsession model's syncShare: read, await, write, no compare-and-set", () => {
  it("two syncs one after the other keep both", async () => {
    const w = world();
    const a = w.server.syncShare(w.share.id, w.share.secret, [message("m1")]);
    await w.storage.release("get");
    await w.storage.release("put");
    await expect(a).resolves.toEqual({ ok: true });
    const b = w.server.syncShare(w.share.id, w.share.secret, [message("m2")]);
    await w.storage.release("get");
    await w.storage.release("put");
    await b;
    expect(w.record().messages.map((m) => m.id)).toEqual(["m1", "m2"]);
    expect(w.record().metadata.syncCount).toBe(2);
  });

  it("read A, read B, write A, write B: B's write drops A's message, and both answered ok", async () => {
    const w = world();
    const a = w.server.syncShare(w.share.id, w.share.secret, [message("m1")]);
    const b = w.server.syncShare(w.share.id, w.share.secret, [message("m2")]);
    await w.storage.release("get");
    await w.storage.release("get");
    await w.storage.release("put");
    expect(w.record().messages.map((m) => m.id)).toEqual(["m1"]);
    await w.storage.release("put");
    await expect(Promise.all([a, b])).resolves.toEqual([{ ok: true }, { ok: true }]);
    expect(w.record().messages.map((m) => m.id)).toEqual(["m2"]);
    expect(w.record().metadata.syncCount).toBe(1);
    expect(w.synced.length).toBe(2); // each reported its item as synced
  });

  it("a wrong secret is refused before the record is read", async () => {
    const w = world();
    await expect(w.server.syncShare(w.share.id, "nope", [message("m1")])).rejects.toThrow(/WrongSecret/);
    expect(w.storage.waiting).toEqual([]);
  });
});

describe("the checker's lost-update detector", () => {
  const shareID = "share-1";
  function records() {
    const db = openDatabase();
    db.exec("CREATE TABLE share_records (share_id TEXT PRIMARY KEY, record TEXT NOT NULL)");
    const detector = new LostUpdates();
    let step = 0;
    /** The server writes `record` for a sync that carried `items` (reported as the server reports them). */
    const write = (record: SessionRecord, items: SyncItem[] | undefined) => {
      db.prepare("INSERT OR REPLACE INTO share_records VALUES (?, ?)").run(shareID, JSON.stringify(record));
      for (const item of items ?? []) detector.onEvent({ kind: "synced", shareID, item, via: "syncShare" });
      detector.observe(db, shareID, ++step);
    };
    return { db, detector, write };
  }

  it("a merge of the latest record loses nothing, whatever it changes of what it carried", () => {
    const { detector, write } = records();
    const r1 = mergeSync(emptyRecord("ses_1"), [message("m1"), part("p1", 0), diff("a.ts", 1)]);
    write(r1, [message("m1"), part("p1", 0), diff("a.ts", 1)]);
    write(mergeSync(r1, [part("p1", 1), diff("b.ts", 1)]), [part("p1", 1), diff("b.ts", 1)]);
    expect(detector.found).toEqual([]);
  });

  it("a merge of an older read: what it dropped, and an entity it did not carry put back to its old value", () => {
    const { detector, write } = records();
    const r0 = mergeSync(emptyRecord("ses_1"), [part("p1", 0)]);
    write(r0, [part("p1", 0)]);
    const a = mergeSync(r0, [message("m1"), part("p1", 1), diff("a.ts", 1)]);
    write(a, [message("m1"), part("p1", 1), diff("a.ts", 1)]);
    write(mergeSync(r0, [message("m2")]), [message("m2")]); // B read r0, before A wrote
    expect(detector.found.map((u) => u.key).sort()).toEqual(["diffs:ses_1", "message:m1", "part:p1"]);
    expect(detector.found[0]).toMatchObject({ held: { syncCount: 2, step: 2 }, by: { syncCount: 2, step: 3 } });
  });

  it("an entity the stale sync carried itself is its write, not a lost update (an old value it carried is C1's stale)", () => {
    const { detector, write } = records();
    const r0 = mergeSync(emptyRecord("ses_1"), [message("m0")]);
    write(r0, [message("m0")]);
    write(mergeSync(r0, [part("p1", 1)]), [part("p1", 1)]);
    write(mergeSync(r0, [part("p1", 0)]), [part("p1", 0)]);
    expect(detector.found).toEqual([]);
  });

  it("when a crash swallowed the sync's report, only what vanished counts", () => {
    const { detector, write } = records();
    const r0 = mergeSync(emptyRecord("ses_1"), [part("p1", 0)]);
    write(r0, [part("p1", 0)]);
    write(mergeSync(r0, [message("m1"), part("p1", 1)]), [message("m1"), part("p1", 1)]);
    write(mergeSync(r0, [message("m2")]), undefined);
    expect(detector.found.map((u) => u.key)).toEqual(["message:m1"]);
  });

  it("the share reader reads a record back as the rows share_rows would hold, a repeated file counted up", () => {
    const { db, write } = records();
    write(mergeSync(mergeSync(emptyRecord("ses_1"), [message("m1"), diff("a.ts", 1)]), [diff("a.ts", 1)]), undefined);
    expect(readRecordRows(db, shareID).map((r) => `${r.key}#${r.dup}`)).toEqual(["message:m1#0", 'diff:"ses_1":a.ts#0', 'diff:"ses_1":a.ts#1']);
  });
});
