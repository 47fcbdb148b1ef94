// Fuzzing (issue 6, item 4): at least 10,000 hostile payloads through a real capnweb session.
// Each one is refused (a typed SturdyError, a typed per-op rejection, or — for a method that does
// not exist — capnweb's own RPC error) and the server's database is byte-for-byte unchanged.
//
// Every payload is hostile by construction: none of them is a legitimate write that the server
// would be right to apply. Each class below says why it must change nothing.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RpcPromise, RpcTarget } from "capnweb";
import { dump, op, OPERATOR_TOKEN, part, serverFixture } from "./helpers.js";
import { MAX_BATCH_OPS, MAX_DEPENDENCIES, type Ack, type Op, type RejectReason } from "../src/protocol/envelope.js";
import { ITEM_LIMITS, type SyncItem } from "../src/protocol/items.js";
import { errorCode, type ErrorCode } from "../src/protocol/errors.js";
import { canonicalJson } from "../src/protocol/canonical.js";

/** Fixtures (property runs) and payloads per fixture: RUNS × PER_RUN ≥ 10,000 in CI. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const PER_RUN = 40;
const MIN_PAYLOADS = 10_000;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

// ---------------------------------------------------------------------------------------------
// The world each run starts from. The server's rng is seeded, so every fixture has the same share
// id and secrets; the generators can name them as constants.

// A stub without its static types: the fuzzer sends what a typed client never would.
type Loose = any;
const loose = (stub: unknown): Loose => stub;

const CREDS = (() => {
  const probe = serverFixture();
  const revoked = probe.server.store.revoke(probe.share.id, probe.share.secret);
  probe.close();
  return { shareID: probe.share.id, oldSecret: probe.share.secret, secret: revoked.secret, epoch: revoked.epoch };
})();

/** Ops applied before the revocation: the ledger knows w1/1..w1/3, the cursor is 3. */
const APPLIED = [op(1, part("p1", 0)), op(2, part("p1", 1)), op(3, part("p2", 0))];
const CURSOR = APPLIED.length;
const NEXT_SEQ = APPLIED.length + 1;

type Target = "main" | "cap" | "read" | "stale" | "staleRead";

async function world(policy: string) {
  const f = serverFixture(policy);
  const stale = f.rpc.redeemShare(f.share.id, f.share.secret);
  const staleRead = stale.readOnly();
  await stale.appendOps(APPLIED);
  const revoked = await f.rpc.revoke(f.share.id, f.share.secret);
  if (f.share.id !== CREDS.shareID || revoked.secret !== CREDS.secret || revoked.epoch !== CREDS.epoch) {
    throw new Error("the fixture is not the world the generators were built for");
  }
  const cap = f.rpc.redeemShare(f.share.id, revoked.secret);
  const read = cap.readOnly();
  const targets: Record<Target, Loose> = { main: f.rpc, cap, read, stale, staleRead };
  return { ...f, targets };
}
type World = Awaited<ReturnType<typeof world>>;

// ---------------------------------------------------------------------------------------------
// Payloads and what each must produce.

type Expect =
  | { kind: "error"; code: ErrorCode }
  /** capnweb's own error for a method or property that cannot be called: an Error without a code. */
  | { kind: "rpc" }
  /** An ack in which every op is rejected, the first for `first`, and nothing applied. */
  | { kind: "rejected"; first: RejectReason }
  /**
   * Applied op_ids sent again: an op whose content is unchanged is a duplicate; one whose content
   * differs (`reused`) is rejected OpIdReused by the op_id ledgers, and acked as a duplicate by
   * writer-seq, which keeps no content. Nothing applies either way.
   */
  | { kind: "replayed"; opIDs: string[]; reused: string[] };

/** Stands for a live capability of the fixture, so a payload can pass a capability as data. */
class CapRef {
  constructor(readonly target: Target) {}
}

interface Call { target: Target; path: string[]; args: unknown[] }

interface Payload {
  cls: Class;
  what: string;
  call: Call;
  /** A call pipelined on the first call's result (e.g. redeemShare(...).appendOps(...)). */
  then?: Omit<Call, "target">;
  expect: Expect;
}

const CLASSES = [
  "wrongType",
  "hugeBatch",
  "forgedOpId",
  "duplicateInBatch",
  "staleEpoch",
  "deepNesting",
  "protoPollution",
  "readOnlyCap",
  "missingMethod",
  "badCredentials",
  "syncShareBadData",
] as const;
type Class = (typeof CLASSES)[number];

function payload(cls: Class, what: string, call: Call, expected: Expect, then?: Payload["then"]): Payload {
  const p: Payload = { cls, what, call, expect: expected, ...(then ? { then } : {}) };
  // fast-check prints a failing case with this; the payloads themselves may be megabytes.
  Object.defineProperty(p, fc.toStringMethod, { value: () => `${cls}: ${what} via ${call.target}.${call.path.join(".")}` });
  return p;
}

const err = (code: ErrorCode): Expect => ({ kind: "error", code });
const appendOps = (target: Target, ops: unknown): Call => ({ target, path: ["appendOps"], args: [ops] });

// ---------------------------------------------------------------------------------------------
// Building blocks: well-formed values, and values that are wrong for a given field by construction.

/** capnweb cannot send null-prototype objects (the client refuses them), so records have Object's. */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, opts: { requiredKeys?: Array<keyof T>; noNullPrototype?: boolean } = {}): fc.Arbitrary<T> {
  return fc.record(model, { ...opts, noNullPrototype: true } as never) as fc.Arbitrary<T>;
}

const shortText = fc.string({ maxLength: 12 });
const idText = fc.string({ minLength: 1, maxLength: 16 });
const count = fc.nat({ max: 1_000_000 });

const validItem: fc.Arbitrary<SyncItem> = fc.oneof(
  record({ type: fc.constant("session" as const), data: record({ id: idText, title: shortText }) }),
  record({
    type: fc.constant("message" as const),
    data: record(
      {
        id: idText,
        sessionID: idText,
        role: fc.constantFrom("user" as const, "assistant" as const),
        agent: shortText,
        model: shortText,
        status: fc.constantFrom("streaming" as const, "completed" as const, "failed" as const, "aborted" as const),
      },
      { requiredKeys: ["id", "sessionID", "role"], noNullPrototype: true },
    ),
  }),
  record({ type: fc.constant("part" as const), data: record({ id: idText, messageID: idText, text: shortText, version: count }) }),
  record({
    type: fc.constant("session_diff" as const),
    data: record({
      sessionID: idText,
      diffs: fc.uniqueArray(record({ file: idText, additions: count, deletions: count }), { maxLength: 3, selector: (d) => d.file }),
    }),
  }),
  record({ type: fc.constant("model" as const), data: record({ id: idText, provider: shortText }) }),
);

/**
 * A batch the live capability WOULD apply: the writer's next numbers, the current epoch, only
 * dependencies that were applied, the true cursor as precondition if any. Hostile classes start
 * from this and break exactly one thing, so a refusal is due to that thing (and an accepted
 * payload would show up as a changed database).
 */
const freshBatch = (min = 1, max = 6): fc.Arbitrary<Op[]> =>
  record({
    items: fc.array(validItem, { minLength: min, maxLength: max }),
    deps: fc.subarray(APPLIED.map((o) => o.op_id), { maxLength: 2 }),
    expectCursor: fc.boolean(),
  }).map(({ items, deps, expectCursor }) => freshOps(items, deps, expectCursor));

function freshOps(items: SyncItem[], deps: string[] = [], expectCursor = false): Op[] {
  return items.map((item, i) => ({
    ...op(NEXT_SEQ + i, item, { batch_id: `w1/b${NEXT_SEQ}`, seq: i, depends_on: i === 0 ? deps : [], capability_epoch: CREDS.epoch }),
    ...(i === 0 && expectCursor ? { expected_cursor: CURSOR } : {}),
  }));
}

/** A key no schema knows and capnweb keeps (it drops keys named after Object.prototype members). */
const unknownKey = (known: readonly string[]) =>
  fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !known.includes(k) && !(k in Object.prototype) && k !== "toJSON");

class Hostile extends RpcTarget {
  appendOps() { return "a client-side object posing as ops"; }
}

/** Anything capnweb can carry. `undefined` is left out where the field is optional. */
const junk = (opts: { noUndefined?: boolean } = {}): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(null),
    ...(opts.noUndefined ? [] : [fc.constant(undefined)]),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.bigInt(),
    fc.string({ maxLength: 8 }),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 4 }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(unknownKey([]), fc.integer(), { maxKeys: 3, noNullPrototype: true }),
    fc.string({ maxLength: 8 }).map((m) => new RangeError(m)),
    fc.constant(new URL("https://share.invalid/")),
    fc.constant(() => 0), // a function: arrives as a stub
    fc.constant(null).map(() => new Hostile()), // an RpcTarget: arrives as a stub
  );

const notA = (type: "string" | "number" | "array" | "object", opts: { noUndefined?: boolean } = {}) =>
  junk(opts).filter((v) => {
    if (type === "string") return typeof v !== "string";
    if (type === "number") return typeof v !== "number";
    if (type === "array") return !Array.isArray(v);
    // Plain objects are drawn separately (an object with the wrong keys).
    return typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date || v instanceof Error || v instanceof URL || v instanceof Uint8Array || v instanceof RpcTarget;
  });

/** A string of `length` that is well-formed unless told otherwise. */
const longString = (length: number) => fc.constantFrom("x", "é", "😀").map((c) => c.repeat(Math.ceil(length / c.length)).slice(0, length));

const badString = (min: number, max: number, opts: { optional?: boolean } = {}): fc.Arbitrary<unknown> =>
  fc.oneof(
    notA("string", { noUndefined: opts.optional }),
    fc.integer({ min: max + 1, max: max + 64 }).chain(longString),
    fc.tuple(fc.string({ maxLength: 4 }), fc.constantFrom("\uD800", "\uDBFF", "\uDC00", "\uDFFF"), fc.string({ maxLength: 4 }))
      .map(([a, s, b]) => `${a}${s}${b}`)
      .filter((s) => s.length <= max),
    ...(min > 0 ? [fc.constant("")] : []),
  );

const badCount = (opts: { positive?: boolean; optional?: boolean } = {}): fc.Arbitrary<unknown> =>
  fc.oneof(
    notA("number", { noUndefined: opts.optional }),
    fc.integer({ max: -1 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((d) => !Number.isInteger(d)),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.integer({ min: 53, max: 60 }).map((e) => 2 ** e),
    ...(opts.positive ? [fc.constantFrom(0, -0)] : []),
  );

const badEnum = (values: readonly string[], opts: { optional?: boolean } = {}) =>
  fc.oneof(notA("string", { noUndefined: opts.optional }), fc.string({ maxLength: 10 }).filter((s) => !values.includes(s)));

const badArray = (element: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>, max: number) =>
  fc.oneof(
    notA("array"),
    fc.array(element, { minLength: max + 1, maxLength: max + 8 }),
    fc.tuple(fc.array(element, { maxLength: 3 }), bad, fc.nat()).map(([xs, b, at]) => {
      const out: unknown[] = [...xs];
      out.splice(at % (xs.length + 1), 0, b);
      return out;
    }),
  );

/** A mutation: set `path` (relative to one op) to a value, or remove the key. */
interface Mutation { path: string[]; value: unknown; remove?: boolean; what: string }
const REQUIRED_OP_KEYS = ["op_id", "batch_id", "seq", "writer_id", "writer_seq", "depends_on", "capability_epoch", "item"];
const OP_KEYS = [...REQUIRED_OP_KEYS, "expected_cursor"];

const set = (path: string[], what: string) => (value: unknown): Mutation => ({ path, value, what });

const fileDiff = record({ file: idText, additions: count, deletions: count });
const badFileDiff: fc.Arbitrary<unknown> = fc.oneof(
  notA("object"),
  record({ file: badString(1, ITEM_LIMITS.path), additions: count, deletions: count }),
  record({ file: idText, additions: badCount(), deletions: count }),
  record({ file: idText, additions: count, deletions: badCount() }),
  record({ additions: count, deletions: count }),
  fc.tuple(fileDiff, unknownKey(["file", "additions", "deletions"]), fc.integer()).map(([d, k, v]) => ({ ...d, [k]: v })),
);

/** Per item type: the data fields and a value that is wrong for each. */
const DATA_FIELDS: Record<SyncItem["type"], Array<[string, fc.Arbitrary<unknown>]>> = {
  session: [["id", badString(1, ITEM_LIMITS.id)], ["title", badString(0, ITEM_LIMITS.title)]],
  message: [
    ["id", badString(1, ITEM_LIMITS.id)],
    ["sessionID", badString(1, ITEM_LIMITS.id)],
    ["role", badEnum(["user", "assistant"])],
    ["agent", badString(0, ITEM_LIMITS.name, { optional: true })],
    ["model", badString(0, ITEM_LIMITS.model, { optional: true })],
    ["status", badEnum(["streaming", "completed", "failed", "aborted"], { optional: true })],
  ],
  part: [
    ["id", badString(1, ITEM_LIMITS.id)],
    ["messageID", badString(1, ITEM_LIMITS.id)],
    ["text", fc.oneof(notA("string"), fc.constant("t".repeat(ITEM_LIMITS.text + 1)), fc.constant(`\uDFFF${"t".repeat(40)}`))],
    ["version", badCount()],
  ],
  session_diff: [["sessionID", badString(1, ITEM_LIMITS.id)], ["diffs", badArray(fileDiff, badFileDiff, ITEM_LIMITS.diffs)]],
  model: [["id", badString(1, ITEM_LIMITS.id)], ["provider", badString(0, ITEM_LIMITS.name)]],
};
const ITEM_TYPES = Object.keys(DATA_FIELDS);
const REQUIRED_DATA: Record<SyncItem["type"], string[]> = {
  session: ["id", "title"],
  message: ["id", "sessionID", "role"],
  part: ["id", "messageID", "text", "version"],
  session_diff: ["sessionID", "diffs"],
  model: ["id", "provider"],
};

/** Something wrong with an op's item, given the (valid) item it replaces. */
const itemMutation = (item: SyncItem): fc.Arbitrary<Mutation> => {
  const fields = DATA_FIELDS[item.type];
  return fc.oneof(
    notA("object").map(set(["item"], "item is not an object")),
    fc.string({ maxLength: 12 }).filter((t) => !ITEM_TYPES.includes(t)).map(set(["item", "type"], "unknown item type")),
    fc.constantFrom("type", "data").map((k): Mutation => ({ path: ["item", k], value: undefined, remove: true, what: `item.${k} missing` })),
    notA("object").map(set(["item", "data"], "item.data is not an object")),
    fc.tuple(unknownKey(["type", "data"]), junk()).map(([k, v]) => set(["item", k], "unknown item key")(v)),
    fc.tuple(unknownKey(fields.map(([f]) => f)), junk()).map(([k, v]) => set(["item", "data", k], "unknown data key")(v)),
    fc.constantFrom(...REQUIRED_DATA[item.type]).map((k): Mutation => ({ path: ["item", "data", k], value: undefined, remove: true, what: `data.${k} missing` })),
    fc.oneof(...fields.map(([f, bad]) => bad.map(set(["item", "data", f], `data.${f} wrong`)))),
  );
};

/** Something wrong with one op of a fresh batch (never the epoch: a stale epoch is its own class). */
const opMutation = (o: Op): fc.Arbitrary<Mutation> =>
  fc.oneof(
    badString(1, 128).map(set(["op_id"], "op_id wrong")),
    badString(1, 128).map(set(["batch_id"], "batch_id wrong")),
    badCount().map(set(["seq"], "seq wrong")),
    badString(1, 64).map(set(["writer_id"], "writer_id wrong")),
    badCount({ positive: true }).map(set(["writer_seq"], "writer_seq wrong")),
    badArray(fc.constantFrom(...APPLIED.map((a) => a.op_id)), badString(1, 128), MAX_DEPENDENCIES).map(set(["depends_on"], "depends_on wrong")),
    badCount({ optional: true }).map(set(["expected_cursor"], "expected_cursor wrong")),
    // capability_epoch of the wrong *type* (a wrong number is the staleEpoch class).
    fc.oneof(notA("number"), fc.integer({ max: -1 }), fc.constantFrom(0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60)).map(set(["capability_epoch"], "capability_epoch wrong")),
    fc.constantFrom(...REQUIRED_OP_KEYS).map((k): Mutation => ({ path: [k], value: undefined, remove: true, what: `${k} missing` })),
    fc.tuple(unknownKey(OP_KEYS), junk()).map(([k, v]) => set([k], "unknown envelope key")(v)),
    itemMutation(o.item),
  );

function applyMutation(base: Op, m: Mutation): unknown {
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of m.path.slice(0, -1)) {
    const next = at[key];
    if (!next || typeof next !== "object") return copy; // cannot happen: paths follow the valid shape
    at = next as Record<string, unknown>;
  }
  const last = m.path[m.path.length - 1]!;
  if (m.remove) delete at[last];
  else at[last] = m.value;
  return copy;
}

/** A fresh batch with one op broken by one mutation; the rest of the batch stays well-formed. */
const brokenBatch = fc
  .tuple(freshBatch(), fc.nat())
  .chain(([ops, at]) => {
    const index = at % ops.length;
    return opMutation(ops[index]!).map((m) => ({ ops, index, m }));
  })
  .map(({ ops, index, m }) => ({ ops: ops.map((o, i) => (i === index ? applyMutation(o, m) : o)), what: m.what }));

// ---------------------------------------------------------------------------------------------
// The hostile classes.

/**
 * wrongType — a field of one op has the wrong type, is out of bounds, is missing or unknown; or the
 * batch or an op is not even the right kind of value; or a capability is passed as data. Changes
 * nothing: the whole batch is parsed before the store is called, and any schema failure throws.
 */
const wrongType: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 6, arbitrary: brokenBatch.map(({ ops, what }) => payload("wrongType", what, appendOps("cap", ops), err("MalformedOps"))) },
  { weight: 1, arbitrary: notA("array").map((v) => payload("wrongType", "batch is not an array", appendOps("cap", v), err("MalformedOps"))) },
  { weight: 1, arbitrary: fc.constant(payload("wrongType", "empty batch", appendOps("cap", []), err("MalformedOps"))) },
  {
    weight: 1,
    arbitrary: fc.tuple(freshBatch(), notA("object"), fc.nat()).map(([ops, bad, at]) => {
      const out: unknown[] = [...ops];
      out[at % ops.length] = bad;
      return payload("wrongType", "an op is not an object", appendOps("cap", out), err("MalformedOps"));
    }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom<Target>("main", "cap", "read"), fc.boolean(), freshBatch(1, 1)).map(([t, inside, ops]) =>
      payload("wrongType", "a capability passed as data", appendOps("cap", inside ? [{ ...ops[0], item: new CapRef(t) }] : new CapRef(t)), err("MalformedOps")),
    ),
  },
);

/**
 * hugeBatch — too many ops (or items), too many dependencies or diffs, strings over their bound.
 * Changes nothing: sizes are checked before anything is parsed or written.
 */
const hugeBatch: fc.Arbitrary<Payload> = fc.oneof(
  fc.tuple(fc.integer({ min: MAX_BATCH_OPS + 1, max: MAX_BATCH_OPS + 64 }), validItem).map(([n, item]) =>
    payload("hugeBatch", `${n} well-formed ops`, appendOps("cap", freshOps(Array.from({ length: n }, () => item))), err("BatchTooLarge")),
  ),
  fc.tuple(fc.integer({ min: MAX_BATCH_OPS + 1, max: 4 * MAX_BATCH_OPS }), junk()).map(([n, j]) =>
    payload("hugeBatch", `${n} junk entries`, appendOps("cap", Array.from({ length: n }, () => j)), err("BatchTooLarge")),
  ),
  fc.tuple(fc.integer({ min: MAX_BATCH_OPS + 1, max: MAX_BATCH_OPS + 64 }), validItem).map(([n, item]) =>
    payload("hugeBatch", `syncShare with ${n} items`, { target: "main", path: ["syncShare"], args: [CREDS.shareID, CREDS.secret, Array.from({ length: n }, () => item)] }, err("BatchTooLarge")),
  ),
  fc.tuple(freshBatch(1, 1), fc.integer({ min: MAX_DEPENDENCIES + 1, max: 200 })).map(([[o], n]) =>
    payload("hugeBatch", `${n} dependencies`, appendOps("cap", [{ ...o, depends_on: Array.from({ length: n }, () => "w1/1") }]), err("MalformedOps")),
  ),
  fc.tuple(freshBatch(1, 1), fc.integer({ min: ITEM_LIMITS.diffs + 1, max: ITEM_LIMITS.diffs + 64 })).map(([[o], n]) =>
    payload("hugeBatch", `${n} file diffs`, appendOps("cap", [{
      ...o,
      item: { type: "session_diff", data: { sessionID: "s", diffs: Array.from({ length: n }, (_, i) => ({ file: `f${i}`, additions: 1, deletions: 0 })) } },
    }]), err("MalformedOps")),
  ),
  fc.tuple(freshBatch(1, 1), fc.constantFrom(
    ["op_id", 129], ["batch_id", 129], ["writer_id", 65], ["item.data.text", ITEM_LIMITS.text + 1], ["item.data.id", ITEM_LIMITS.id + 1], ["item.data.messageID", ITEM_LIMITS.id + 1],
  ) as fc.Arbitrary<[string, number]>, fc.nat(32)).map(([[o], [field, len], extra]) => {
    const item = { type: "part", data: { id: "p", messageID: "m", text: "", version: 0 } };
    const m: Mutation = { path: field.split("."), value: "y".repeat(len + extra), what: `${field} of ${len + extra} characters` };
    return payload("hugeBatch", m.what, appendOps("cap", [applyMutation({ ...o!, item: item as SyncItem }, m)]), err("MalformedOps"));
  }),
);

/**
 * forgedOpId — an op_id that is not `<writer_id>/<writer_seq>` (another writer's, an applied op's,
 * any string) → MalformedOps: nothing is parsed into the store. Or an honest replay of an applied
 * op's identity carrying *different* content → OpIdReused under the op_id ledger (it keeps the
 * op's digest), a duplicate under writer-seq (it keeps a number only): either way the new content
 * must not overwrite what the op_id already stands for.
 */
const forgedOpId: fc.Arbitrary<Payload> = fc.oneof(
  fc.tuple(freshBatch(), fc.nat(), fc.oneof(
    fc.constantFrom(...APPLIED.map((a) => a.op_id)),
    fc.integer({ min: 1, max: 100 }).map((n) => `w2/${n}`),
    fc.integer({ min: 1, max: 100 }).map((n) => `w1/${n}`),
    fc.string({ minLength: 1, maxLength: 128 }),
  )).filter(([ops, at, forged]) => ops[at % ops.length]!.op_id !== forged).map(([ops, at, forged]) => {
    const out = ops.map((o, i) => (i === at % ops.length ? { ...o, op_id: forged } : o));
    return payload("forgedOpId", "op_id is not writer_id/writer_seq", appendOps("cap", out), err("MalformedOps"));
  }),
  fc.tuple(freshBatch(), fc.nat(), fc.string({ minLength: 1, maxLength: 64 })).filter(([, , w]) => w !== "w1").map(([ops, at, writer]) => {
    const out = ops.map((o, i) => (i === at % ops.length ? { ...o, writer_id: writer } : o));
    return payload("forgedOpId", "writer_id does not match op_id", appendOps("cap", out), err("MalformedOps"));
  }),
  fc.tuple(fc.subarray(APPLIED, { minLength: 1 }), fc.array(validItem, { minLength: 3, maxLength: 3 })).map(([replays, items]) => {
    const ops = replays.map((o, i) => ({ ...o, item: items[i]!, capability_epoch: CREDS.epoch }));
    const reused = ops.filter((o, i) => canonicalJson(o.item) !== canonicalJson(replays[i]!.item)).map((o) => o.op_id);
    return payload("forgedOpId", "applied op_ids replayed with new content", appendOps("cap", ops), { kind: "replayed", opIDs: ops.map((o) => o.op_id), reused });
  }),
);

/**
 * duplicateInBatch — one op_id twice in a batch (the same op, or the same identity with other
 * content). Changes nothing: the batch is refused as a whole before the store sees it, so not even
 * the first copy is applied.
 */
const duplicateInBatch: fc.Arbitrary<Payload> = fc.tuple(freshBatch(), fc.nat(), fc.nat(), fc.option(validItem, { nil: undefined })).map(([ops, from, to, other]) => {
  const dup = ops[from % ops.length]!;
  const out: unknown[] = [...ops];
  out.splice(to % (ops.length + 1), 0, other ? { ...dup, item: other } : dup);
  return payload("duplicateInBatch", `op_id ${dup.op_id} twice`, appendOps("cap", out), err("MalformedOps"));
});

/**
 * staleEpoch — a capability redeemed before the revocation (or a read capability cut from it)
 * used to write or read → StaleEpoch: the store checks the epoch before its first write. Envelopes
 * stamped with any epoch but the current one, through a live capability → every op rejected
 * (first StaleEpoch; under writer-seq the writer's later ops wait behind it as WriterGap), none
 * applied. The revoked secret → WrongSecret.
 */
const staleEpoch: fc.Arbitrary<Payload> = fc.oneof(
  fc.tuple(freshBatch(), fc.constantFrom(0, CREDS.epoch)).map(([ops, e]) =>
    payload("staleEpoch", `stale capability, envelopes at epoch ${e}`, appendOps("stale", ops.map((o) => ({ ...o, capability_epoch: e }))), err("StaleEpoch")),
  ),
  fc.constantFrom<[Target, string]>(["stale", "cursor"], ["stale", "snapshot"], ["stale", "readOnly"], ["staleRead", "cursor"], ["staleRead", "snapshot"]).map(([t, m]) =>
    payload("staleEpoch", `stale capability reads ${m}`, { target: t, path: [m], args: [] }, err("StaleEpoch")),
  ),
  fc.tuple(freshBatch(), fc.oneof(fc.constant(0), fc.integer({ min: CREDS.epoch + 1, max: 1_000 }))).map(([ops, e]) =>
    payload("staleEpoch", `envelopes at epoch ${e} via the live capability`, appendOps("cap", ops.map((o) => ({ ...o, capability_epoch: e }))), { kind: "rejected", first: "StaleEpoch" }),
  ),
  fc.tuple(fc.constantFrom("redeemShare", "revoke"), freshBatch()).map(([m, ops]) =>
    payload("staleEpoch", `${m} with the revoked secret`, { target: "main", path: [m], args: [CREDS.shareID, CREDS.oldSecret] }, err("WrongSecret"), m === "redeemShare" ? { path: ["appendOps"], args: [ops] } : undefined),
  ),
  fc.array(validItem, { minLength: 1, maxLength: 3 }).map((items) =>
    payload("staleEpoch", "syncShare with the revoked secret", { target: "main", path: ["syncShare"], args: [CREDS.shareID, CREDS.oldSecret, items] }, err("WrongSecret")),
  ),
);

/** Nesting up to `depth` levels of arrays and objects; `share` reuses one child twice (a DAG). */
const nested = (depth: number, share: boolean): unknown => {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) {
    if (share && i < 8) v = i % 2 ? [v, v] : { a: v, b: v };
    else v = i % 2 ? [v] : { n: v };
  }
  return v;
};

/**
 * deepNesting — deep (up to 200 levels; capnweb refuses ~250) or shared (DAG) structures where a
 * string, an object or a batch belongs, or under an unknown key. Changes nothing: the schema never
 * accepts an unknown key or a structure where a scalar belongs, whatever is inside.
 */
const deepNesting: fc.Arbitrary<Payload> = fc
  .record({ depth: fc.integer({ min: 1, max: 200 }), share: fc.boolean(), ops: freshBatch(1, 3), where: fc.nat(5), items: fc.array(validItem, { minLength: 1, maxLength: 2 }) })
  .map(({ depth, share, ops, where, items }) => {
    const deep = nested(depth, share);
    const what = `depth ${depth}${share ? " (shared)" : ""}`;
    switch (where) {
      case 0: return payload("deepNesting", `${what} under an unknown op key`, appendOps("cap", ops.map((o, i) => (i === 0 ? { ...o, nested: deep } : o))), err("MalformedOps"));
      case 1: return payload("deepNesting", `${what} under an unknown data key`, appendOps("cap", ops.map((o, i) => (i === 0 ? { ...o, item: { ...o.item, data: { ...o.item.data, nested: deep } } } : o))), err("MalformedOps"));
      case 2: return payload("deepNesting", `${what} as the item`, appendOps("cap", ops.map((o, i) => (i === 0 ? { ...o, item: deep } : o))), err("MalformedOps"));
      case 3: return payload("deepNesting", `${what} as the batch`, appendOps("cap", [deep]), err("MalformedOps"));
      case 4: return payload("deepNesting", `${what} as syncShare data`, { target: "main", path: ["syncShare"], args: [CREDS.shareID, CREDS.secret, [...items, deep]] }, err("MalformedOps"));
      default: return payload("deepNesting", `${what} as a share id`, { target: "main", path: ["redeemShare"], args: [deep, CREDS.secret] }, err("MalformedCredentials"));
    }
  });

/**
 * protoPollution — a required field moved into `__proto__` (an own key, as JSON.parse makes it),
 * `constructor.prototype` or `prototype`, hoping a lax parser would find it by inheritance or
 * write it onto Object.prototype. Changes nothing: capnweb drops keys named after Object.prototype
 * members and an own `__proto__` key only reparents the client's copy, so the field arrives
 * missing (and `prototype` is an unknown key to a strict schema). Object.prototype is checked
 * after every payload.
 */
const POLLUTABLE: Array<{ path: string[]; label: string }> = [
  ...REQUIRED_OP_KEYS.map((k) => ({ path: [k], label: k })),
  { path: ["item", "type"], label: "item.type" },
  { path: ["item", "data"], label: "item.data" },
  { path: ["item", "data", "id"], label: "item.data.id" },
];
const protoPollution: fc.Arbitrary<Payload> = fc
  .record({
    ops: fc.array(record({ id: idText, text: shortText }), { minLength: 1, maxLength: 3 }).map((ps) => freshOps(ps.map((p) => ({ type: "part" as const, data: { id: p.id, messageID: "m", text: p.text, version: 0 } })))),
    at: fc.nat(),
    field: fc.constantFrom(...POLLUTABLE),
    carrier: fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "toJSON"),
    credentials: fc.boolean(),
  })
  .map(({ ops, at, field, carrier, credentials }) => {
    if (credentials) {
      // A share id that is an object whose prototype would make it look like a string.
      const id = JSON.parse(`{"${carrier}": {"toString": "${CREDS.shareID}", "length": 8}}`) as unknown;
      return payload("protoPollution", `share id with ${carrier}`, { target: "main", path: ["redeemShare"], args: [id, CREDS.secret] }, err("MalformedCredentials"), { path: ["appendOps"], args: [ops] });
    }
    const index = at % ops.length;
    const target = structuredClone(ops[index]!) as unknown as Record<string, unknown>;
    let holder = target;
    for (const k of field.path.slice(0, -1)) holder = holder[k] as Record<string, unknown>;
    const key = field.path[field.path.length - 1]!;
    const value = holder[key];
    delete holder[key];
    const smuggled = carrier === "constructor" ? { prototype: { [key]: value } } : { [key]: value };
    // defineProperty makes "__proto__" an own key instead of setting the prototype.
    const rebuilt: Record<string, unknown> = {};
    Object.defineProperty(rebuilt, carrier, { value: smuggled, enumerable: true, writable: true, configurable: true });
    for (const [k, v] of Object.entries(holder)) rebuilt[k] = v;
    let out: Record<string, unknown> = rebuilt;
    if (field.path.length > 1) {
      // Put the rebuilt holder back where it was.
      out = target;
      let parent = out;
      for (const k of field.path.slice(0, -2)) parent = parent[k] as Record<string, unknown>;
      parent[field.path[field.path.length - 2]!] = rebuilt;
    }
    const batch = ops.map((o, i) => (i === index ? out : o));
    return payload("protoPollution", `${field.label} smuggled via ${carrier}`, appendOps("cap", batch), err("MalformedOps"));
  });

/**
 * readOnlyCap — a read capability asked to write, revoke, redeem, re-attenuate or describe itself
 * as a full capability. Changes nothing: ReadCap has cursor and snapshot only; capnweb refuses
 * every other name before any server code runs.
 */
const readOnlyCap: fc.Arbitrary<Payload> = fc.oneof(
  freshBatch().map((ops) => payload("readOnlyCap", "appendOps on a ReadCap", appendOps("read", ops), { kind: "rpc" })),
  freshBatch().map((ops) => payload("readOnlyCap", "appendOps on a stale ReadCap", appendOps("staleRead", ops), { kind: "rpc" })),
  fc.tuple(fc.constantFrom("revoke", "redeemShare", "syncShare", "createShare", "readOnly", "epoch", "shareID"), fc.array(validItem, { maxLength: 2 })).map(([m, items]) =>
    payload("readOnlyCap", `${m} on a ReadCap`, { target: "read", path: [m], args: [CREDS.shareID, CREDS.secret, items] }, { kind: "rpc" }),
  ),
);

const METHODS: Record<Target, string[]> = {
  main: ["createShare", "redeemShare", "revoke", "syncShare"],
  cap: ["shareID", "cursor", "epoch", "appendOps", "readOnly", "snapshot"],
  read: ["cursor", "snapshot", "read"],
  stale: ["shareID", "cursor", "epoch", "appendOps", "readOnly", "snapshot"],
  staleRead: ["cursor", "snapshot", "read"],
};
/** Names the client stub answers locally (then, catch, toString, …): those never reach the server. */
const LOCAL = (name: string) => name in RpcPromise.prototype || name in Object.prototype;

/**
 * missingMethod — a name that is not a method of the target: instance fields (store, id,
 * capEpoch), the store's methods, another capability's methods, any string; or a path through a
 * method's own properties (redeemShare.call). Changes nothing: capnweb only calls methods on the
 * class's prototype, and refuses instance properties outright.
 */
const missingMethod: fc.Arbitrary<Payload> = fc
  .record({
    target: fc.constantFrom<Target>("main", "cap", "read"),
    name: fc.oneof(
      fc.constantFrom("store", "id", "capEpoch", "shareID", "db", "ledger", "stmt", "options", "mustGet", "authenticate", "current", "appendOpsTx", "info",
        "createShare", "redeemShare", "revoke", "syncShare", "appendOps", "readOnly", "epoch", "prototype", "nope", ""),
      fc.string({ maxLength: 12 }),
    ),
    sub: fc.option(fc.constantFrom("call", "apply", "bind", "length", "name", "prototype"), { nil: undefined }),
    args: fc.oneof(fc.constant([] as unknown[]), freshBatch().map((ops) => [ops] as unknown[]), fc.constant([CREDS.shareID, CREDS.secret] as unknown[])),
  })
  // A real method is only called through one of its own properties (redeemShare.call).
  .filter(({ target, name, sub }) => !LOCAL(name) && (!METHODS[target].includes(name) || sub !== undefined))
  .map(({ target, name, sub, args }) => {
    const path = METHODS[target].includes(name) ? [name, sub!] : [name];
    return payload("missingMethod", `${target}.${path.join(".")}()`, { target, path, args }, { kind: "rpc" });
  });

/**
 * badCredentials — malformed share ids, secrets or session ids → MalformedCredentials; a well-formed
 * but unknown share → UnknownShare; the right share with any other secret → WrongSecret (revoke
 * included: it must not rotate anything). Pipelined calls on a failed redemption fail the same way.
 * Changes nothing: credentials are parsed, then authenticated, before the store writes.
 */
const credential = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom(CREDS.secret.toUpperCase(), `${CREDS.secret} `, CREDS.secret.slice(1)));
const badCredentials: fc.Arbitrary<Payload> = fc
  .record({
    method: fc.constantFrom("redeemShare", "revoke", "syncShare", "createShare"),
    fault: fc.constantFrom("malformedID", "malformedSecret", "unknownShare", "wrongSecret"),
    bad: badString(1, 256),
    other: credential,
    pipelined: fc.boolean(),
    ops: freshBatch(),
    items: fc.array(validItem, { minLength: 1, maxLength: 3 }),
  })
  .filter(({ fault, other }) => !(fault === "unknownShare" && other === CREDS.shareID) && !(fault === "wrongSecret" && other === CREDS.secret))
  .map(({ method, fault, bad, other, pipelined, ops, items }) => {
    if (method === "createShare") {
      // With the operator token only a malformed session id is refused (a well-formed one is a
      // legitimate new share); without it, any session id is.
      if (pipelined) return payload("badCredentials", "createShare with a malformed session id", { target: "main", path: [method], args: [bad, OPERATOR_TOKEN] }, err("MalformedCredentials"));
      return payload("badCredentials", "createShare without the operator token", { target: "main", path: [method], args: [other, other === OPERATOR_TOKEN ? bad : other] }, err("Unauthorized"));
    }
    const [id, secret, code]: [unknown, unknown, ErrorCode] =
      fault === "malformedID" ? [bad, CREDS.secret, "MalformedCredentials"]
        : fault === "malformedSecret" ? [CREDS.shareID, bad, "MalformedCredentials"]
          : fault === "unknownShare" ? [other, CREDS.secret, "UnknownShare"]
            : [CREDS.shareID, other, "WrongSecret"];
    const args = method === "syncShare" ? [id, secret, items] : [id, secret];
    const then = method === "redeemShare" && pipelined ? { path: ["appendOps"], args: [ops] } : undefined;
    return payload("badCredentials", `${method}: ${fault}`, { target: "main", path: [method], args }, err(code), then);
  });

/**
 * syncShareBadData — the legacy path with the right credentials and data of the wrong type: not a
 * list, or a list with one bad item among good ones. Changes nothing: the whole list is parsed
 * before the store's transaction, so the good items before the bad one are not written either.
 */
const syncShareBadData: fc.Arbitrary<Payload> = fc.oneof(
  notA("array").map((data) => payload("syncShareBadData", "data is not a list", { target: "main", path: ["syncShare"], args: [CREDS.shareID, CREDS.secret, data] }, err("MalformedOps"))),
  fc.tuple(fc.array(validItem, { maxLength: 3 }), fc.nat(), validItem.chain((item) => itemMutation(item).map((m) => ({ item, m })))).map(([items, at, { item, m }]) => {
    const bad = (applyMutation({ ...op(1, item) }, m) as { item?: unknown }).item;
    const data: unknown[] = [...items];
    data.splice(at % (items.length + 1), 0, m.path.length === 1 && m.remove ? undefined : bad);
    return payload("syncShareBadData", `a bad item in the list (${m.what})`, { target: "main", path: ["syncShare"], args: [CREDS.shareID, CREDS.secret, data] }, err("MalformedOps"));
  }),
  freshBatch().map((ops) => payload("syncShareBadData", "envelopes instead of items", { target: "main", path: ["syncShare"], args: [CREDS.shareID, CREDS.secret, ops] }, err("MalformedOps"))),
);

const GENERATORS: Record<Class, fc.Arbitrary<Payload>> = {
  wrongType,
  hugeBatch,
  forgedOpId,
  duplicateInBatch,
  staleEpoch,
  deepNesting,
  protoPollution,
  readOnlyCap,
  missingMethod,
  badCredentials,
  syncShareBadData,
};
const hostile = fc.oneof(...CLASSES.map((c) => ({ weight: c === "wrongType" ? 3 : 1, arbitrary: GENERATORS[c] })));

// ---------------------------------------------------------------------------------------------
// Sending a payload and judging the outcome.

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function resolveArgs(w: World, args: unknown[]): unknown[] {
  const one = (a: unknown): unknown => (a instanceof CapRef ? w.targets[a.target] : a);
  return args.map((a) => (Array.isArray(a) ? a.map((x) => (x && typeof x === "object" && "item" in x && (x as { item: unknown }).item instanceof CapRef ? { ...x, item: one((x as { item: unknown }).item) } : x)) : one(a)));
}

async function send(w: World, p: Payload): Promise<Outcome> {
  let fn: Loose = w.targets[p.call.target];
  for (const name of p.call.path) fn = fn[name];
  const first: Loose = fn(...resolveArgs(w, p.call.args));
  const result: Loose = p.then ? p.then.path.reduce((s: Loose, name) => s[name], first)(...p.then.args) : first;
  try {
    return { ok: true, value: await result };
  } catch (error) {
    return { ok: false, error };
  } finally {
    // Redeemed capabilities and pipelined results are released, as the flusher does.
    for (const s of [first, result]) {
      try { s[Symbol.dispose]?.(); } catch { /* already gone */ }
    }
  }
}

function judge(p: Payload, out: Outcome, policy: string): string | undefined {
  const e = p.expect;
  if (e.kind === "error" || e.kind === "rpc") {
    if (out.ok) return `expected ${e.kind === "error" ? e.code : "an RPC error"}, got ${JSON.stringify(out.value)?.slice(0, 200)}`;
    if (!(out.error instanceof Error)) return `expected an Error, got ${String(out.error)}`;
    const code = errorCode(out.error);
    if (e.kind === "error" && code !== e.code) return `expected ${e.code}, got ${code ?? "no code"}: ${out.error.message.slice(0, 200)}`;
    if (e.kind === "rpc" && code !== undefined) return `expected an untyped RPC error, got ${code}`;
    return undefined;
  }
  if (!out.ok) return `expected an ack, got ${String(out.error).slice(0, 200)}`;
  const ack = out.value as Ack;
  if (ack.applied.length > 0) return `applied ${ack.applied.join(",")}`;
  if (e.kind === "replayed") {
    const reused = policy === "writer-seq" ? [] : e.reused;
    const expected = { duplicates: e.opIDs.filter((id) => !reused.includes(id)), rejected: reused.map((op_id) => ({ op_id, reason: "OpIdReused" })) };
    const got = { duplicates: ack.duplicates, rejected: ack.rejected };
    return canonicalJson(got) === canonicalJson(expected) ? undefined : `expected ${canonicalJson(expected)}, got ${JSON.stringify(ack)}`;
  }
  const reasons = new Set(ack.rejected.map((r) => r.reason));
  if (ack.duplicates.length > 0 || ack.rejected.length === 0) return `expected every op rejected: ${JSON.stringify(ack)}`;
  if (ack.rejected[0]!.reason !== e.first) return `expected ${e.first} first: ${JSON.stringify(ack)}`;
  for (const r of reasons) if (r !== "StaleEpoch" && r !== "WriterGap") return `unexpected rejection ${r}`;
  return undefined;
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const protoShape = () => PROTOTYPES.map((p) => Reflect.ownKeys(p).map(String).sort().join(",")).join("|");

// ---------------------------------------------------------------------------------------------

describe("fuzzing the RPC boundary with hostile payloads", () => {
  it(`≥ ${MIN_PAYLOADS} payloads: each refused with a typed error, the database byte-for-byte unchanged`, async () => {
    const counts = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<Class, number>;
    let total = 0;
    const shape = protoShape();
    const started = performance.now();

    await fc.assert(
      fc.asyncProperty(fc.constantFrom("permanent", "writer-seq"), fc.array(hostile, { minLength: PER_RUN, maxLength: PER_RUN }), async (policy, payloads) => {
        const w = await world(policy);
        try {
          const before = dump(w.db);
          for (const p of payloads) {
            const problem = judge(p, await send(w, p), policy);
            if (problem) throw new Error(`${p.cls} (${p.what}) under ${policy}: ${problem}`);
            if (dump(w.db) !== before) throw new Error(`${p.cls} (${p.what}) under ${policy}: the database changed`);
            if (protoShape() !== shape) throw new Error(`${p.cls} (${p.what}): a built-in prototype changed`);
            counts[p.cls] += 1;
            total += 1;
          }
          // The session survived all of it and the live capability still works.
          if ((await w.targets.cap.cursor()) !== CURSOR) throw new Error("the live capability no longer reads the share");
        } finally {
          w.close();
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );

    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz: ${total} hostile payloads in ${seconds.toFixed(1)} s`, counts);
    expect(total).toBeGreaterThanOrEqual(Math.min(MIN_PAYLOADS, RUNS * PER_RUN));
    if (process.env.FUZZ_RUNS === undefined) expect(total).toBeGreaterThanOrEqual(MIN_PAYLOADS);
    for (const c of CLASSES) expect(counts[c], `class ${c} was never generated`).toBeGreaterThan(0);
  });
});
