// Added for mutation testing (issue 6 item 5): the dedupe policies' names and how each policy
// answers "was this dependency applied?" — the part of a ledger that only depends_on exercises.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { describePolicy, parsePolicy, type DedupePolicy } from "../src/server/dedupe.js";
import { openDatabase } from "../src/server/share-server.js";
import { ShareStore } from "../src/server/share-store.js";
import { SimRng } from "../sim/world/rng.js";
import { op, part } from "./helpers.js";

const policies: fc.Arbitrary<DedupePolicy> = fc.oneof(
  fc.constant<DedupePolicy>({ kind: "permanent" }),
  fc.constant<DedupePolicy>({ kind: "writer-seq" }),
  fc.integer({ min: 1, max: 1_000_000 }).map((size): DedupePolicy => ({ kind: "window", size })),
);

describe("policy names", () => {
  it("describePolicy and parsePolicy round-trip every policy; a window is written window(N)", () => {
    fc.assert(fc.property(policies, (p) => {
      expect(parsePolicy(describePolicy(p))).toEqual(p);
    }));
    expect(describePolicy({ kind: "window", size: 64 })).toBe("window(64)");
  });

  it("anything but an exact policy name is refused with a message listing the valid ones", () => {
    fc.assert(fc.property(policies, fc.string({ minLength: 1, maxLength: 4 }), fc.boolean(), (p, junk, before) => {
      const text = before ? junk + describePolicy(p) : describePolicy(p) + junk;
      fc.pre(!["permanent", "writer-seq"].includes(text) && !/^window\(\d+\)$/.test(text));
      expect(() => parsePolicy(text)).toThrow(`unknown dedupe policy "${text}" (permanent | window(N) with 1 ≤ N ≤ 999999999 | writer-seq)`);
    }));
    for (const text of ["", "window", "window()", "window(-1)", "xwindow(3)", "window(3)x", "Permanent"]) {
      expect(() => parsePolicy(text), text).toThrow(/^unknown dedupe policy/);
    }
  });
});

function store(policy: string) {
  const s = new ShareStore(openDatabase(), { dedupe: parsePolicy(policy), rng: new SimRng(9, "server") });
  const share = s.createShare("ses_1");
  const append = (...ops: Parameters<typeof op>[]) => s.appendOps(share.id, 0, ops.map((args) => op(...args)));
  return { append };
}

describe("dependencies under each policy", () => {
  it("permanent: a dependency that never arrived is missing, however many ops were applied", () => {
    const { append } = store("permanent");
    for (let i = 1; i <= 5; i++) append([i, part("p", i)]);
    expect(append([6, part("q", 0), { depends_on: ["w2/1"] }]).rejected).toEqual([{ op_id: "w1/6", reason: "MissingDependency", missing: ["w2/1"] }]);
    expect(append([6, part("q", 0), { depends_on: ["w1/5", "w1/1"] }]).applied).toEqual(["w1/6"]);
  });

  it("window(N): before it has trimmed anything, a dependency that never arrived is missing", () => {
    const { append } = store("window(3)");
    append([1, part("p", 1)]);
    append([2, part("p", 2)]);
    const ack = append([3, part("q", 0), { depends_on: ["w2/1"] }]);
    expect(ack.rejected).toEqual([{ op_id: "w1/3", reason: "MissingDependency", missing: ["w2/1"] }]);
    expect(append([3, part("q", 0), { depends_on: ["w1/2"] }]).applied).toEqual(["w1/3"]);
  });

  it("window(N): once it has trimmed, an unknown dependency is assumed old, hence applied (the documented trade-off)", () => {
    const { append } = store("window(2)");
    for (let i = 1; i <= 3; i++) append([i, part("p", i)]); // cursor 3 > 2: w1/1 is trimmed
    expect(append([4, part("q", 0), { depends_on: ["w1/1"] }]).applied).toEqual(["w1/4"]);
    expect(append([5, part("r", 0), { depends_on: ["w2/1"] }]).applied).toEqual(["w1/5"]);
  });

  it("writer-seq: a dependency is applied iff its writer's high-water mark reached it; an id that is no op_id never is", () => {
    const { append } = store("writer-seq");
    append([1, part("p", 1)], [2, part("p", 2)]); // w1's mark is 2
    const w2 = (seq: number, depends_on: string[]) => [seq, part(`w2-${seq}`, 0), { op_id: `w2/${seq}`, writer_id: "w2", batch_id: "w2/b", depends_on }] as Parameters<typeof op>;
    expect(append(w2(1, ["w1/3"])).rejected).toEqual([{ op_id: "w2/1", reason: "MissingDependency", missing: ["w1/3"] }]);
    expect(append(w2(1, ["w3/1"])).rejected).toEqual([{ op_id: "w2/1", reason: "MissingDependency", missing: ["w3/1"] }]);
    expect(append(w2(1, ["not-an-op-id"])).rejected).toEqual([{ op_id: "w2/1", reason: "MissingDependency", missing: ["not-an-op-id"] }]);
    expect(append(w2(1, ["w1/2", "w1/1"])).applied).toEqual(["w2/1"]);
  });
});
