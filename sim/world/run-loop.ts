// The run loop: settle what the last event started, finish crashes, check the safety invariants,
// then collect what is ready (a channel's packets, a due timer, the next user action), let the
// seeded stream (or an explorer) pick one, and run it; until the world is quiet or out of bounds.
import { NodeCrashed } from "../../src/protocol/probe.js";
import { settle } from "./settle.js";
import type { VirtualClock } from "./clock.js";
import type { Network } from "../net/network.js";
import type { BatchWire } from "../net/batch-wire.js";
import type { SimRng } from "./rng.js";
import type { Chooser } from "./chooser.js";
import type { Accounting } from "./accounting.js";
import type { FaultInjector } from "./fault-injector.js";
import type { Lifecycle } from "./lifecycle.js";
import type { ServerNode } from "./nodes.js";
import type { Writer } from "./session.js";
import type { ViolationLog } from "../check/violations.js";
import { WriteWatch } from "./write-count.js";

type Ready = { kind: "deliver"; channel: string } | { kind: "timer"; id: number; label: string } | { kind: "action"; writer: number };

export interface LoopParts {
  clock: VirtualClock;
  network: Network;
  batchWire: BatchWire;
  /** Every writer of every session, session by session (a session's first writer first). */
  writers: readonly Writer[];
  lifecycle: Lifecycle;
  injector: FaultInjector;
  log: ViolationLog;
  acct: Accounting;
  server: ServerNode;
  sched: SimRng;
  chooser?: Chooser;
  stateKey: () => string;
  maxSteps: number;
  deadline: () => number;
}

/** Runs until quiet (true), or until a bound or the explorer stops it (false). */
export async function runLoop(w: LoopParts): Promise<boolean> {
  // After a pure clock advance nothing ran: nothing to settle, finish or check.
  let ran = true;
  while (w.acct.step < w.maxSteps && w.clock.now() <= w.deadline() && !w.chooser?.stopped) {
    if (ran) {
      await settle();
      w.lifecycle.finishCrashes();
      w.batchWire.submitOpen();
      checkSafety(w);
    }
    const ready = readyEvents(w);
    if (ready.length === 0) {
      const next = nextTime(w);
      if (next === undefined) return true;
      w.clock.advanceTo(next > w.clock.now() ? next : w.clock.now() + 1);
      ran = false;
      continue;
    }
    ran = true;
    w.acct.step += 1;
    w.log.step = w.acct.step;
    w.injector.betweenSteps(w.lifecycle);
    // A node that just crashed takes its events with it.
    const live = w.lifecycle.halting.length > 0 ? readyEvents(w) : ready;
    if (live.length === 0) continue;
    const ev = w.chooser
      ? live[live.length === 1 ? 0 : w.chooser.choose(live.length, "sched", w.stateKey)]!
      : w.sched.pick(live);
    if (w.chooser?.stopped) break;
    await runEvent(w, ev);
  }
  return false;
}

/**
 * Each checker looks at a side only when that side's product wrote since it last looked: one watch
 * per (checker, writer), so a share with several writers checks each writer's disk.
 */
const watches = new WeakMap<object, WeakMap<object, WriteWatch>>();

function watchOf(checker: object, client: object): WriteWatch {
  let byClient = watches.get(checker);
  if (!byClient) watches.set(checker, (byClient = new WeakMap()));
  let watch = byClient.get(client);
  if (!watch) byClient.set(client, (watch = new WriteWatch()));
  return watch;
}

function checkSafety(w: LoopParts): void {
  for (const { session: { checker }, user, client } of w.writers) {
    const watch = watchOf(checker, client);
    const serverWrote = watch.wroteSince(w.server, w.server.db);
    const clientWrote = watch.wroteSince(client, client.db);
    const server = w.server.db && serverWrote ? { db: w.server.db, shareID: user.share.id } : undefined;
    checker.checkStep(server, client.outbox && clientWrote ? { db: client.db!, writer: client.name } : undefined);
  }
}

async function runEvent(w: LoopParts, ev: Ready): Promise<void> {
  try {
    if (ev.kind === "deliver") {
      const labels = await w.network.deliverChannel(ev.channel, w.clock.now());
      w.acct.record("net", "deliver", labels.join(", "));
    } else if (ev.kind === "timer") {
      w.acct.record("clock", "fire", ev.label);
      w.clock.fire(ev.id);
    } else {
      w.writers[ev.writer]!.user.act();
    }
  } catch (e) {
    if (!(e instanceof NodeCrashed)) throw e; // a crash at a probe unwinds to here; anything else is a bug
  }
}

function readyEvents(w: LoopParts): Ready[] {
  const now = w.clock.now();
  const ready: Ready[] = w.network.ready(now).map((p) => ({ kind: "deliver" as const, channel: p.channel }));
  for (const t of w.clock.due()) ready.push({ kind: "timer", id: t.id, label: w.clock.describe(t.id) });
  w.writers.forEach((x, writer) => { if (x.user.ready(now)) ready.push({ kind: "action", writer }); });
  return ready;
}

/**
 * When something can next happen. A user whose node is down waits for the restart (a timer), so
 * the clock jumps there instead of creeping a millisecond at a time; only a user blocked with
 * nothing scheduled at all (no restart coming) still creeps, until the deadline says L1.
 */
function nextTime(w: LoopParts): number | undefined {
  const now = w.clock.now();
  const times = [w.network.nextAt(), w.clock.nextAt(), ...w.writers.map((x) => x.user.nextActionAt(now))].filter((t): t is number => t !== undefined);
  if (times.length > 0) return Math.max(now, Math.min(...times));
  return w.writers.some((x) => x.user.nextActionAt() !== undefined) ? now + 1 : undefined;
}
