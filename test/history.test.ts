// H1, the history check (sim/check/history.ts), on histories made by the real server and on
// histories written by hand: an honest order of two writers' ops passes whoever wrote a row last,
// and each clause fails when its promise is broken.
import { describe, expect, it } from "vitest";
import { serverFixture } from "./helpers.js";
import { ApplyLog } from "../sim/check/applies.js";
import { judgeHistory, type HistoryInput } from "../sim/check/history.js";
import { decodeShare, readShareRows } from "../sim/check/share-reader.js";
import { ledgerCursors, ledgerPolicy, shareCursor } from "../sim/check/ledger.js";
import type { Report } from "../sim/check/violations.js";
import type { Op } from "../src/protocol/envelope.js";
import type { SyncItem } from "../src/protocol/items.js";
import { canonicalJson } from "../src/protocol/canonical.js";

const title = (t: string): SyncItem => ({ type: "session", data: { id: "ses_1", title: t } });
const message = (id: string): SyncItem => ({ type: "message", data: { id, sessionID: "ses_1", role: "user", agent: "build", model: "m" } });

function op(writer: string, seq: number, item: SyncItem, dependsOn: string[] = []): Op {
  return { op_id: `${writer}/${seq}`, batch_id: `${writer}/b${seq}`, seq: 0, writer_id: writer, writer_seq: seq, depends_on: dependsOn, capability_epoch: 0, item };
}

/** A real server and an apply log fed from its reports, one call at a time, as the world feeds it. */
function history(policy = "permanent") {
  const f = serverFixture(policy);
  const found: { invariant: string; kind: string; message: string }[] = [];
  const report: Report = (invariant, kind, message) => void found.push({ invariant, kind, message });
  const applies = new ApplyLog(report);
  const call = (...ops: Op[]) => {
    const ack = f.server.store.appendOps(f.share.id, 0, ops);
    for (const e of f.events.splice(0)) applies.onEvent(e);
    applies.endCall();
    return ack;
  };
  const judge = (over: Partial<HistoryInput> = {}) => {
    const p = ledgerPolicy(policy);
    return judgeHistory({
      applies, policy: p, cursor: shareCursor(f.db, f.share.id)!, ledger: ledgerCursors(f.db, p, f.share.id),
      lookup: () => undefined, acked: new Set(), lost: () => false, decoded: decodeShare(readShareRows(f.db, f.share.id)), ...over,
    }, report);
  };
  const kinds = () => found.filter((v) => v.invariant === "H1").map((v) => v.kind);
  return { f, applies, call, judge, kinds };
}

/** Feeds a hand-written apply report (no server behind it). */
function reported(applies: ApplyLog, o: Op, cursor: number): void {
  applies.onEvent({ kind: "applied", shareID: "share-1", op: o, cursor, shareEpoch: 0, via: "appendOps" });
}

describe("H1: the share is the fold of the server's order of applies", () => {
  it("two writers' writes to one row: the write applied last holds it, whichever writer made it", () => {
    const h = history();
    h.call(op("wa", 1, title("a1")));
    h.call(op("wb", 1, title("b1")), op("wb", 2, message("msg_b1"), []));
    h.call(op("wa", 2, title("a2"), ["wa/1"]));
    expect(h.judge({ acked: new Set(["wa/1", "wb/1", "wb/2", "wa/2"]) })).toEqual({ placed: 4, unplaced: 0, folded: true });
    h.call(op("wb", 3, title("b3"), ["wb/1"]));
    h.judge();
    expect(h.kinds()).toEqual([]);
  });

  it("(c) a row that holds another writer's write than the one applied last is not the fold", () => {
    const h = history();
    h.call(op("wa", 1, title("a1")));
    h.call(op("wb", 1, title("b1")));
    // What a last-writer-wins-by-number server would keep: a's write, though b's was applied after it.
    h.f.db.prepare("UPDATE share_rows SET value = ? WHERE key = 'session:ses_1'").run(canonicalJson(title("a1").data));
    h.judge();
    expect(h.kinds()).toEqual(["not-the-fold"]);
  });

  it("(a) an op before its dependency, or with a dependency never applied", () => {
    const h = history();
    reported(h.applies, op("wa", 2, title("a2"), ["wa/1"]), 1);
    reported(h.applies, op("wa", 1, title("a1")), 2);
    reported(h.applies, op("wa", 3, message("m3"), ["wa/9"]), 3);
    h.judge({ cursor: 3, decoded: decodeShare([]) });
    expect(h.kinds()).toEqual(expect.arrayContaining(["before-dependency", "dependency-never-applied"]));
  });

  it("(b) one call applies a writer's ops in its order; across calls only writer-seq promises it", () => {
    const within = history();
    reported(within.applies, op("wa", 2, message("m2")), 1);
    reported(within.applies, op("wa", 1, message("m1")), 2);
    within.judge({ cursor: 2, decoded: decodeShare([]) });
    expect(within.kinds()).toContain("call-out-of-order");

    for (const policy of ["permanent", "writer-seq"]) {
      const across = history(policy);
      reported(across.applies, op("wa", 2, message("m2")), 1);
      across.applies.endCall();
      reported(across.applies, op("wa", 1, message("m1")), 2);
      across.judge({ cursor: 2, decoded: decodeShare([]) });
      expect(across.kinds().includes("writer-out-of-order")).toBe(policy === "writer-seq");
      expect(across.kinds()).not.toContain("call-out-of-order");
    }
  });

  it("(b) under writer-seq a writer's applied numbers are exactly 1 … n", () => {
    const h = history("writer-seq");
    reported(h.applies, op("wa", 1, message("m1")), 1);
    reported(h.applies, op("wa", 3, message("m3")), 2);
    h.judge({ cursor: 2, decoded: decodeShare([]) });
    expect(h.kinds()).toContain("writer-gap");
  });

  it("(d) an op acked to a writer must be in the order, unless D1 reported it lost", () => {
    const h = history();
    h.call(op("wa", 1, title("a1")));
    h.judge({ acked: new Set(["wa/1", "wb/7"]) });
    expect(h.kinds()).toEqual(["acked-not-applied"]);
    const lost = history();
    lost.call(op("wa", 1, title("a1")));
    lost.judge({ acked: new Set(["wa/1", "wb/7"]), lost: (o) => o === "wb/7" });
    expect(lost.kinds()).toEqual([]);
  });

  it("(d) one op per cursor, none past the share's cursor, none twice, and the ledger agrees", () => {
    const h = history();
    reported(h.applies, op("wa", 1, message("m1")), 1);
    reported(h.applies, op("wb", 1, message("n1")), 1);
    reported(h.applies, op("wb", 2, message("n2")), 3);
    reported(h.applies, op("wa", 1, message("m1")), 2);
    h.judge({ cursor: 2, decoded: decodeShare([]), ledger: new Map([["wa/1", 2]]) });
    expect(h.kinds()).toEqual(expect.arrayContaining(["cursor-reused", "past-cursor", "applied-twice"]));
    expect(h.kinds()).not.toContain("ledger-disagrees"); // the ledger names the second apply: applied-twice says it
    const disagree = history();
    reported(disagree.applies, op("wa", 1, message("m1")), 1);
    disagree.judge({ cursor: 1, decoded: decodeShare([]), ledger: new Map([["wa/1", 5]]) });
    expect(disagree.kinds()).toContain("ledger-disagrees");
  });

  it("an apply known only from writer-seq's marks takes the one place its writer's order allows", () => {
    const h = history("writer-seq");
    h.call(op("wa", 1, title("a1")));
    h.call(op("wa", 2, title("a2"), ["wa/1"]), op("wa", 3, message("m3")));
    // The reports of the second call were lost to a crash: the disk's mark says 2 and 3 applied.
    h.applies.rollBackTo(1);
    h.applies.learn("wa/2", 0);
    h.applies.learn("wa/3", 0);
    const lookup = (id: string) => ({ "wa/2": { content: JSON.stringify(title("a2")), dependsOn: ["wa/1"] }, "wa/3": { content: JSON.stringify(message("m3")), dependsOn: [] } })[id];
    expect(h.judge({ lookup })).toEqual({ placed: 3, unplaced: 0, folded: true });
    expect(h.kinds()).toEqual([]);
  });

  it("two writers' applies without a place: the interleaving is unknown and the fold is not judged", () => {
    const h = history("writer-seq");
    h.call(op("wa", 1, title("a1")), op("wb", 1, title("b1")));
    h.applies.rollBackTo(0);
    h.applies.learn("wa/1", 0);
    h.applies.learn("wb/1", 0);
    expect(h.judge()).toEqual({ placed: 0, unplaced: 2, folded: false });
    expect(h.kinds()).toEqual([]);
  });
});
