// Differential: the same generated scripts of capability calls (fast-check) against ShareStore on
// the better-sqlite3 adapter in this process and on the Durable Object adapter in real workerd
// (miniflare). Every answer — acks, values, refusals with their codes and messages — and every row
// of every table at the end must be identical. Scripts mix fresh ops, duplicates and resends,
// op_ids reused with other content, stale epochs after revocations, missing dependencies, wrong
// cursors, writer gaps, legacy syncShare, reads, and hostile payloads, under each dedupe policy.
// This is what lets the simulator's verdicts (run on better-sqlite3) stand for the deployed server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Miniflare } from "miniflare";
import { deserialize, serialize } from "capnweb";
import { resolve } from "node:path";
import { openDatabase } from "../src/server/share-server.js";
import { parsePolicy } from "../src/server/dedupe.js";
import { MAX_BATCH_OPS, type Op } from "../src/protocol/envelope.js";
import type { SyncItem } from "../src/protocol/items.js";
import { formatOpId } from "../src/protocol/op-id.js";
import { runScript, type Outcome, type ScriptResult, type Step } from "./workerd/differential-script.js";
import { startTestWorker } from "../scripts/load/workerd.js";
import { ROOT } from "../scripts/load/serve-process.js";

const RUNS = Number(process.env.DIFF_RUNS ?? 50);
const POLICIES = ["permanent", "window(3)", "writer-seq"] as const;

let mf: Miniflare;
beforeAll(async () => {
  mf = await startTestWorker(resolve(ROOT, "test/workerd/differential.worker.ts"), { RUNS: "DifferentialObject" });
}, 60_000);
afterAll(async () => { await mf?.dispose(); });

// ---------------------------------------------------------------------------------------------
// Honest traffic: few writers, sequence numbers and keys, so duplicates, reused op_ids, gaps and
// dependencies (met and unmet) come up by themselves.

const item: fc.Arbitrary<SyncItem> = fc.oneof(
  fc.record({ id: fc.constantFrom("p1", "p2"), version: fc.nat({ max: 2 }) })
    .map(({ id, version }): SyncItem => ({ type: "part", data: { id, messageID: "m1", text: `v${version}`, version } })),
  fc.subarray(["a.ts", "b.ts", "c.ts"])
    .map((files): SyncItem => ({ type: "session_diff", data: { sessionID: "s1", diffs: files.map((file) => ({ file, additions: 1, deletions: 0 })) } })),
  fc.constantFrom("t1", "t2").map((title): SyncItem => ({ type: "session", data: { id: "s1", title } })),
);

const opSpec = fc.record({
  writer: fc.constantFrom("w1", "w2"),
  seq: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 6 }) }),
  item,
  deps: fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.subarray(["w1/1", "w1/2", "w2/1", "w2/3", "w9/9"], { maxLength: 2 }) }),
  // Mostly the epoch of a capability that has seen no revocation, sometimes one a revocation made.
  epoch: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
});

const batch: fc.Arbitrary<Op[]> = fc.record({
  specs: fc.array(opSpec, { minLength: 1, maxLength: 4 }),
  expectedCursor: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat({ max: 5 }) }),
}).map(({ specs, expectedCursor }) => specs.map((s, i): Op => ({
  op_id: formatOpId(s.writer, s.seq),
  batch_id: "b",
  seq: i,
  writer_id: s.writer,
  writer_seq: s.seq,
  depends_on: s.deps,
  capability_epoch: s.epoch,
  item: s.item,
  ...(i === 0 && expectedCursor !== undefined ? { expected_cursor: expectedCursor } : {}),
})));

// ---------------------------------------------------------------------------------------------
// Hostile payloads: anything capnweb can carry, in place of a whole argument or of one field.

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, Number.NaN, Number.POSITIVE_INFINITY, -0, "", "\uD800"),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.string({ maxLength: 8 }),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 4 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("x", "type", "data", "op_id"), fc.integer(), { maxKeys: 3, noNullPrototype: true }),
  fc.integer({ min: 257, max: 300 }).map((n) => "x".repeat(n)),
);

const hostileOps: fc.Arbitrary<unknown> = fc.oneof(
  junk,
  fc.array(junk, { maxLength: 3 }),
  fc.constant([]),
  fc.constant(Array.from({ length: MAX_BATCH_OPS + 1 }, () => 0)),
  fc.tuple(batch, fc.constantFrom("op_id", "writer_seq", "depends_on", "capability_epoch", "item", "extra", "expected_cursor"), junk)
    .map(([ops, field, value]) => ops.map((o, i) => (i === 0 ? { ...o, [field]: value } : o))),
  batch.map((ops) => [...ops, ops[0]]), // one op_id twice in a batch
);

const hostileItems: fc.Arbitrary<unknown> = fc.oneof(junk, fc.array(junk, { maxLength: 2 }), fc.array(item, { maxLength: 3 }));

const index = fc.nat({ max: 3 });
const secret = fc.constantFrom("current", "current", "current", "first", "wrong") as fc.Arbitrary<"current" | "first" | "wrong">;

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom("s1", "s2"), junk).map((session): Step => ({ kind: "create", session })) },
  { weight: 3, arbitrary: fc.record({ share: index, secret }).map((s): Step => ({ kind: "redeem", ...s })) },
  { weight: 1, arbitrary: fc.record({ shareID: fc.oneof(junk, fc.constant("share-404")), secret: fc.oneof(junk, fc.constant("secret-1")) })
    .map((s): Step => ({ kind: "redeemRaw", ...s })) },
  { weight: 8, arbitrary: fc.record({ cap: index, ops: batch }).map((s): Step => ({ kind: "append", ...s })) },
  { weight: 2, arbitrary: fc.record({ cap: index, ops: hostileOps }).map((s): Step => ({ kind: "append", ...s })) },
  { weight: 3, arbitrary: fc.record({ cap: index, back: index }).map((s): Step => ({ kind: "resend", ...s })) },
  { weight: 1, arbitrary: fc.record({ share: index, secret }).map((s): Step => ({ kind: "revoke", ...s })) },
  { weight: 1, arbitrary: fc.record({ share: index, secret, items: hostileItems }).map((s): Step => ({ kind: "sync", ...s })) },
  { weight: 2, arbitrary: fc.record({ cap: index, how: fc.constantFrom("read", "snapshot", "cursor", "epoch", "shareID", "readOnly") as fc.Arbitrary<"read"> })
    .map((s): Step => ({ kind: "read", ...s })) },
);

/** A script opens with a share and a capability on it, so most steps have something to act on. */
const script = fc.array(step, { minLength: 4, maxLength: 24 }).map((steps): Step[] => [
  { kind: "create", session: "s1" },
  { kind: "redeem", share: 0, secret: "current" },
  ...steps,
]);

// ---------------------------------------------------------------------------------------------

let runCounter = 0;

async function inWorkerd(policy: string, wire: string): Promise<ScriptResult> {
  const res = await mf.dispatchFetch("http://differential/", { method: "POST", body: JSON.stringify({ run: `run-${++runCounter}`, policy, script: wire }) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`workerd answered ${res.status}: ${text}`);
  return JSON.parse(text) as ScriptResult;
}

function inNode(policy: string, wire: string): ScriptResult {
  // Through JSON like the workerd record, so both are compared as the same kind of value.
  return JSON.parse(JSON.stringify(runScript(openDatabase(), parsePolicy(policy), deserialize(wire) as Step[]))) as ScriptResult;
}

/** What kinds of answers the scripts produced, to show the generator reaches every case it claims. */
function tally(outcomes: Outcome[], seen: Map<string, number>): void {
  const bump = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
  for (const o of outcomes) {
    if ("error" in o) bump(`error:${o.error.code ?? "uncoded"}`);
    else if ("ok" in o && o.ok !== null && typeof o.ok === "object" && "applied" in o.ok) {
      const ack = o.ok as { applied: string[]; duplicates: string[]; rejected: { reason: string }[] };
      if (ack.applied.length > 0) bump("applied");
      if (ack.duplicates.length > 0) bump("duplicate");
      for (const r of ack.rejected) bump(`rejected:${r.reason}`);
    }
  }
}

describe("differential: better-sqlite3 adapter vs Durable Object adapter in workerd", () => {
  for (const policy of POLICIES) {
    it(`${policy}: every answer and every final row are identical`, async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(script, async (steps) => {
          const wire = serialize(steps);
          const node = inNode(policy, wire);
          const workerd = await inWorkerd(policy, wire);
          expect(workerd).toEqual(node);
          tally(node.outcomes, seen);
        }),
        { numRuns: RUNS, seed: 15 },
      );
      console.log(`differential ${policy}: ${RUNS} scripts, ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
      const expected = ["applied", "duplicate", "rejected:StaleEpoch", "rejected:MissingDependency", "rejected:CursorMismatch",
        "error:MalformedOps", "error:BatchTooLarge", "error:WrongSecret", "error:UnknownShare", "error:MalformedCredentials", "error:StaleEpoch"];
      expected.push(policy === "writer-seq" ? "rejected:WriterGap" : "rejected:OpIdReused");
      for (const kind of expected) expect(seen.get(kind) ?? 0, `${policy}: no ${kind} in ${RUNS} scripts`).toBeGreaterThan(0);
      expect(seen.get("error:uncoded") ?? 0, "a call failed without a SturdyError code").toBe(0);
    }, 120_000);
  }
});
