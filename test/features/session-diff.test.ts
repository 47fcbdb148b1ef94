// session_diff replaces the session's diff list. opencode sends the session's WHOLE current diff
// list each time, so through appendOps a file absent from the newest list loses its row, and the
// row key `diff:<session id as JSON>:<file>` keeps sessions apart whatever their ids contain.
import { describe, expect, it } from "vitest";
import { fc } from "@fast-check/vitest";
import { dump, op, part, serverFixture } from "../helpers.js";
import type { Ack, Op } from "../../src/protocol/envelope.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { diffKey, diffScope, foldItems, itemRows, parseDiffKey } from "../../src/protocol/fold.js";
import { openDatabase } from "../../src/server/share-server.js";
import { ShareStore } from "../../src/server/share-store.js";
import { parsePolicy } from "../../src/server/dedupe.js";
import { SimRng } from "../../sim/world/rng.js";

const diff = (sessionID: string, ...files: [string, number][]): SyncItem => ({
  type: "session_diff",
  data: { sessionID, diffs: files.map(([file, additions]) => ({ file, additions, deletions: 0 })) },
});

/** Items as ops of writer w1, numbered from `from`. */
const opsOf = (items: SyncItem[], from = 1): Op[] => items.map((item, i) => op(from + i, item));

async function applyAll(items: SyncItem[], batchSize = items.length) {
  const f = serverFixture();
  const cap = f.rpc.redeemShare(f.share.id, f.share.secret);
  const ops = opsOf(items);
  for (let i = 0; i < ops.length; i += Math.max(1, batchSize)) {
    const ack = (await cap.appendOps(ops.slice(i, i + Math.max(1, batchSize)))) as Ack;
    expect(ack.rejected).toEqual([]);
  }
  return { f, rows: f.server.store.snapshot(f.share.id) };
}

describe("session_diff through appendOps", () => {
  it("the newest list is the session's diff: dropped files lose their rows, the rest are replaced", async () => {
    const { rows } = await applyAll([
      diff("ses_1", ["a.ts", 1], ["b.ts", 1]),
      part("p", 0),
      diff("ses_2", ["a.ts", 7]),
      diff("ses_1", ["b.ts", 2], ["c.ts", 1]),
    ]);
    expect(rows.map((r) => [r.key, JSON.parse(r.value).additions ?? r.value])).toEqual([
      ['diff:"ses_1":b.ts', 2],
      ['diff:"ses_1":c.ts', 1],
      ['diff:"ses_2":a.ts', 7],
      ["part:p", expect.any(String)],
    ]);
  });

  it("an empty list clears the session's diff and nothing else", async () => {
    const { rows } = await applyAll([diff("ses_1", ["a.ts", 1]), diff("ses_2", ["a.ts", 1]), diff("ses_1")]);
    expect(rows.map((r) => r.key)).toEqual(['diff:"ses_2":a.ts']);
  });

  it("ids containing ':' or quotes neither collide nor clear each other's rows", async () => {
    // With `diff:<session>:<file>` session "a" + file "b:c" and session "a:b" + file "c" were one key,
    // and clearing the prefix "diff:a:" would have cleared session "a:b" as well.
    const sessions = ["a", "a:b", 'a"', "a\\", 'a":"b'];
    const { rows } = await applyAll([
      ...sessions.map((s) => diff(s, ["b:c", 1], ["c", 1])),
      diff("a"),
    ]);
    const keys = rows.map((r) => r.key);
    expect(keys).toHaveLength((sessions.length - 1) * 2);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.map((k) => parseDiffKey(k)!.sessionID).sort()).toEqual(sessions.slice(1).flatMap((s) => [s, s]).sort());
  });

  it("clearing and upserting are one transaction with the apply: a crash inside it changes nothing", () => {
    let crash = false;
    const db = openDatabase();
    const store = new ShareStore(db, {
      dedupe: parsePolicy("permanent"),
      rng: new SimRng(5, "server"),
      probe: (p) => { if (crash && p === "server.apply.in-txn") throw new Error("crash"); },
    });
    const share = store.createShare("ses_1");
    store.appendOps(share.id, 0, [op(1, diff("ses_1", ["a.ts", 1], ["b.ts", 1]))]);
    const before = dump(db);
    crash = true;
    expect(() => store.appendOps(share.id, 0, [op(2, diff("ses_1", ["c.ts", 1]))])).toThrow("crash");
    expect(dump(db)).toBe(before);
    expect(store.snapshot(share.id).map((r) => r.key)).toEqual(['diff:"ses_1":a.ts', 'diff:"ses_1":b.ts']);
  });

  const trickyID = fc.constantFrom("a", "a:b", "a:", 'a"', "a\\", 'a":"b', "ses_1");
  const file = fc.constantFrom("x.ts", "b:c", 'q"', "z");
  const item: fc.Arbitrary<SyncItem> = fc.oneof(
    fc.record({
      sessionID: trickyID,
      files: fc.array(fc.tuple(file, fc.nat({ max: 9 })), { maxLength: 4 }),
    }).map(({ sessionID, files }) => diff(sessionID, ...files)),
    fc.tuple(fc.constantFrom("a", "a:b", "diff"), fc.nat({ max: 9 })).map(([id, v]) => part(id, v)),
  );

  it("property: whatever the ids and however the ops are batched, the share is the fold of the items", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 14 }), fc.integer({ min: 1, max: 5 }), async (list, batch) => {
        const items = JSON.parse(JSON.stringify(list)) as SyncItem[];
        const { f, rows } = await applyAll(items, batch);
        expect(rows).toEqual(foldItems(items));
        f.close();
      }),
      { numRuns: 80, seed: 4 },
    );
  });
});

describe("the diff row key", () => {
  it("is diff:<session id as a JSON string>:<file>, and parseDiffKey inverts it", () => {
    expect(diffKey("ses_1", "src/a.ts")).toBe('diff:"ses_1":src/a.ts');
    expect(diffKey('a"b', "x:y")).toBe('diff:"a\\"b":x:y');
    expect(itemRows(diff("ses_1", ["src/a.ts", 1])).map((w) => w.key)).toEqual(['diff:"ses_1":src/a.ts']);
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (s, f) => {
      expect(parseDiffKey(diffKey(s, f))).toEqual({ sessionID: s, file: f });
      expect(diffKey(s, f).startsWith(diffScope(s))).toBe(true);
    }));
    for (const key of ["part:a", "diff:a:b", 'diff:"a"b', "session:diff"]) expect(parseDiffKey(key), key).toBeUndefined();
  });

  it("no session's scope is a prefix of another's", () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string(), (a, b, f) => {
      fc.pre(a !== b);
      expect(diffKey(b, f).startsWith(diffScope(a))).toBe(false);
    }));
  });
});
