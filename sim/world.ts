// A world built from (scenario, seed): the real client and server, the wire between them, the
// workload, the faults, and the run loop that schedules all of it from seeded streams.
import { parsePolicy, describePolicy } from "../src/server/dedupe.js";
import type { FlushEvent } from "../src/client/flusher.js";
import type { LegacyEvent } from "../src/legacy/share-next.js";
import type { ShareInfo } from "../src/protocol/api.js";
import type { SyncItem } from "../src/protocol/items.js";
import { SimRng, type Seed } from "./rng.js";
import { VirtualClock } from "./clock.js";
import { Trace } from "./trace.js";
import { Network } from "./network.js";
import { BatchWire } from "./batch.js";
import { SocketWire } from "./transport.js";
import { emptyFaultCounts, sampleSwarm, type FaultCounts, type FaultMix } from "./faults.js";
import { generateWorkload, type Action } from "./workload.js";
import { ClientNode, ServerNode, SimConnector } from "./process.js";
import { Checker, type Violation } from "./invariants.js";
import { settle } from "./settle.js";
import type { Design, Scenario } from "./scenario.js";

export interface WorldOptions {
  design?: Design;
  swarm?: boolean;
  keepTrace?: boolean;
  /** Planted bugs, for proving the checks can fail. */
  broken?: { noDedupe?: boolean; splitAck?: boolean };
}

export interface RunResult {
  seed: Seed;
  scenario: string;
  design: Design;
  dedupe: string;
  transport: string;
  traceHash: string;
  steps: number;
  virtualTimeMs: number;
  faults: FaultCounts;
  mix: FaultMix;
  ops: { enqueued: number; applied: number; duplicates: number; rejected: number; lost: number };
  converged: boolean;
  convergenceMs: number;
  violations: Violation[];
  trace?: Trace;
}

const FAULT_KINDS = new Set(["drop", "stall", "sever", "duplicate", "reorder", "delay", "crash", "partition"]);

type Ready =
  | { kind: "deliver"; channel: string; label: string }
  | { kind: "timer"; id: number; label: string }
  | { kind: "action"; label: string };

export async function runWorld(scenario: Scenario, seed: Seed, options: WorldOptions = {}): Promise<RunResult> {
  const design = options.design ?? scenario.design;
  const root = new SimRng(seed);
  const rng = { sched: root.fork("sched"), net: root.fork("net"), faults: root.fork("faults"), swarm: root.fork("swarm") };
  const mix = options.swarm ? sampleSwarm(rng.swarm, scenario.faults) : scenario.faults;
  const actions: Action[] = generateWorkload(scenario.workload, root.fork("workload"));
  const horizon = (actions[actions.length - 1]?.at ?? 0) + scenario.faultTailMs;

  const clock = new VirtualClock();
  const trace = new Trace(options.keepTrace ?? false);
  const faults = emptyFaultCounts();
  const checker = new Checker();
  let step = 0;
  let partitionedUntil = -1;
  let lastFaultAt = 0;
  const record = (actor: string, kind: string, detail = "") => {
    if (FAULT_KINDS.has(kind)) lastFaultAt = clock.now();
    trace.record(step, clock.now(), actor, kind, detail);
  };
  trace.record(0, 0, "world", "start", `${scenario.name} ${design} ${scenario.transport} ${scenario.dedupe} ${JSON.stringify(mix)}`);

  const network = new Network({
    now: () => clock.now(),
    rng: rng.net,
    record,
    faults,
    mix: () => (clock.now() <= horizon ? mix : undefined),
    partitioned: () => clock.now() < partitionedUntil,
  });
  const server = new ServerNode({
    dedupe: parsePolicy(scenario.dedupe),
    rng: root.fork("server"),
    observer: checker.onServerEvent,
    brokenNoDedupe: options.broken?.noDedupe,
  });
  const batchWire = new BatchWire(network, server);
  const socketWire = new SocketWire(network, server);
  const counts = { duplicates: 0, rejected: 0 };
  const onFlush = (e: FlushEvent) => {
    if (e.kind === "send") record("client", e.resend ? "resend" : "send", `${e.batchID} [${e.opIDs.length}]`);
    if (e.kind === "ack") {
      counts.duplicates += e.ack.duplicates.length;
      counts.rejected += e.ack.rejected.length;
      record("client", "ack", `${e.batchID} cursor=${e.ack.cursor} +${e.ack.applied.length} dup=${e.ack.duplicates.length} rej=${e.ack.rejected.length}`);
    }
    if (e.kind === "error") record("client", "error", `${e.batchID} ${e.error}`);
  };
  const onLegacy = (e: LegacyEvent) => record("client", e.kind, e.kind === "send" ? `${e.items} items` : e.error);
  const client = new ClientNode({
    design,
    clock,
    rng: root.fork("client"),
    connector: () => new SimConnector(scenario.transport, batchWire, socketWire),
    flusher: { ...scenario.client },
    onFlush,
    onLegacy,
    brokenSplitAck: options.broken?.splitAck,
  });

  let share: ShareInfo = server.store.createShare("ses_1");
  client.setCredentials(share);
  const items: SyncItem[] = [];
  const opIDs: (string | undefined)[] = [];
  let nextAction = 0;
  const world = clock.scoped("world");

  const restartLater = (name: "client" | "server", start: () => void) => {
    const down = mix.downtime.min + rng.faults.int(Math.max(0, mix.downtime.max - mix.downtime.min) + 1);
    world.setTimer(down, () => {
      start();
      record(name, "restart");
    });
  };

  const injectStepFaults = () => {
    if (clock.now() > horizon) return;
    if (client.isUp() && rng.faults.chance(mix.crash.client)) {
      client.crash();
      faults.crashes.client += 1;
      record("client", "crash");
      restartLater("client", () => client.start());
    }
    if (server.isUp() && rng.faults.chance(mix.crash.server)) {
      server.crash();
      socketWire.severAll("server crashed");
      faults.crashes.server += 1;
      record("server", "crash");
      restartLater("server", () => server.start());
    }
    if (clock.now() >= partitionedUntil && rng.faults.chance(mix.partition.p)) {
      partitionedUntil = clock.now() + 1 + rng.faults.int(Math.max(1, mix.partition.len));
      faults.partitions += 1;
      record("net", "partition", `until ${partitionedUntil}`);
    }
  };

  const runAction = (a: Action) => {
    if (a.kind === "revoke") {
      share = server.store.revoke(share.id, share.secret);
      client.setCredentials(share);
      record("user", "revoke", `epoch=${share.epoch}`);
      return;
    }
    items.push(a.item);
    opIDs[a.index] = client.enqueue(a.item, a.dependsOn.map((i) => opIDs[i]).filter((x): x is string => x !== undefined));
    record("user", "enqueue", `#${a.index} ${a.item.type}`);
  };

  const actionReady = () => {
    const a = actions[nextAction];
    if (!a || a.at > clock.now() || !client.isUp()) return false;
    return a.kind !== "revoke" || server.isUp();
  };

  const readyEvents = (): Ready[] => {
    const ready: Ready[] = network.ready(clock.now()).map((p) => ({ kind: "deliver" as const, channel: p.channel, label: p.label }));
    for (const t of clock.due()) ready.push({ kind: "timer", id: t.id, label: clock.describe(t.id) });
    if (actionReady()) ready.push({ kind: "action", label: "user action" });
    return ready;
  };

  const nextTime = (): number | undefined => {
    const times = [network.nextAt(), clock.nextAt(), actions[nextAction]?.at].filter((t): t is number => t !== undefined);
    return times.length ? Math.min(...times) : undefined;
  };

  let quiet = false;
  // A run that has not converged long after the last fault has already failed L1: stop there.
  const deadline = horizon + scenario.livenessMs;
  while (step < scenario.maxSteps && clock.now() <= deadline) {
    await settle();
    batchWire.submitOpen();
    checker.step = step;
    checker.checkStep(
      server.isUp() ? { cursor: server.store.current(share.id).cursor } : undefined,
      client.outbox ? { watermark: client.outbox.watermark(), acked: client.outbox.counts().acked } : undefined,
    );
    const ready = readyEvents();
    if (ready.length === 0) {
      const next = nextTime();
      if (next === undefined) {
        quiet = true;
        break;
      }
      clock.advanceTo(Math.max(next, clock.now() + (next <= clock.now() ? 1 : 0)));
      continue;
    }
    step += 1;
    injectStepFaults();
    const ev = rng.sched.pick(ready);
    if (ev.kind === "deliver") {
      const labels = await network.deliverChannel(ev.channel, clock.now());
      record("net", "deliver", labels.join(", "));
    } else if (ev.kind === "timer") {
      record("clock", "fire", ev.label);
      clock.fire(ev.id);
    } else {
      runAction(actions[nextAction++]!);
    }
  }

  checker.step = step;
  let lost = 0;
  const convergenceMs = Math.max(0, clock.now() - Math.max(lastFaultAt, actions[actions.length - 1]?.at ?? 0));
  if (!quiet) {
    checker.fail("L1", `no quiescence within ${scenario.maxSteps} steps / ${deadline} virtual ms`);
  } else {
    lost = checker.checkFinal(server.store.snapshot(share.id), items, client.outbox?.counts());
    if (convergenceMs > scenario.livenessMs) checker.fail("L1", `converged ${convergenceMs} ms after the last fault (bound ${scenario.livenessMs})`);
  }
  record("world", "end", `quiet=${quiet}`);
  const enqueued = items.length;
  return {
    seed,
    scenario: scenario.name,
    design,
    dedupe: describePolicy(parsePolicy(scenario.dedupe)),
    transport: scenario.transport,
    traceHash: trace.digest(),
    steps: step,
    virtualTimeMs: clock.now(),
    faults,
    mix,
    ops: { enqueued, applied: design === "legacy" ? checker.synced : checker.applied, duplicates: counts.duplicates, rejected: counts.rejected, lost },
    converged: quiet && !checker.violations.some((v) => v.invariant === "C1"),
    convergenceMs,
    violations: checker.violations,
    ...(options.keepTrace ? { trace } : {}),
  };
}
