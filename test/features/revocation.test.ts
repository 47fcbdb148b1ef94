// Capability epochs: revoke rotates the secret and bumps the epoch. A capability redeemed before is
// refused with StaleEpoch (a typed error that crosses capnweb as `code`), an envelope stamped with
// the old epoch is rejected per op, the old secret gets WrongSecret, also after a reconnect, and a
// client handed the new credentials proceeds.
import { describe, expect, it } from "vitest";
import type { RpcStub } from "capnweb";
import { dump, op, part, serverFixture } from "../helpers.js";
import type { Ack } from "../../src/protocol/envelope.js";
import type { ShareServerApi } from "../../src/protocol/api.js";
import { errorCode } from "../../src/protocol/errors.js";
import { openDatabase } from "../../src/server/share-server.js";
import { directPair } from "../../sim/net/direct-pair.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, runUntilIdle, TestConnector, testServer } from "./harness.js";

async function codeOf(p: PromiseLike<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return errorCode(e);
  }
  return undefined;
}

function reconnect(f: ReturnType<typeof serverFixture>): RpcStub<ShareServerApi> {
  f.close();
  return directPair<ShareServerApi>(f.server.main()).main as RpcStub<ShareServerApi>;
}

describe("revocation at the server", () => {
  it("bumps the epoch; a capability redeemed before is refused with StaleEpoch and nothing changes", async () => {
    const f = serverFixture();
    const old = f.rpc.redeemShare(f.share.id, f.share.secret);
    expect(await old.epoch()).toBe(0);
    const revoked = await f.rpc.revoke(f.share.id, f.share.secret);
    expect(revoked.epoch).toBe(1);
    expect(revoked.secret).not.toBe(f.share.secret);
    const before = dump(f.db);
    expect(await codeOf(old.appendOps([op(1, part("p", 0), { capability_epoch: 1 })]))).toBe("StaleEpoch");
    expect(dump(f.db)).toBe(before);
  });

  it("the old secret gets WrongSecret, before and after a reconnect", async () => {
    const f = serverFixture();
    await f.rpc.revoke(f.share.id, f.share.secret);
    expect(await codeOf(f.rpc.redeemShare(f.share.id, f.share.secret).cursor())).toBe("WrongSecret");
    const rpc = reconnect(f);
    expect(await codeOf(rpc.redeemShare(f.share.id, f.share.secret).appendOps([op(1, part("p", 0))]))).toBe("WrongSecret");
    expect(await codeOf(rpc.revoke(f.share.id, f.share.secret))).toBe("WrongSecret");
  });

  it("an envelope stamped with the old epoch is rejected per op, also over a new session", async () => {
    const f = serverFixture();
    const fresh = await f.rpc.revoke(f.share.id, f.share.secret);
    const before = dump(f.db);
    const stale = [op(1, part("p", 0), { capability_epoch: 0 })];
    const viaOld = (await f.rpc.redeemShare(fresh.id, fresh.secret).appendOps(stale)) as Ack;
    expect(viaOld).toMatchObject({ cursor: 0, epoch: 1, applied: [], rejected: [{ op_id: "w1/1", reason: "StaleEpoch" }] });
    const rpc = reconnect(f);
    const viaNew = (await rpc.redeemShare(fresh.id, fresh.secret).appendOps(stale)) as Ack;
    expect(viaNew.rejected).toEqual([{ op_id: "w1/1", reason: "StaleEpoch" }]);
    expect(dump(f.db)).toBe(before);
    expect(((await rpc.redeemShare(fresh.id, fresh.secret).appendOps([op(1, part("p", 0), { capability_epoch: 1 })])) as Ack).applied).toEqual(["w1/1"]);
  });

  it("under writer-seq a StaleEpoch rejection does not consume the writer's number: later ops wait, the resend applies in order", async () => {
    const f = serverFixture("writer-seq");
    const fresh = await f.rpc.revoke(f.share.id, f.share.secret);
    const cap = f.rpc.redeemShare(fresh.id, fresh.secret);
    const mixed = (await cap.appendOps([op(1, part("a", 0), { capability_epoch: 0 }), op(2, part("b", 0), { capability_epoch: 1 })])) as Ack;
    expect(mixed.applied).toEqual([]);
    expect(mixed.rejected).toEqual([
      { op_id: "w1/1", reason: "StaleEpoch" },
      { op_id: "w1/2", reason: "WriterGap", expected_seq: 1 },
    ]);
    const resent = (await cap.appendOps([op(1, part("a", 0), { capability_epoch: 1 }), op(2, part("b", 0), { capability_epoch: 1 })])) as Ack;
    expect(resent).toMatchObject({ applied: ["w1/1", "w1/2"], rejected: [] });
  });
});

describe("revocation seen by the client", () => {
  it("a client with the old credentials applies nothing and backs off; given the new ones it proceeds at once", async () => {
    const clock = new VirtualClock();
    const { server, events } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    const client = clientNode(openDatabase(), new TestConnector(() => server.main()), clock);
    client.outbox.setCredentials(share);
    client.outbox.enqueue(part("a", 0));
    client.flusher.kick();
    await runUntilIdle(clock);

    const fresh = server.store.revoke(share.id, share.secret);
    const ops = [client.outbox.enqueue(part("b", 0)), client.outbox.enqueue(part("c", 0))];
    client.flusher.kick();
    await runUntilIdle(clock, clock.now() + 1_000);
    const errors = client.events.flatMap((e) => (e.kind === "error" ? [e] : []));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.every((e) => e.error === "WrongSecret" && !e.permanent)).toBe(true);
    expect(client.outbox.counts()).toMatchObject({ acked: 1, pending: 2, failed: 0 });

    client.outbox.setCredentials(fresh);
    client.flusher.kick();
    await runUntilIdle(clock, clock.now()); // no waiting out the backoff: new credentials make the rows due now
    expect(client.outbox.counts()).toMatchObject({ acked: 3, pending: 0 });
    const applied = events.flatMap((e) => (e.kind === "applied" ? [e.op] : []));
    expect(applied.slice(1).map((o) => [o.op_id, o.capability_epoch])).toEqual(ops.map((id) => [id, 1]));
  });
});
