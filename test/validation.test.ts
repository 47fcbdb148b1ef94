// The wire schemas on zod's v4 API (issue 11, "a lean server"): the rules they enforce at their
// exact boundaries, what a refusal says, and the property the op digest rests on — equal items
// digest equally whatever order a client sent their keys in, and digests already stored in a
// server's op_ledger stay valid.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/server/share-server.js";
import { ShareStore } from "../src/server/share-store.js";
import { ShareServerTarget } from "../src/server/capabilities.js";
import { OperatorAuth } from "../src/server/auth.js";
import { opDigest, parsePolicy } from "../src/server/dedupe.js";
import { MAX_DEPENDENCIES, Op, OpBatch } from "../src/protocol/envelope.js";
import { ITEM_LIMITS, SyncItem } from "../src/protocol/items.js";
import { canonicalJson } from "../src/protocol/canonical.js";
import { SimRng } from "../sim/world/rng.js";
import { op, OPERATOR_TOKEN, part, refusal } from "./helpers.js";

function world() {
  const store = new ShareStore(openDatabase(), { dedupe: parsePolicy("permanent"), rng: new SimRng(11, "server") });
  const main = new ShareServerTarget(store, { operator: new OperatorAuth(OPERATOR_TOKEN) });
  const share = store.createShare("ses_1");
  return { store, main, share, cap: main.redeemShare(share.id, share.secret) };
}


/** One item of each type, with every optional field present. */
const ITEMS: SyncItem[] = [
  { type: "session", data: { id: "ses_1", title: "A title" } },
  { type: "message", data: { id: "msg_1", sessionID: "ses_1", role: "user", agent: "build", model: "openrouter/anthropic/claude-sonnet-4:beta" } },
  { type: "message", data: { id: "msg_2", sessionID: "ses_1", role: "assistant", status: "streaming" } },
  { type: "part", data: { id: "prt_1", messageID: "msg_2", text: "héllo \u{1F600}", version: 3 } },
  { type: "session_diff", data: { sessionID: "ses_1", diffs: [{ file: "b.ts", additions: 1, deletions: 2 }, { file: "a.ts", additions: 0, deletions: 9 }] } },
  { type: "model", data: { id: "anthropic/claude-sonnet-4", provider: "openrouter" } },
];

/** The same value with the keys of every object in reverse insertion order (arrays keep theirs). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  }
  return value;
}

describe("the op digest does not depend on key order", () => {
  it.each(ITEMS.map((item) => [item.type, item] as const))("%s: as sent, reversed, and as parsed", (_type, item) => {
    const reversed = reversedKeys(item) as SyncItem;
    expect(JSON.stringify(reversed)).not.toBe(JSON.stringify(item));
    const parsed = SyncItem.parse(reversed);
    expect(parsed).toEqual(item);
    expect(opDigest({ item: reversed })).toBe(opDigest({ item }));
    expect(opDigest({ item: parsed })).toBe(opDigest({ item }));
  });

  it("parsing fixes the key order to the schema's, whatever the input's (but that order is not sorted: canonicalJson stays)", () => {
    for (const item of ITEMS) {
      const a = SyncItem.parse(item);
      const b = SyncItem.parse(reversedKeys(item));
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
    const parsed = SyncItem.parse(ITEMS[3]);
    expect(Object.keys(parsed)).toEqual(["type", "data"]);
    expect(JSON.stringify(parsed)).not.toBe(canonicalJson(parsed));
  });

  it("digests already stored in an op_ledger stay valid: sha256 of the sorted-key JSON, pinned", () => {
    const canonical = '{"data":{"id":"prt_1","messageID":"msg_2","text":"héllo \u{1F600}","version":3},"type":"part"}';
    expect(canonicalJson(ITEMS[3])).toBe(canonical);
    const digest = createHash("sha256").update(canonical).digest("hex");
    expect(opDigest({ item: ITEMS[3]! })).toBe(digest);
    expect(opDigest({ item: { type: "session_diff", data: { sessionID: "ses_1", diffs: [{ file: "a.ts", additions: 1, deletions: 2 }] } } }))
      .toBe("980feecbee3b8dc22c57d5c395d700bd4270840de1ffe3ca690425f32e31fde3");
  });

  it("a retry whose keys come in another order is a duplicate, not a reused op_id", () => {
    const { cap } = world();
    const first = op(1, ITEMS[1]!);
    expect(cap.appendOps([first]).applied).toEqual(["w1/1"]);
    const ack = cap.appendOps([reversedKeys(first)]);
    expect(ack).toMatchObject({ applied: [], duplicates: ["w1/1"], rejected: [] });
  });
});

describe("rules at their exact boundaries", () => {
  const base = op(1, part("p", 0));
  const ok = (v: unknown) => OpBatch.safeParse([v]).success;

  it("a parsed op is the op sent: nothing coerced, nothing dropped, nothing added", () => {
    const full = { ...base, expected_cursor: 7, depends_on: ["w0/3"] };
    for (const item of ITEMS) expect(OpBatch.parse([{ ...full, item }])).toEqual([{ ...full, item }]);
    const parsed = Op.parse(base);
    expect("expected_cursor" in parsed).toBe(false);
  });

  it("counts: 0 and 2^53 - 1 in, 2^53, -1, 0.5, NaN, ±Infinity, strings and bigints out; writer_seq from 1", () => {
    for (const n of [0, -0, 1, Number.MAX_SAFE_INTEGER]) expect(ok({ ...base, seq: n, capability_epoch: n, expected_cursor: n }), String(n)).toBe(true);
    for (const n of [2 ** 53, -1, 0.5, Number.NaN, Infinity, -Infinity, "1", 1n]) {
      expect(ok({ ...base, seq: n }), String(n)).toBe(false);
      expect(ok({ ...base, expected_cursor: n }), String(n)).toBe(false);
    }
    expect(ok({ ...base, op_id: "w1/0", writer_seq: 0 })).toBe(false);
    expect(ok({ ...base, expected_cursor: undefined })).toBe(true);
    expect(ok({ ...base, expected_cursor: null })).toBe(false);
  });

  it("strings: each bound accepted at its limit and refused one past it; a surrogate pair is fine, a lone one is not", () => {
    expect(ok({ ...base, op_id: `${"w".repeat(64)}/1`, writer_id: "w".repeat(64) })).toBe(true);
    expect(ok({ ...base, op_id: `${"w".repeat(65)}/1`, writer_id: "w".repeat(65) })).toBe(false);
    expect(ok({ ...base, batch_id: "b".repeat(128) })).toBe(true);
    expect(ok({ ...base, batch_id: "b".repeat(129) })).toBe(false);
    expect(ok({ ...base, batch_id: "" })).toBe(false);
    expect(ok({ ...base, batch_id: "\u{1F600}" })).toBe(true);
    expect(ok({ ...base, batch_id: "\uD83D" })).toBe(false);
    expect(ok({ ...base, batch_id: "\uDE00\uD83D" })).toBe(false);
    const item = (data: object) => ({ ...base, item: { type: "session", data: { id: "s", title: "", ...data } } });
    expect(ok(item({ title: "t".repeat(ITEM_LIMITS.title) }))).toBe(true);
    expect(ok(item({ title: "t".repeat(ITEM_LIMITS.title + 1) }))).toBe(false);
    expect(ok(item({ id: "" }))).toBe(false);
  });

  it("arrays: depends_on up to its limit, a diff list up to its limit, a batch of at least one op", () => {
    expect(ok({ ...base, depends_on: Array.from({ length: MAX_DEPENDENCIES }, (_, i) => `w0/${i + 1}`) })).toBe(true);
    expect(ok({ ...base, depends_on: Array.from({ length: MAX_DEPENDENCIES + 1 }, (_, i) => `w0/${i + 1}`) })).toBe(false);
    const diffs = (n: number) => Array.from({ length: n }, (_, i) => ({ file: `f${i}`, additions: 0, deletions: 0 }));
    expect(SyncItem.safeParse({ type: "session_diff", data: { sessionID: "s", diffs: diffs(ITEM_LIMITS.diffs) } }).success).toBe(true);
    expect(SyncItem.safeParse({ type: "session_diff", data: { sessionID: "s", diffs: diffs(ITEM_LIMITS.diffs + 1) } }).success).toBe(false);
    expect(OpBatch.safeParse([]).success).toBe(false);
  });

  it("enums and literals: exactly the listed values", () => {
    const msg = (data: object) => SyncItem.safeParse({ type: "message", data: { id: "m", sessionID: "s", role: "user", ...data } }).success;
    expect(msg({ role: "assistant" })).toBe(true);
    expect(msg({ role: "User" })).toBe(false);
    for (const status of ["streaming", "completed", "failed", "aborted"]) expect(msg({ status })).toBe(true);
    expect(msg({ status: "done" })).toBe(false);
    expect(msg({ status: undefined })).toBe(true);
    expect(SyncItem.safeParse({ type: "Part", data: part("p", 0).data }).success).toBe(false);
  });

  it("objects: strict at every level, and a Date, a Map or an array is not an op", () => {
    expect(ok({ ...base, extra: undefined })).toBe(false);
    expect(ok({ ...base, item: { ...base.item, extra: 1 } })).toBe(false);
    expect(ok({ ...base, item: { ...base.item, data: { ...base.item.data, extra: 1 } } })).toBe(false);
    for (const v of [new Date(0), new Map(Object.entries(base)), Object.values(base), null, "op"]) expect(ok(v)).toBe(false);
  });
});

describe("what a refused batch says", () => {
  it("the path of the first bad field and zod's message, or the refinement's own", () => {
    const { cap, main, share } = world();
    const says = (ops: unknown) => refusal(() => cap.appendOps(ops));
    expect(says([op(1, part("p", 0)), op(2, part("p", 0), { op_id: "w1/9" })])).toEqual({ code: "MalformedOps", message: "1.op_id: op_id must be w1/2" });
    expect(says([op(1, part("p", 0)), op(1, part("q", 0))])).toEqual({ code: "MalformedOps", message: "1.op_id: duplicate op_id w1/1 in one batch" });
    expect(says([op(1, part("p", 0), { batch_id: "b\uD800" })])).toEqual({ code: "MalformedOps", message: "0.batch_id: string contains a lone surrogate" });
    expect(says([op(1, { type: "tool", data: {} } as unknown as SyncItem)])).toEqual({
      code: "MalformedOps",
      message: '0.item.type: Invalid item type: expected one of "session"|"message"|"part"|"session_diff"|"model"',
    });
    expect(says([{ ...op(1, part("p", 0)), extra: 1 }]).message).toMatch(/^0: .*extra/);
    expect(says([op(1, part("p", 0), { seq: -1 })]).message).toMatch(/^0\.seq: \S/);
    expect(says([]).message).toMatch(/^\(root\): \S/);
    expect(says({}).message).toMatch(/^\(root\): \S/);
    expect(refusal(() => main.syncShare(share.id, share.secret, [part("p", 0), { type: "part", data: { id: "q" } }])).message).toMatch(/^1\.data\.\w+: \S/);
  });

  it("credentials: 256 characters is the limit", () => {
    const { main } = world();
    expect(main.createShare("s".repeat(256), OPERATOR_TOKEN).id).toBeTruthy();
    expect(refusal(() => main.createShare("s".repeat(257), OPERATOR_TOKEN)).code).toBe("MalformedCredentials");
  });
});
