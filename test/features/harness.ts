// Test harness for the Flusher: real capnweb sessions over an in-memory wire whose faults are
// chosen per call, a client node (Outbox + Flusher) on virtual time, and a loop that runs to quiet.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RpcStub } from "capnweb";
import type { Connector } from "../../src/client/connector.js";
import { Outbox } from "../../src/client/outbox.js";
import { DEFAULT_FLUSHER, Flusher, type FlushEvent, type FlusherOptions } from "../../src/client/flusher.js";
import { ShareServer } from "../../src/server/share-server.js";
import { parsePolicy } from "../../src/server/dedupe.js";
import type { ServerEvent } from "../../src/server/share-store.js";
import type { ShareServerApi } from "../../src/protocol/api.js";
import type { Ack, Op } from "../../src/protocol/envelope.js";
import { ShareCap, ShareServerTarget } from "../../src/server/capabilities.js";
import { directPair, type DirectPair } from "../../sim/net/direct-pair.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { SimRng } from "../../sim/world/rng.js";
import { settle } from "../../sim/world/settle.js";

/**
 * What the wire does to one call:
 * - `ok`: delivered both ways;
 * - `refuse`: the connection cannot be opened (main() throws);
 * - `blackhole`: the request never reaches the server (the client times out);
 * - `lose-response`: the server gets the request and applies it, the response never comes back.
 */
export type WireFault = "ok" | "refuse" | "blackhole" | "lose-response";

type Pair = DirectPair<ShareServerApi>;

function pair(serverMain: object, fault: WireFault): Pair {
  return directPair<ShareServerApi>(serverMain, { loseRequests: fault === "blackhole", loseResponses: fault === "lose-response" });
}

/** One session per call, like capnweb's HTTP batch: the n-th call (1-based) suffers `faults(n)`. */
export class TestConnector implements Connector {
  calls = 0;
  aborts = 0;
  private readonly open: Pair[] = [];

  constructor(private readonly serverMain: () => object, private readonly faults: (call: number) => WireFault = () => "ok") {}

  main(): RpcStub<ShareServerApi> {
    const fault = this.faults(++this.calls);
    if (fault === "refuse") throw new Error("connection refused");
    const p = pair(this.serverMain(), fault);
    this.open.push(p);
    return p.main;
  }

  abort(): void {
    this.aborts += 1;
    for (const p of this.open.splice(0)) p.close();
  }
}

/** What a recording server saw: every appendOps call as it arrived, with the ack it produced. */
export interface Received { ops: Op[]; ack: Ack }

/**
 * A main capability that records what reaches appendOps: the server-side view of a retry, which
 * the client's own events cannot show (a lost response looks like a timeout to the client).
 */
/** Far more calls than any test makes: past it the client under test is looping. */
const MAX_RECEIVED = 10_000;

export function recordingMain(server: ShareServer, received: Received[], after?: (r: Received) => void): object {
  class RecordingCap extends ShareCap {
    override appendOps(ops: unknown): Ack {
      const copy = structuredClone(ops) as Op[];
      const ack = super.appendOps(ops);
      const r = { ops: copy, ack };
      // A misbehaving flusher (a mutant) may resend without end: fail loudly, not grow to gigabytes.
      if (received.length >= MAX_RECEIVED) throw new Error(`runaway client: more than ${MAX_RECEIVED} appendOps calls`);
      received.push(r);
      after?.(r);
      return ack;
    }
  }
  class RecordingServer extends ShareServerTarget {
    override redeemShare(shareID: unknown, secret: unknown): ShareCap {
      const cap = super.redeemShare(shareID, secret);
      return new RecordingCap(server.store, cap.shareID(), cap.epoch());
    }
  }
  return new RecordingServer(server.store);
}

/** A server with an observer collecting its events. */
export function testServer(db: Database.Database, policy = "permanent", events: ServerEvent[] = []) {
  const server = new ShareServer(db, { dedupe: parsePolicy(policy), rng: new SimRng(1, "server"), observer: (e) => void events.push(e) });
  return { server, events };
}

export interface ClientNode {
  outbox: Outbox;
  flusher: Flusher;
  events: FlushEvent[];
  /** Crash: every JS object of the client is dropped, with its timers; the database survives only if it is a file. */
  crash(): void;
}

export function clientNode(
  db: Database.Database,
  connector: Connector,
  clock: VirtualClock,
  options: Partial<FlusherOptions> & { seed?: number; owner?: string; onEvent?: (e: FlushEvent, outbox: Outbox) => void } = {},
): ClientNode {
  const owner = options.owner ?? "client";
  const rng = new SimRng(options.seed ?? 7, owner);
  const outbox = new Outbox(db, rng);
  outbox.recoverAfterRestart();
  const events: FlushEvent[] = [];
  const { seed: _seed, owner: _owner, onEvent, ...flusherOptions } = options;
  const flusher = new Flusher(outbox, connector, clock.scoped(owner), rng, { ...DEFAULT_FLUSHER, ...flusherOptions }, (e) => {
    events.push(e);
    onEvent?.(e, outbox);
  });
  return {
    outbox,
    flusher,
    events,
    crash: () => {
      flusher.stop();
      connector.abort(new Error("client crashed"));
      clock.dropOwner(owner);
      db.close();
    },
  };
}

/** Fire timers in time order, letting capnweb's microtasks settle after each, until nothing is left. */
export async function runUntilIdle(clock: VirtualClock, untilMs = Number.POSITIVE_INFINITY, maxSteps = 5_000): Promise<void> {
  for (let step = 0; step < maxSteps; step++) {
    await settle();
    await settle();
    const [due] = clock.due();
    if (due) {
      clock.fire(due.id);
      continue;
    }
    const next = clock.nextAt();
    if (next === undefined || next > untilMs) return;
    clock.advanceTo(next);
  }
  throw new Error(`not idle after ${maxSteps} steps`);
}

/** A temp directory for real database files, removed by the returned cleanup. */
export function tempDir(): { path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sturdy-"));
  return { path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { Database };
