// Bad input (issue 3, item 13): every malformed or unauthorised call through the real capnweb
// session gets its own typed error code, and the database is byte-for-byte what it was before.
import { describe, expect, it } from "vitest";
import { RpcTarget } from "capnweb";
import { dump, op, OPERATOR_TOKEN, part, serverFixture } from "./helpers.js";
import { MAX_BATCH_OPS, MAX_DEPENDENCIES, Op, OpBatch, type Ack } from "../src/protocol/envelope.js";
import { ITEM_LIMITS, SyncItem } from "../src/protocol/items.js";
import { errorCode, type ErrorCode } from "../src/protocol/errors.js";

/** A stub seen without its static types, so a test can send what a typed client never would. */
type Loose = any;
const loose = (stub: unknown): Loose => stub;

/**
 * A share that has lived a little: three ops applied (the ledger and rows are not empty), then
 * revoked, so there is a stale capability (epoch 0), a stale read capability, the old secret, and
 * a live capability at epoch 1.
 */
async function world(policy = "permanent") {
  const f = serverFixture(policy);
  const stale = f.rpc.redeemShare(f.share.id, f.share.secret);
  const staleRead = stale.readOnly();
  const first = (await stale.appendOps([op(1, part("p1", 0)), op(2, part("p1", 1)), op(3, part("p2", 0))])) as Ack;
  expect(first.applied).toHaveLength(3);
  const revoked = await f.rpc.revoke(f.share.id, f.share.secret);
  const cap = f.rpc.redeemShare(f.share.id, revoked.secret);
  const read = cap.readOnly();
  return {
    ...f,
    shareID: f.share.id,
    oldSecret: f.share.secret,
    secret: revoked.secret,
    epoch: revoked.epoch,
    stale: loose(stale),
    staleRead: loose(staleRead),
    cap: loose(cap),
    read: loose(read),
    main: loose(f.rpc),
  };
}
type World = Awaited<ReturnType<typeof world>>;

/** Ops the live capability would apply: the next writer numbers, stamped with the current epoch. */
function fresh(w: World, n = 2): Op[] {
  return Array.from({ length: n }, (_, i) => op(4 + i, part(`p${4 + i}`, 0), { batch_id: "w1/b4", seq: i, capability_epoch: w.epoch }));
}

async function failure(call: () => unknown): Promise<unknown> {
  try {
    const value = await call();
    return new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (e) {
    return e;
  }
}

/** The call fails with `code` (or, for "rpc", with capnweb's own untyped error) and nothing changed. */
async function rejects(w: World, code: ErrorCode | "rpc", call: () => unknown): Promise<void> {
  const before = dump(w.db);
  const e = await failure(call);
  expect(e).toBeInstanceOf(Error);
  if (code === "rpc") {
    expect(errorCode(e), String(e)).toBeUndefined();
    expect(String(e)).not.toMatch(/expected a rejection/);
  } else {
    expect(errorCode(e), String(e)).toBe(code);
    expect((e as Error).message.startsWith(`${code}:`)).toBe(true);
  }
  expect(dump(w.db)).toBe(before);
}

/** One op with `key` set to `value` (or removed, for `undefined` on a required key). */
function withField(base: Op, key: string, value: unknown): unknown {
  const copy: Record<string, unknown> = { ...base };
  if (value === REMOVE) delete copy[key];
  else copy[key] = value;
  return copy;
}
const REMOVE = Symbol("remove");

const LONE_SURROGATE = "id-\uD800";

describe("the payloads below are only wrong where the test says so", () => {
  it("the well-formed batch they are cut from applies", async () => {
    const w = await world();
    const ack = (await w.cap.appendOps(fresh(w))) as Ack;
    expect(ack).toMatchObject({ applied: ["w1/4", "w1/5"], rejected: [], duplicates: [] });
  });

  it(`a batch of exactly ${MAX_BATCH_OPS} ops is not too large`, async () => {
    const w = await world();
    const ack = (await w.cap.appendOps(fresh(w, MAX_BATCH_OPS))) as Ack;
    expect(ack.applied).toHaveLength(MAX_BATCH_OPS);
  });

  it("strings at their limits are accepted", async () => {
    const w = await world();
    const item: SyncItem = { type: "part", data: { id: "x".repeat(ITEM_LIMITS.id), messageID: "m", text: "t".repeat(ITEM_LIMITS.text), version: 0 } };
    const ack = (await w.cap.appendOps([{ ...fresh(w, 1)[0]!, item }])) as Ack;
    expect(ack.applied).toEqual(["w1/4"]);
  });
});

describe("malformed envelopes: each field wrong in turn → MalformedOps", () => {
  const cases: Array<[string, string, unknown]> = [
    ["op_id", "missing", REMOVE],
    ["op_id", "a number", 4],
    ["op_id", "empty", ""],
    ["op_id", "129 characters", "w".repeat(129)],
    ["op_id", "a lone surrogate", LONE_SURROGATE],
    ["op_id", "not <writer_id>/<writer_seq> (forged: another writer's id)", "w2/4"],
    ["op_id", "not <writer_id>/<writer_seq> (forged: an applied op's id)", "w1/1"],
    ["batch_id", "null", null],
    ["batch_id", "empty", ""],
    ["batch_id", "129 characters", "b".repeat(129)],
    ["seq", "a string", "0"],
    ["seq", "negative", -1],
    ["seq", "fractional", 0.5],
    ["seq", "NaN", Number.NaN],
    ["seq", "Infinity", Number.POSITIVE_INFINITY],
    ["seq", "beyond 2^53", 2 ** 53],
    ["seq", "a bigint", 0n],
    ["writer_id", "missing", REMOVE],
    ["writer_id", "empty", ""],
    ["writer_id", "65 characters", "w".repeat(65)],
    ["writer_seq", "zero", 0],
    ["writer_seq", "negative", -4],
    ["writer_seq", "a string", "4"],
    ["writer_seq", "a Date", new Date(4)],
    ["depends_on", "missing", REMOVE],
    ["depends_on", "a string", "w1/1"],
    ["depends_on", "numbers", [1]],
    ["depends_on", "an empty id", [""]],
    ["depends_on", `${MAX_DEPENDENCIES + 1} entries`, Array.from({ length: MAX_DEPENDENCIES + 1 }, () => "w1/1")],
    ["expected_cursor", "null", null],
    ["expected_cursor", "a string", "3"],
    ["expected_cursor", "negative", -1],
    ["capability_epoch", "missing", REMOVE],
    ["capability_epoch", "a string", "1"],
    ["capability_epoch", "negative", -1],
    ["capability_epoch", "fractional", 1.5],
    ["item", "missing", REMOVE],
    ["item", "null", null],
    ["item", "a string", "part"],
    ["item", "an array", [part("p", 0)]],
    ["item", "an unknown type", { type: "tool", data: { id: "x" } }],
    ["item", "without a type", { data: part("p", 0).data }],
    ["item", "without data", { type: "part" }],
    ["item", "with an extra key", { ...part("p", 0), extra: 1 }],
    ["item", "with an extra data key", { type: "part", data: { ...part("p", 0).data, extra: 1 } }],
    ["item", "session title too long", { type: "session", data: { id: "s", title: "t".repeat(ITEM_LIMITS.title + 1) } }],
    ["item", "message role unknown", { type: "message", data: { id: "m", sessionID: "s", role: "system" } }],
    ["item", "message agent not a string", { type: "message", data: { id: "m", sessionID: "s", role: "user", agent: 5 } }],
    ["item", "message model too long", { type: "message", data: { id: "m", sessionID: "s", role: "user", model: "m".repeat(ITEM_LIMITS.model + 1) } }],
    ["item", "message status unknown", { type: "message", data: { id: "m", sessionID: "s", role: "assistant", status: "done" } }],
    ["item", "part text over 1 MiB", { type: "part", data: { id: "p", messageID: "m", text: "t".repeat(ITEM_LIMITS.text + 1), version: 0 } }],
    ["item", "part version fractional", { type: "part", data: { id: "p", messageID: "m", text: "", version: 0.5 } }],
    ["item", "part id empty", { type: "part", data: { id: "", messageID: "m", text: "", version: 0 } }],
    ["item", "part id too long", { type: "part", data: { id: "p".repeat(ITEM_LIMITS.id + 1), messageID: "m", text: "", version: 0 } }],
    ["item", "part id with a lone surrogate", { type: "part", data: { id: LONE_SURROGATE, messageID: "m", text: "", version: 0 } }],
    ["item", `session_diff with ${ITEM_LIMITS.diffs + 1} files`, {
      type: "session_diff",
      data: { sessionID: "s", diffs: Array.from({ length: ITEM_LIMITS.diffs + 1 }, (_, i) => ({ file: `f${i}`, additions: 0, deletions: 0 })) },
    }],
    ["item", "session_diff file path too long", { type: "session_diff", data: { sessionID: "s", diffs: [{ file: "f".repeat(ITEM_LIMITS.path + 1), additions: 0, deletions: 0 }] } }],
    ["item", "session_diff negative additions", { type: "session_diff", data: { sessionID: "s", diffs: [{ file: "f", additions: -1, deletions: 0 }] } }],
    ["item", "model provider null", { type: "model", data: { id: "m", provider: null } }],
    ["extra", "an unknown envelope key", 1],
    ["prototype", "an unknown envelope key named prototype", {}],
  ];

  it.each(cases)("%s: %s", async (key, _what, value) => {
    const w = await world();
    const [first, second] = fresh(w);
    // The bad op is second: the well-formed first op must not be applied either.
    await rejects(w, "MalformedOps", () => w.cap.appendOps([first, withField(second!, key, value)]));
  });

  it.each<[string, unknown]>([
    ["no argument", undefined],
    ["null", null],
    ["a string", "ops"],
    ["a number", 4],
    ["a bigint", 4n],
    ["a Date", new Date(0)],
    ["bytes", new Uint8Array([1, 2, 3])],
    ["an Error", new RangeError("ops")],
    ["an array-like object", { 0: op(4, part("p", 0)), length: 1 }],
    ["an empty batch", []],
    ["an op that is null", [null]],
    ["an op that is an array", [[op(4, part("p", 0))]]],
    ["a function (arrives as a stub)", () => [op(4, part("p", 0))]],
    ["an RpcTarget (arrives as a stub)", new (class Ops extends RpcTarget { length() { return 1; } })()],
  ])("the batch is %s", async (_what, value) => {
    const w = await world();
    await rejects(w, "MalformedOps", () => (value === undefined ? w.cap.appendOps() : w.cap.appendOps(value)));
  });

  it("a capability passed where ops belong is refused", async () => {
    const w = await world();
    await rejects(w, "MalformedOps", () => w.cap.appendOps(w.read));
    await rejects(w, "MalformedOps", () => w.cap.appendOps([{ ...fresh(w, 1)[0]!, item: w.read }]));
  });

  it("duplicate op_ids inside one batch: the whole batch is refused, not its first copy applied", async () => {
    const w = await world();
    const [a, b] = fresh(w);
    await rejects(w, "MalformedOps", () => w.cap.appendOps([a, a]));
    await rejects(w, "MalformedOps", () => w.cap.appendOps([a, b, { ...a!, item: part("other", 9) }]));
  });

  it("a required field smuggled in through __proto__ or constructor arrives missing", async () => {
    const w = await world();
    const [a] = fresh(w, 1);
    // An own "__proto__" key (as JSON.parse makes it) and a "constructor" key: capnweb drops keys
    // named after Object.prototype members, so the server sees no capability_epoch / item type.
    const viaProto = JSON.parse(JSON.stringify(a).replace('"capability_epoch":1,', '"__proto__":{"capability_epoch":1},')) as unknown;
    expect(Object.keys(viaProto as object)).toContain("__proto__");
    await rejects(w, "MalformedOps", () => w.cap.appendOps([viaProto]));
    const { type: _type, ...untyped } = a!.item;
    await rejects(w, "MalformedOps", () => w.cap.appendOps([{ ...a, item: { ...untyped, constructor: { prototype: { type: "part" } } } }]));
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("capability_epoch");
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });

  it("the schemas themselves refuse own __proto__ / constructor keys (in case a transport keeps them)", () => {
    const [a] = [op(4, part("p", 0))];
    const own = JSON.parse(JSON.stringify(a).replace("{", '{"__proto__":{"admin":true},')) as unknown;
    expect(Op.safeParse(own).success).toBe(false);
    expect(Op.safeParse({ ...a, constructor: "x" }).success).toBe(false);
    expect(SyncItem.safeParse({ ...a!.item, constructor: "x" }).success).toBe(false);
    expect(OpBatch.safeParse([a]).success).toBe(true);
  });
});

describe("oversized batch → BatchTooLarge", () => {
  it(`${MAX_BATCH_OPS + 1} well-formed ops`, async () => {
    const w = await world();
    await rejects(w, "BatchTooLarge", () => w.cap.appendOps(fresh(w, MAX_BATCH_OPS + 1)));
  });

  it("10,000 junk entries are refused for their number before any is parsed", async () => {
    const w = await world();
    await rejects(w, "BatchTooLarge", () => w.cap.appendOps(Array.from({ length: 10_000 }, (_, i) => i)));
  });

  it(`syncShare with ${MAX_BATCH_OPS + 1} well-formed items`, async () => {
    const w = await world();
    const items = Array.from({ length: MAX_BATCH_OPS + 1 }, (_, i) => part(`p${i}`, 0));
    await rejects(w, "BatchTooLarge", () => w.main.syncShare(w.shareID, w.secret, items));
  });
});

describe("credentials", () => {
  const malformed: Array<[string, unknown]> = [
    ["undefined", undefined],
    ["null", null],
    ["a number", 7],
    ["a bigint", 7n],
    ["a boolean", true],
    ["an object", { toString: "share" }],
    ["an array", ["share"]],
    ["a Date", new Date(0)],
    ["empty", ""],
    ["257 characters", "s".repeat(257)],
    ["a lone surrogate", LONE_SURROGATE],
  ];

  describe.each(malformed)("a share id or secret that is %s → MalformedCredentials", (_what, bad) => {
    it("redeemShare (and a call pipelined on it)", async () => {
      const w = await world();
      await rejects(w, "MalformedCredentials", () => w.main.redeemShare(bad, w.secret));
      await rejects(w, "MalformedCredentials", () => w.main.redeemShare(w.shareID, bad));
      await rejects(w, "MalformedCredentials", () => w.main.redeemShare(bad, w.secret).appendOps(fresh(w)));
    });
    it("revoke", async () => {
      const w = await world();
      await rejects(w, "MalformedCredentials", () => w.main.revoke(bad, w.secret));
      await rejects(w, "MalformedCredentials", () => w.main.revoke(w.shareID, bad));
    });
    it("syncShare", async () => {
      const w = await world();
      await rejects(w, "MalformedCredentials", () => w.main.syncShare(bad, w.secret, [part("p", 0)]));
      await rejects(w, "MalformedCredentials", () => w.main.syncShare(w.shareID, bad, [part("p", 0)]));
    });
    it("createShare (as a session id)", async () => {
      const w = await world();
      await rejects(w, "MalformedCredentials", () => w.main.createShare(bad, OPERATOR_TOKEN));
    });
    it("createShare (as the operator token) → Unauthorized, whatever the session id", async () => {
      const w = await world();
      await rejects(w, "Unauthorized", () => w.main.createShare("ses_2", bad));
      await rejects(w, "Unauthorized", () => w.main.createShare(bad, bad));
    });
  });

  it("an unknown share → UnknownShare, whatever the secret", async () => {
    const w = await world();
    for (const secret of [w.secret, "nope"]) {
      await rejects(w, "UnknownShare", () => w.main.redeemShare("share-999", secret));
      await rejects(w, "UnknownShare", () => w.main.redeemShare("share-999", secret).appendOps(fresh(w)));
      await rejects(w, "UnknownShare", () => w.main.revoke("share-999", secret));
      await rejects(w, "UnknownShare", () => w.main.syncShare("share-999", secret, [part("p", 0)]));
    }
  });

  it("a wrong secret → WrongSecret; revoke with it rotates nothing", async () => {
    const w = await world();
    for (const secret of ["nope", w.oldSecret, w.secret.toUpperCase(), `${w.secret} `]) {
      await rejects(w, "WrongSecret", () => w.main.redeemShare(w.shareID, secret));
      await rejects(w, "WrongSecret", () => w.main.redeemShare(w.shareID, secret).appendOps(fresh(w)));
      await rejects(w, "WrongSecret", () => w.main.revoke(w.shareID, secret));
      await rejects(w, "WrongSecret", () => w.main.syncShare(w.shareID, secret, [part("p", 0)]));
    }
  });
});

describe("stale epoch capability → StaleEpoch", () => {
  it("appendOps through a capability redeemed before the revocation", async () => {
    const w = await world();
    await rejects(w, "StaleEpoch", () => w.stale.appendOps(fresh(w)));
    await rejects(w, "StaleEpoch", () => w.stale.appendOps(fresh(w).map((o) => ({ ...o, capability_epoch: 0 }))));
  });

  it("a revoked capability no longer reads, nor can it be attenuated, nor can its read-only child read", async () => {
    const w = await world();
    await rejects(w, "StaleEpoch", () => w.stale.cursor());
    await rejects(w, "StaleEpoch", () => w.stale.snapshot());
    await rejects(w, "StaleEpoch", () => w.stale.readOnly());
    await rejects(w, "StaleEpoch", () => w.stale.readOnly().cursor());
    await rejects(w, "StaleEpoch", () => w.staleRead.cursor());
    await rejects(w, "StaleEpoch", () => w.staleRead.snapshot());
    await rejects(w, "StaleEpoch", () => w.staleRead.read());
    // What a capability says about itself is not share data.
    expect(await w.stale.epoch()).toBe(0);
  });

  it("envelopes stamped with an old or future epoch through a live capability: every op rejected, nothing applied", async () => {
    for (const policy of ["permanent", "writer-seq"]) {
      const w = await world(policy);
      for (const epoch of [0, w.epoch + 1]) {
        const before = dump(w.db);
        const ack = (await w.cap.appendOps(fresh(w, 3).map((o) => ({ ...o, capability_epoch: epoch })))) as Ack;
        expect(ack.applied).toEqual([]);
        expect(ack.rejected.map((r) => r.op_id)).toEqual(["w1/4", "w1/5", "w1/6"]);
        expect(ack.rejected[0]!.reason).toBe("StaleEpoch");
        expect(dump(w.db)).toBe(before);
      }
    }
  });
});

describe("syncShare: wrong types for data → MalformedOps, and no item of the list is written", () => {
  it.each<[string, unknown]>([
    ["missing", undefined],
    ["null", null],
    ["a string", "items"],
    ["an object", { 0: part("p", 0) }],
    ["an item, not a list", part("p", 0)],
    ["a list with null", [null]],
    ["a valid item, then an invalid one", [part("p", 0), { type: "part", data: { id: "q" } }]],
    ["a list with an unknown item type", [{ type: "tool", data: {} }]],
    ["a list with an envelope instead of an item", [op(4, part("p", 0))]],
    ["a function (arrives as a stub)", () => [part("p", 0)]],
  ])("data is %s", async (_what, data) => {
    const w = await world();
    await rejects(w, "MalformedOps", () => (data === undefined ? w.main.syncShare(w.shareID, w.secret) : w.main.syncShare(w.shareID, w.secret, data)));
  });

  it("control: the valid list does write", async () => {
    const w = await world();
    const before = dump(w.db);
    await w.main.syncShare(w.shareID, w.secret, [part("p", 0)]);
    expect(dump(w.db)).not.toBe(before);
  });
});

describe("read-only and missing methods → capnweb's RPC error", () => {
  it("a ReadCap has no appendOps, nor anything else that writes or escalates", async () => {
    const w = await world();
    await rejects(w, "rpc", () => w.read.appendOps(fresh(w)));
    await rejects(w, "rpc", () => w.read.revoke(w.shareID, w.secret));
    await rejects(w, "rpc", () => w.read.syncShare(w.shareID, w.secret, [part("p", 0)]));
    await rejects(w, "rpc", () => w.read.redeemShare(w.shareID, w.secret));
    await rejects(w, "rpc", () => w.read.readOnly());
    await rejects(w, "rpc", () => w.read.epoch());
    // What it can do, it does.
    expect(await w.read.cursor()).toBe(3);
    // The cursor and the rows it covers, in one call: the same as asking for each (nothing moved).
    expect(await w.read.read()).toEqual({ cursor: 3, rows: await w.read.snapshot() });
  });

  it.each([
    ["main", "nope"],
    ["main", "appendOps"],
    ["main", "store"],
    ["cap", "store"],
    ["cap", "capEpoch"],
    ["cap", "redeemShare"],
    ["cap", "revoke"],
    ["read", "store"],
    ["read", "shareID"],
  ] as const)("%s.%s()", async (target, method) => {
    const w = await world();
    await rejects(w, "rpc", () => w[target][method](fresh(w)));
  });

  it("a path through a method's own properties", async () => {
    const w = await world();
    await rejects(w, "rpc", () => w.main.redeemShare.call(null, w.shareID, w.secret));
    await rejects(w, "rpc", () => w.cap.appendOps.apply(null, [fresh(w)]));
  });
});
