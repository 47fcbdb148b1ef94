// Added for mutation testing (issue 6 item 5): Flusher behaviour the rest of the suite left
// unpinned — which errors are final, when a session is torn down, how the backoff grows across
// retries, that a stopped flusher touches nothing, that no capability leaks per batch on a
// long-lived session, and that a bug inside a flush is not swallowed.
import { afterEach, describe, expect, it } from "vitest";
import { Outbox } from "../src/client/outbox.js";
import { DEFAULT_FLUSHER, Flusher, type FlushEvent } from "../src/client/flusher.js";
import type { Connector } from "../src/client/connector.js";
import { DEFAULT_BACKOFF } from "../src/client/backoff.js";
import { openDatabase, type ShareServer } from "../src/server/share-server.js";
import { NodeCrashed, type ProbePoint } from "../src/protocol/probe.js";
import type { ShareServerApi } from "../src/protocol/api.js";
import { VirtualClock } from "../sim/world/clock.js";
import { SimRng } from "../sim/world/rng.js";
import { directPair } from "../sim/net/direct-pair.js";
import { settle } from "../sim/world/settle.js";
import { clientNode, recordingMain, runUntilIdle, TestConnector, testServer, type Received, type WireFault } from "./features/harness.js";
import { part } from "./helpers.js";

function setup(faults?: (call: number) => WireFault) {
  const clock = new VirtualClock();
  const { server, events } = testServer(openDatabase());
  const share = server.store.createShare("ses_1");
  const received: Received[] = [];
  const connector = new TestConnector(() => recordingMain(server, received), faults);
  return { clock, server, events, share, received, connector };
}

describe("Flusher defaults", () => {
  it("by default no op carries expected_cursor: the precondition is opt-in", async () => {
    const { clock, share, received, connector } = setup();
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials(share);
    for (let i = 0; i < 3; i++) client.outbox.enqueue(part("p", i));
    client.flusher.kick();
    await runUntilIdle(clock);
    expect(client.outbox.counts()).toMatchObject({ acked: 3 });
    expect(received.flatMap((r) => r.ops).some((o) => "expected_cursor" in o)).toBe(false);
    expect(DEFAULT_FLUSHER.expectCursor).toBe(false);
  });
});

describe("which errors are final", () => {
  it.each([
    ["UnknownShare", (s: { id: string; secret: string }) => ({ ...s, id: "share-404" })],
    ["MalformedCredentials", (s: { id: string; secret: string }) => ({ ...s, secret: "x".repeat(300) })],
  ])("%s fails the batch for good: one attempt, rows failed, nothing resent", async (code, creds) => {
    const { clock, share, connector } = setup();
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials({ ...share, ...creds(share) });
    client.outbox.enqueue(part("a", 0));
    client.outbox.enqueue(part("b", 0));
    client.flusher.kick();
    await runUntilIdle(clock);
    expect(client.events.filter((e) => e.kind === "send")).toHaveLength(1);
    expect(client.events.filter((e) => e.kind === "error")).toEqual([expect.objectContaining({ error: code, permanent: true })]);
    expect(client.outbox.rows().map((r) => [r.state, r.last_error])).toEqual([["failed", code], ["failed", code]]);
  });

  it("a curable error (wrong secret) keeps the rows pending and is retried with backoff", async () => {
    const { clock, share, connector } = setup();
    const client = clientNode(openDatabase(), connector, clock);
    client.outbox.setCredentials({ ...share, secret: "wrong" });
    client.outbox.enqueue(part("a", 0));
    client.flusher.kick();
    await runUntilIdle(clock, 1_000);
    const errors = client.events.filter((e): e is Extract<FlushEvent, { kind: "error" }> => e.kind === "error");
    expect(errors.length).toBeGreaterThan(2);
    expect(errors.every((e) => e.error === "WrongSecret" && !e.permanent)).toBe(true);
    expect(client.outbox.counts()).toMatchObject({ pending: 1, failed: 0 });
  });
});

describe("sessions", () => {
  it("an error answered by the server keeps the session; only a timeout tears it down", async () => {
    const answered = setup();
    const a = clientNode(openDatabase(), answered.connector, answered.clock);
    a.outbox.setCredentials({ ...answered.share, secret: "wrong" });
    a.outbox.enqueue(part("a", 0));
    a.flusher.kick();
    await runUntilIdle(answered.clock, 500);
    expect(answered.connector.calls).toBeGreaterThan(1);
    expect(answered.connector.aborts).toBe(0);

    const lost = setup((n) => (n === 1 ? "blackhole" : "ok"));
    const b = clientNode(openDatabase(), lost.connector, lost.clock);
    b.outbox.setCredentials(lost.share);
    b.outbox.enqueue(part("a", 0));
    b.flusher.kick();
    await runUntilIdle(lost.clock);
    expect(lost.connector.aborts).toBe(1);
    expect(b.outbox.counts()).toMatchObject({ acked: 1 });
    expect(b.events.find((e) => e.kind === "error")).toMatchObject({ error: `timed out after ${DEFAULT_FLUSHER.timeoutMs} ms`, permanent: false });
  });

  it("one long-lived session: the capability redeemed for each batch is released, none leaks", async () => {
    const { clock, server, share } = setup();
    const link = persistentLink(server);
    const client = clientNode(openDatabase(), link.connector, clock, { maxBatch: 1 });
    client.outbox.setCredentials(share);
    for (let i = 0; i < 6; i++) client.outbox.enqueue(part("p", i));
    client.flusher.kick();
    await runUntilIdle(clock);
    for (let i = 0; i < 5; i++) await settle();
    expect(client.outbox.counts()).toMatchObject({ acked: 6 });
    expect(client.events.filter((e) => e.kind === "send")).toHaveLength(6);
    expect(link.client.getStats().imports).toBeLessThanOrEqual(1); // the main capability, nothing per batch
    expect(link.server.getStats().exports).toBeLessThanOrEqual(1);
  });
});

/** A WebSocket-like link: one capnweb session for every call, never closed. */
function persistentLink(server: ShareServer) {
  const { main, client, server: serverSession } = directPair<ShareServerApi>(server.main());
  const connector: Connector = { main: () => main, abort: () => {} };
  return { connector, client, server: serverSession };
}

describe("backoff across retries", () => {
  it("the wait before the n-th resend lies in the n-th backoff window: it grows until the cap", async () => {
    const { clock, share } = setup();
    const refusing = new TestConnector(() => { throw new Error("unreachable"); }, () => "refuse");
    const sends: number[] = [];
    const client = clientNode(openDatabase(), refusing, clock, { onEvent: (e) => void (e.kind === "send" && sends.push(clock.now())) });
    client.outbox.setCredentials(share);
    client.outbox.enqueue(part("a", 0));
    client.flusher.kick();
    await runUntilIdle(clock, 20_000);
    expect(sends.length).toBeGreaterThan(8);
    sends.slice(1, 9).forEach((t, i) => {
      const n = i + 1;
      const exp = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.baseMs * 2 ** (n - 1));
      const gap = t - sends[i]!;
      expect(gap, `gap before resend ${n}`).toBeGreaterThanOrEqual(Math.floor(exp / 2));
      expect(gap, `gap before resend ${n}`).toBeLessThan(exp);
    });
    expect(client.outbox.rows()[0]).toMatchObject({ state: "pending", last_error: "connection refused" });
  });
});

describe("a stopped flusher touches nothing", () => {
  it("stopped at the reservation probe (without unwinding), it sends nothing", async () => {
    const { clock, share, connector } = setup();
    const db = openDatabase();
    let flusher: Flusher | undefined;
    const outbox = new Outbox(db, new SimRng(1, "client"), { probe: (p) => { if (p === "client.batch.reserved") flusher!.stop(); } });
    const events: FlushEvent[] = [];
    flusher = new Flusher(outbox, connector, clock.scoped("client"), new SimRng(1, "client"), DEFAULT_FLUSHER, (e) => void events.push(e));
    outbox.setCredentials(share);
    outbox.enqueue(part("a", 0));
    flusher.kick();
    await runUntilIdle(clock);
    expect(events).toEqual([]);
    expect(connector.calls).toBe(0);
  });

  it("stopped while its call is in flight, it does not record the ack that comes back", async () => {
    const { clock, share, connector, events: serverEvents } = setup();
    let client: ReturnType<typeof clientNode> | undefined;
    client = clientNode(openDatabase(), connector, clock, { onEvent: (e) => { if (e.kind === "send") client!.flusher.stop(); } });
    client.outbox.setCredentials(share);
    client.outbox.enqueue(part("a", 0));
    client.flusher.kick();
    await runUntilIdle(clock);
    expect(serverEvents.filter((e) => e.kind === "applied")).toHaveLength(1); // the server did apply it
    expect(client.events.map((e) => e.kind)).toEqual(["send"]);
    expect(client.outbox.rows().map((r) => r.state)).toEqual(["in_flight"]); // a restart resends, the server dedupes
    expect(client.outbox.watermark()).toBe(0);
  });
});

describe("a flush that fails outside a call", () => {
  const saved: NodeJS.UnhandledRejectionListener[] = [];
  afterEach(() => {
    process.removeAllListeners("unhandledRejection");
    for (const l of saved.splice(0)) process.on("unhandledRejection", l);
  });
  /** Rejections nobody handled while `fn` ran (the runner's own listeners are set aside meanwhile). */
  async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
    saved.push(...process.listeners("unhandledRejection"));
    process.removeAllListeners("unhandledRejection");
    const seen: unknown[] = [];
    process.on("unhandledRejection", (reason) => void seen.push(reason));
    await fn();
    for (let i = 0; i < 3; i++) await settle();
    return seen;
  }

  it("surfaces as an unhandled rejection (a bug is not swallowed); a crash unwinding through it does not", async () => {
    const { clock, share, connector } = setup();
    const broken = await unhandledDuring(async () => {
      const client = clientNode(openDatabase(), connector, clock);
      client.outbox.setCredentials(share);
      client.outbox.enqueue(part("a", 0));
      client.outbox.db.close(); // the database is gone but nobody stopped the flusher: a bug
      client.flusher.kick();
      await runUntilIdle(clock);
    });
    expect(broken).toHaveLength(1);
    expect(String(broken[0])).toMatch(/database connection is not open/);

    const crashed = await unhandledDuring(async () => {
      let flusher: Flusher | undefined;
      const crash = (p: ProbePoint) => {
        if (p !== "client.batch.reserved") return;
        flusher!.stop();
        throw new NodeCrashed(p);
      };
      const outbox = new Outbox(openDatabase(), new SimRng(2, "client"), { probe: crash });
      flusher = new Flusher(outbox, connector, clock.scoped("c2"), new SimRng(2, "client"));
      outbox.setCredentials(share);
      outbox.enqueue(part("a", 0));
      flusher.kick();
      await runUntilIdle(clock);
    });
    expect(crashed).toEqual([]);
  });
});
