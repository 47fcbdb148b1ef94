// Legacy parity: the same items delivered once give the same share state through appendOps as
// through today's syncShare, as long as each session's diff list is sent once (legacy appends
// diffs; appendOps replaces the session's list).
import { describe, expect, it } from "vitest";
import { fc } from "@fast-check/vitest";
import { part, serverFixture } from "../helpers.js";
import type { Op } from "../../src/protocol/envelope.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { foldItems } from "../../src/protocol/fold.js";
import { formatOpId } from "../../src/protocol/op-id.js";

const id = (prefix: string) => fc.integer({ min: 1, max: 3 }).map((n) => `${prefix}_${n}`);
const count = fc.integer({ min: 0, max: 500 });

const item: fc.Arbitrary<SyncItem> = fc.oneof(
  fc.record({ type: fc.constant("session" as const), data: fc.record({ id: id("ses"), title: fc.string() }) }),
  fc.record({
    type: fc.constant("message" as const),
    data: fc.record(
      {
        id: id("msg"),
        sessionID: id("ses"),
        role: fc.constantFrom("user" as const, "assistant" as const),
        agent: fc.constantFrom("build", "plan"),
        model: fc.constantFrom("anthropic/claude-sonnet", "openai/gpt-5"),
        status: fc.constantFrom("streaming" as const, "completed" as const, "failed" as const, "aborted" as const),
      },
      { requiredKeys: ["id", "sessionID", "role"] },
    ),
  }),
  fc.record({ type: fc.constant("part" as const), data: fc.record({ id: id("prt"), messageID: id("msg"), text: fc.string(), version: count }) }),
  fc.record({ type: fc.constant("model" as const), data: fc.record({ id: id("mdl"), provider: fc.string() }) }),
  fc.record({
    type: fc.constant("session_diff" as const),
    data: fc.record({
      sessionID: id("ses"),
      diffs: fc.array(fc.record({ file: fc.constant("?"), additions: count, deletions: count }), { maxLength: 3 }),
    }),
  }),
);

/**
 * Items where every session_diff is the only one of its session and names each file once: the
 * condition parity needs. (The JSON round trip gives plain objects: capnweb will not serialize
 * fast-check's null-prototype records.)
 */
const items = fc.array(item, { maxLength: 40 }).map((list) => {
  let file = 0;
  let session = 0;
  const unique = list.map((it): SyncItem =>
    it.type === "session_diff"
      ? { ...it, data: { sessionID: `${it.data.sessionID}:d${session++}`, diffs: it.data.diffs.map((d) => ({ ...d, file: `src/f${file++}.ts` })) } }
      : it,
  );
  return JSON.parse(JSON.stringify(unique)) as SyncItem[];
});

function opsOf(list: SyncItem[]): Op[] {
  return list.map((item, i) => ({
    op_id: formatOpId("w1", i + 1),
    batch_id: "w1/b1",
    seq: i,
    writer_id: "w1",
    writer_seq: i + 1,
    depends_on: [],
    capability_epoch: 0,
    item,
  }));
}

async function bothWays(list: SyncItem[]) {
  const f = serverFixture();
  const legacy = f.server.store.createShare("ses_legacy");
  if (list.length > 0) {
    await f.rpc.redeemShare(f.share.id, f.share.secret).appendOps(opsOf(list));
    await f.rpc.syncShare(legacy.id, legacy.secret, list);
  }
  return { viaOps: f.server.store.snapshot(f.share.id), viaSync: f.server.store.snapshot(legacy.id) };
}

describe("legacy syncShare parity", () => {
  it("property: appendOps (delivered once) and syncShare end in the same share state, the fold of the items", async () => {
    await fc.assert(
      fc.asyncProperty(items, async (list) => {
        const { viaOps, viaSync } = await bothWays(list);
        expect(viaSync).toEqual(viaOps);
        expect(viaOps).toEqual(foldItems(list));
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it("the restriction is needed: a file diffed twice is stored twice by syncShare, once by appendOps", async () => {
    const diff = (additions: number): SyncItem => ({ type: "session_diff", data: { sessionID: "ses_1", diffs: [{ file: "a.ts", additions, deletions: 0 }] } });
    const { viaOps, viaSync } = await bothWays([part("p", 0), diff(1), diff(2)]);
    expect(viaOps.filter((r) => r.key.startsWith("diff:"))).toHaveLength(1);
    expect(viaSync.filter((r) => r.key.startsWith("diff:"))).toHaveLength(2);
  });

  it("and a file dropped from the session's list keeps its row under syncShare, loses it under appendOps", async () => {
    const diff = (...files: string[]): SyncItem => ({ type: "session_diff", data: { sessionID: "ses_1", diffs: files.map((file) => ({ file, additions: 1, deletions: 0 })) } });
    const { viaOps, viaSync } = await bothWays([diff("a.ts", "b.ts"), diff("b.ts")]);
    expect(viaOps.map((r) => r.key)).toEqual(['diff:"ses_1":b.ts']);
    expect(viaSync.map((r) => [r.key, r.dup])).toEqual([['diff:"ses_1":a.ts', 0], ['diff:"ses_1":b.ts', 0], ['diff:"ses_1":b.ts', 1]]);
  });
});
