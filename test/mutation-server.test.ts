// Added for mutation testing (issue 6 item 5): behaviour of the server that the rest of the suite
// left unpinned — what a refused call tells its caller, what a share's URL is, when the crash
// points of an apply fire, and the exact shape of a rejection.
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/server/share-server.js";
import { ShareStore } from "../src/server/share-store.js";
import { ShareServerTarget } from "../src/server/capabilities.js";
import { OperatorAuth } from "../src/server/auth.js";
import { parsePolicy } from "../src/server/dedupe.js";
import { MAX_BATCH_OPS } from "../src/protocol/envelope.js";
import type { ProbePoint } from "../src/protocol/probe.js";
import { SimRng } from "../sim/world/rng.js";
import { op, OPERATOR_TOKEN, part, refusal } from "./helpers.js";

function world(policy = "permanent") {
  const probes: ProbePoint[] = [];
  const store = new ShareStore(openDatabase(), { dedupe: parsePolicy(policy), rng: new SimRng(5, "server"), probe: (p) => void probes.push(p) });
  const main = new ShareServerTarget(store, { operator: new OperatorAuth(OPERATOR_TOKEN) });
  const share = store.createShare("ses_1");
  return { store, main, share, probes };
}


describe("a refused call says what is wrong", () => {
  it("a malformed credential is named: share id, secret or session id, with the rule it broke", () => {
    const { main, share } = world();
    const rule = /must be a non-empty string of at most 256 characters$/;
    const cases: [() => unknown, string][] = [
      [() => main.redeemShare("", share.secret), "share id"],
      [() => main.redeemShare(share.id, "x".repeat(257)), "secret"],
      [() => main.revoke(42, share.secret), "share id"],
      [() => main.syncShare(share.id, null, []), "secret"],
      [() => main.createShare("", OPERATOR_TOKEN), "session id"],
    ];
    for (const [call, what] of cases) {
      const r = refusal(call);
      expect(r.code).toBe("MalformedCredentials");
      expect(r.message).toMatch(rule);
      expect(r.message.startsWith(`${what} `)).toBe(true);
    }
  });

  it("a batch over the limit says which argument, how many entries and the limit", () => {
    const { main, share } = world();
    const cap = main.redeemShare(share.id, share.secret);
    const n = MAX_BATCH_OPS + 1;
    const ops = refusal(() => cap.appendOps(Array.from({ length: n }, () => ({}))));
    expect(ops).toEqual({ code: "BatchTooLarge", message: `ops: ${n} entries exceed ${MAX_BATCH_OPS}` });
    const data = refusal(() => main.syncShare(share.id, share.secret, Array.from({ length: n }, () => ({}))));
    expect(data).toEqual({ code: "BatchTooLarge", message: `data: ${n} entries exceed ${MAX_BATCH_OPS}` });
  });

  it("a malformed batch names the path of the first bad field, or (root) when the whole value is wrong", () => {
    const { main, share } = world();
    const cap = main.redeemShare(share.id, share.secret);
    const nested = refusal(() => cap.appendOps([op(1, part("p", 0), { seq: -1 })]));
    expect(nested.code).toBe("MalformedOps");
    expect(nested.message).toMatch(/^0\.seq: \S/);
    const root = refusal(() => cap.appendOps("not a batch"));
    expect(root.code).toBe("MalformedOps");
    expect(root.message).toMatch(/^\(root\): \S/);
    const items = refusal(() => main.syncShare(share.id, share.secret, [{ type: "nonsense" }]));
    expect(items.code).toBe("MalformedOps");
    expect(items.message).toMatch(/^0(\.type)?: \S/);
  });

  it("an unknown share, a wrong secret and a stale capability name the share or the epochs", () => {
    const { store, main, share } = world();
    expect(refusal(() => main.redeemShare("share-404", "s"))).toEqual({ code: "UnknownShare", message: "no share share-404" });
    expect(refusal(() => main.redeemShare(share.id, "wrong"))).toEqual({ code: "WrongSecret", message: `wrong secret for share ${share.id}` });

    const stale = main.redeemShare(share.id, share.secret);
    store.revoke(share.id, share.secret);
    const epochs = "capability epoch 0 is older than share epoch 1";
    expect(refusal(() => stale.cursor())).toEqual({ code: "StaleEpoch", message: epochs });
    expect(refusal(() => stale.snapshot())).toEqual({ code: "StaleEpoch", message: epochs });
    expect(refusal(() => stale.appendOps([op(1, part("p", 0))]))).toEqual({ code: "StaleEpoch", message: epochs });
  });

  it("the store, called directly, refuses an op whose op_id is not <writer_id>/<writer_seq>, naming both", () => {
    const { store, share } = world();
    const forged = op(1, part("p", 0), { op_id: "w1/7" });
    expect(refusal(() => store.appendOps(share.id, 0, [forged]))).toEqual({ code: "MalformedOps", message: "op_id w1/7 is not w1/1" });
  });
});

describe("shares", () => {
  it("a share's id is URL-safe and its URL ends with it; ids and secrets differ between shares", () => {
    const { store, share } = world();
    const second = store.createShare("ses_2");
    for (const s of [share, second]) {
      expect(s.id).toMatch(/^[A-Za-z0-9_-]+$/);
      const url = new URL(s.url);
      expect(url.protocol).toBe("https:");
      expect(url.pathname).toBe(`/${s.id}`);
    }
    expect(second.id).not.toBe(share.id);
    expect(second.secret).not.toBe(share.secret);
  });
});

describe("crash points of an apply", () => {
  it("server.apply.in-txn fires once per batch that applies something, server.apply.committed once after it; neither for a batch that applies nothing", () => {
    const { store, share, probes } = world();
    const count = (p: ProbePoint) => probes.filter((x) => x === p).length;
    store.appendOps(share.id, 0, [op(1, part("a", 0)), op(2, part("b", 0)), op(3, part("c", 0))]);
    expect(count("server.apply.in-txn")).toBe(1);
    expect(count("server.apply.committed")).toBe(1);
    expect(probes.indexOf("server.apply.in-txn")).toBeLessThan(probes.indexOf("server.apply.committed"));

    probes.length = 0;
    const again = store.appendOps(share.id, 0, [op(1, part("a", 0)), op(2, part("b", 0))]);
    expect(again.duplicates).toHaveLength(2);
    const missing = store.appendOps(share.id, 0, [op(4, part("d", 0), { depends_on: ["w9/1"] })]);
    expect(missing.rejected).toHaveLength(1);
    expect(probes).toEqual([]);
  });
});

describe("rejections", () => {
  it("expected_seq is present only on a WriterGap rejection, missing only on a MissingDependency", () => {
    const { store, share } = world("writer-seq");
    const ack = store.appendOps(share.id, 0, [
      op(1, part("a", 0), { depends_on: ["w9/1"] }), // MissingDependency: holds the writer at 1
      op(2, part("b", 0)), // WriterGap, expects 1
    ]);
    expect(ack.rejected).toHaveLength(2);
    const [missing, gap] = ack.rejected;
    expect(missing).toStrictEqual({ op_id: "w1/1", reason: "MissingDependency", missing: ["w9/1"] });
    expect(missing).not.toHaveProperty("expected_seq");
    expect(gap).toStrictEqual({ op_id: "w1/2", reason: "WriterGap", expected_seq: 1 });
    expect(gap).not.toHaveProperty("missing");
  });
});
