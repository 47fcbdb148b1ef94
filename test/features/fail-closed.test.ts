// Fail closed on a session that pairs answers with the wrong calls. A broken proxy that drops or
// repeats one frame of a live capnweb session puts the two ends' import/export numbers out of step
// (the adversarial-frames scenario finds it; sim/net/frame-adversary.ts), and a call then resolves
// with another call's result. Here the server end is made to answer that way on purpose, for the
// first session only: the flusher must refuse the answer (UnexpectedAnswer), give the session up,
// and resend on a fresh one, which the server dedupes. A typed refusal is an answer, not a broken
// session: it keeps the session.
import { describe, expect, it } from "vitest";
import { part } from "../helpers.js";
import { openDatabase, type ShareServer } from "../../src/server/share-server.js";
import { ShareCap, ShareServerTarget } from "../../src/server/capabilities.js";
import { ackOfBatch, UnexpectedAnswer } from "../../src/client/answer.js";
import type { Ack, Op } from "../../src/protocol/envelope.js";
import { SturdyError } from "../../src/protocol/errors.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, recordingMain, runUntilIdle, TestConnector, testServer, type Received } from "./harness.js";

/** A main whose capabilities answer appendOps with `answer(ops, cap)` instead of the ack. */
function answeringMain(server: ShareServer, answer: (ops: Op[], cap: ShareCap) => unknown): object {
  class Answering extends ShareCap {
    override appendOps(ops: unknown): Ack {
      return answer(ops as Op[], this) as Ack;
    }
  }
  class Main extends ShareServerTarget {
    override redeemShare(shareID: unknown, secret: unknown): ShareCap {
      const cap = super.redeemShare(shareID, secret);
      return new Answering(server.store, cap.shareID(), cap.epoch());
    }
  }
  return new Main(server.store);
}

const otherBatchAck = (): Ack => ({ cursor: 0, epoch: 1, applied: ["w-other/1"], duplicates: [], rejected: [] });

const WRONG_ANSWERS: [string, (ops: Op[], cap: ShareCap) => unknown, RegExp][] = [
  ["a capability (the redeem of a repeated push)", (_ops, cap) => cap, /unexpected answer: not an ack/],
  ["another batch's ack", () => otherBatchAck(), /unexpected answer: an ack naming \[w-other\/1\]/],
  ["an ack that leaves an op out", (ops) => ({ cursor: 1, epoch: 1, applied: [ops[0]!.op_id], duplicates: [], rejected: [] }), /unexpected answer: an ack naming/],
  ["an untyped error (a call on the wrong export)", () => { throw new TypeError("'appendOps' is not a function."); }, /'appendOps' is not a function/],
];

describe("fail closed on a session that answers the wrong call", () => {
  it.each(WRONG_ANSWERS)("%s: refused, the session given up, the batch resent on a fresh one and applied once", async (_what, answer, error) => {
    const clock = new VirtualClock();
    const { server, events } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    const received: Received[] = [];
    let sessions = 0;
    const connector = new TestConnector(() => (++sessions === 1 ? answeringMain(server, answer) : recordingMain(server, received)));
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials(share);
    const ops = [client.outbox.enqueue(part("p", 0)), client.outbox.enqueue(part("p", 1))];
    client.flusher.kick();
    await runUntilIdle(clock);

    expect(client.events.map((e) => e.kind)).toEqual(["send", "error", "send", "ack"]);
    expect(client.events[1]).toMatchObject({ kind: "error", error: expect.stringMatching(error), permanent: false });
    expect(connector.aborts).toBe(1);
    expect(received.map((r) => r.ack.applied)).toEqual([ops]);
    expect(events.filter((e) => e.kind === "applied").map((e) => e.kind === "applied" && e.op.op_id)).toEqual(ops);
    expect(client.outbox.rows().map((r) => r.state)).toEqual(["acked", "acked"]);
    expect(client.outbox.watermark()).toBe(2);
  });

  it("a typed refusal is an answer: the session is kept", async () => {
    const clock = new VirtualClock();
    const { server } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    let sessions = 0;
    const refuse = () => { throw new SturdyError("StaleEpoch", "revoked meanwhile"); };
    const connector = new TestConnector(() => (++sessions === 1 ? answeringMain(server, refuse) : recordingMain(server, [])));
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials(share);
    client.outbox.enqueue(part("p", 0));
    client.flusher.kick();
    await runUntilIdle(clock);
    expect(client.events.map((e) => e.kind)).toEqual(["send", "error", "send", "ack"]);
    expect(client.events[1]).toMatchObject({ error: "StaleEpoch" });
    expect(connector.aborts).toBe(0);
  });
});

describe("ackOfBatch", () => {
  const op = (id: string) => ({ op_id: id }) as Op;
  const batch = [op("w/1"), op("w/2"), op("w/3")];
  const ack = (a: Partial<Ack>): Ack => ({ cursor: 3, epoch: 1, applied: [], duplicates: [], rejected: [], ...a });

  it("takes an ack naming every op of the batch once, in any of its three lists", () => {
    const good = ack({ applied: ["w/2"], duplicates: ["w/1"], rejected: [{ op_id: "w/3", reason: "MissingDependency", missing: ["w/0"] }] });
    expect(ackOfBatch(good, batch)).toEqual(good);
  });

  it.each([
    ["nothing", undefined],
    ["a string", "ok"],
    ["a function (a capability's stub)", () => 0],
    ["an ack without a cursor", { epoch: 1, applied: ["w/1", "w/2", "w/3"], duplicates: [], rejected: [] }],
    ["an ack with a reason nobody sends", ack({ applied: ["w/1", "w/2"], rejected: [{ op_id: "w/3", reason: "Whatever" as never }] })],
    ["another batch's ack", ack({ applied: ["w/4", "w/5", "w/6"] })],
    ["an ack that leaves one out", ack({ applied: ["w/1", "w/2"] })],
    ["an ack naming one op twice", ack({ applied: ["w/1", "w/2", "w/3"], duplicates: ["w/3"] })],
    ["an ack with one op too many", ack({ applied: ["w/1", "w/2", "w/3", "w/4"] })],
  ])("refuses %s", (_what, answer) => {
    expect(() => ackOfBatch(answer, batch)).toThrow(UnexpectedAnswer);
  });
});
