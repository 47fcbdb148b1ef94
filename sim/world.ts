// A world built from (scenario, seed): the real client and server, the wire between them, the
// workload, the faults, and the run loop that schedules all of it from seeded streams.
import { parsePolicy, describePolicy } from "../src/server/dedupe.js";
import type { FlushEvent } from "../src/client/flusher.js";
import type { LegacyEvent } from "../src/legacy/share-next.js";
import type { ShareInfo } from "../src/protocol/api.js";
import type { SyncItem } from "../src/protocol/items.js";
import { NodeCrashed, type ProbePoint } from "../src/protocol/probe.js";
import { SimRng, type Seed } from "./rng.js";
import { VirtualClock } from "./clock.js";
import { Trace } from "./trace.js";
import { Network } from "./network.js";
import { BatchWire } from "./batch.js";
import { SocketWire } from "./transport.js";
import { emptyFaultCounts, sampleSwarm, type FaultCounts, type FaultMix } from "./faults.js";
import { FaultGate, type TakenFault } from "./fault-gate.js";
import { Coverage, type CoverageData } from "./coverage.js";
import { CHECKPOINT_MS } from "./storage.js";
import { generateWorkload, type Action } from "./workload.js";
import { ClientNode, ServerNode, SimConnector } from "./process.js";
import { Checker, type Violation } from "./invariants.js";
import { settle } from "./settle.js";
import type { Chooser } from "./chooser.js";
import { stateKeyOf } from "./state-key.js";
import { startViewer } from "./viewer.js";
import type { Design, Scenario } from "./scenario.js";

export interface WorldOptions {
  design?: Design;
  swarm?: boolean;
  keepTrace?: boolean;
  /** Replay of a shrunk run: fewer ops, and only these fault opportunities may fire. */
  ops?: number;
  onlyFaults?: ReadonlySet<string>;
  /** Replay of a shrunk run: only these workload actions (by position) happen. */
  onlyActions?: ReadonlySet<number>;
  /** Exploration: every scheduling and fault decision comes from here (see sim/explore.ts). */
  chooser?: Chooser;
  /** Planted bugs, for proving the checks can fail. */
  broken?: { noDedupe?: boolean; splitAck?: boolean; leakyReadOnly?: boolean };
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
  /** The faults that fired, in order: with the seed, the decision list that replays this run. */
  decisions: TakenFault[];
  /** Workload actions generated before any `onlyActions` filter (for shrinking). */
  actionsGenerated: number;
  ops: { enqueued: number; applied: number; duplicates: number; rejected: number; lost: number; roundTrips: number; wireBytes: number };
  /** Dedupe storage the server holds at the end: op_id ledger rows plus writer high-water marks. */
  ledgerRows: number;
  converged: boolean;
  convergenceMs: number;
  violations: Violation[];
  coverage: CoverageData;
  trace?: Trace;
}

type Node = "client" | "server";
const crashKind = (node: Node) => (node === "client" ? "crashClient" : "crashServer");
type Ready = { kind: "deliver"; channel: string } | { kind: "timer"; id: number; label: string } | { kind: "action" };

export async function runWorld(scenario: Scenario, seed: Seed, options: WorldOptions = {}): Promise<RunResult> {
  const design = options.design ?? scenario.design;
  const root = new SimRng(seed);
  const rng = { sched: root.fork("sched"), net: root.fork("net"), faults: root.fork("faults") };
  const mix = options.swarm ? sampleSwarm(root.fork("swarm"), scenario.faults) : scenario.faults;
  const workload = options.ops === undefined ? scenario.workload : { ...scenario.workload, ops: options.ops };
  const generated: Action[] = generateWorkload(workload, root.fork("workload"));
  const actions = options.onlyActions ? generated.filter((_, i) => options.onlyActions!.has(i)) : generated;
  const lastActionAt = actions[actions.length - 1]?.at ?? 0;
  const horizon = lastActionAt + scenario.faultTailMs;

  const clock = new VirtualClock();
  const trace = new Trace(options.keepTrace ?? false);
  const faults = emptyFaultCounts();
  // Exploration reads the state only when it needs a key; the nodes are declared below.
  const stateKey = (): string => stateKeyOf({ now: clock.now(), server: server.db, client: client.db, network, clock, nextAction, checker });
  const gate = new FaultGate(rng.faults, faults, () => clock.now(), options.onlyFaults, options.chooser && { chooser: options.chooser, stateKey });
  const coverage = new Coverage();
  const checker = new Checker();
  const wire = { roundTrips: 0, bytes: 0 };
  let step = 0;
  let partitionedUntil = -1;
  const record = (actor: string, kind: string, detail = "") => {
    coverage.event(actor, kind);
    if (actor === "client" && kind === "request") wire.roundTrips += 1;
    trace.record(step, clock.now(), actor, kind, detail);
  };
  record("world", "start", `${scenario.name} ${design} ${scenario.transport} ${scenario.dedupe} ops=${workload.ops} ${JSON.stringify(mix)}`);
  const faultsOn = () => clock.now() <= horizon;

  const network = new Network({
    now: () => clock.now(),
    rng: rng.net,
    gate,
    record,
    mix: () => (faultsOn() ? mix : undefined),
    partitioned: () => clock.now() < partitionedUntil,
    onBytes: (n) => { wire.bytes += n; },
  });

  // Crashes are two-phase: halt now (inside the node's own stack), finish at the step boundary.
  const halting: Node[] = [];
  const probeFor = (node: Node) => (point: ProbePoint) => {
    coverage.hit(point);
    if (!faultsOn() || !gate.roll(crashKind(node), mix.crashAtProbe, `${node}@${point}`, point)) return;
    coverage.crashed(point);
    record(node, "crash", `at ${point}`);
    halt(node);
    throw new NodeCrashed(point);
  };

  const server = new ServerNode(
    { dedupe: parsePolicy(scenario.dedupe), rng: root.fork("server"), observer: checker.onServerEvent, brokenNoDedupe: options.broken?.noDedupe, probe: probeFor("server") },
    scenario.storage.server,
  );
  const batchWire = new BatchWire(network, server);
  const socketWire = new SocketWire(network, server);
  const counts = { duplicates: 0, rejected: 0 };
  const ackedByClient = new Set<string>();
  const onFlush = (e: FlushEvent) => {
    if (e.kind === "send") record("client", e.resend ? "resend" : "send", `${e.batchID} [${e.opIDs.join(" ")}]`);
    if (e.kind === "ack") {
      counts.duplicates += e.ack.duplicates.length;
      counts.rejected += e.ack.rejected.length;
      for (const op of [...e.ack.applied, ...e.ack.duplicates]) ackedByClient.add(op);
      record("client", "ack", `${e.batchID} cursor=${e.ack.cursor} +${e.ack.applied.length} dup=${e.ack.duplicates.length} rej=${e.ack.rejected.length}`);
    }
    if (e.kind === "error") record("client", "error", `${e.batchID} ${e.error}`);
  };
  const onLegacy = (e: LegacyEvent) => record("client", e.kind === "send" ? "sync" : "error", e.kind === "send" ? `${e.items} items` : e.error);
  const client = new ClientNode({
    design,
    clock,
    rng: root.fork("client"),
    synchronous: scenario.storage.client,
    connector: () => new SimConnector(scenario.transport, batchWire, socketWire),
    flusher: { ...scenario.client },
    onFlush,
    onLegacy,
    probe: probeFor("client"),
    brokenSplitAck: options.broken?.splitAck,
  });

  let share: ShareInfo = server.store.createShare("ses_1");
  client.setCredentials(share);
  // The share was created before the story starts: that much is durable on both sides.
  if (server.disk.synchronous !== "full") server.disk.checkpoint(server.db!);
  if (client.disk.synchronous !== "full") client.disk.checkpoint(client.db!);
  const items: SyncItem[] = [];
  const opIDs: (string | undefined)[] = [];
  let nextAction = 0;
  const worldClock = clock.scoped("world");

  function halt(node: Node): void {
    if (node === "client") client.halt();
    else {
      server.halt();
      socketWire.severAll("server crashed");
    }
    halting.push(node);
  }

  /** The disk keeps what was durable; the node restarts from it after some downtime. */
  function finishCrashes(): void {
    for (const node of halting.splice(0)) {
      const powerLoss = gate.roll("powerLoss", mix.powerLoss, node);
      const lost = node === "client" ? client.finish(powerLoss) : server.finish(powerLoss);
      if (powerLoss) record(node, "power-loss", lost ? "commits since the last durable point are gone" : "synchronous=full: nothing lost");
      const down = mix.downtime.min + rng.faults.int(Math.max(0, mix.downtime.max - mix.downtime.min) + 1);
      worldClock.setTimer(down, () => restart(node, lost));
    }
  }

  function restart(node: Node, lostCommits: boolean): void {
    if (node === "client") {
      client.start();
      if (lostCommits && client.outbox) {
        const kept = new Set(client.outbox.rows().map((r) => r.op_id));
        checker.onClientRollback(opIDs.filter((id): id is string => id !== undefined && !kept.has(id)), scenario.storage.client, client.outbox.watermark());
      }
    } else {
      server.start();
      if (lostCommits) checker.onServerRollback(server.store.current(share.id).cursor, ackedByClient, scenario.storage.server);
    }
    record(node, "restart", lostCommits ? "from an older image" : "");
  }

  if (scenario.viewerEveryMs > 0) {
    startViewer(batchWire, clock.scoped("viewer"), () => share, scenario.viewerEveryMs, horizon, (kind, detail) => record("viewer", kind, detail), options.broken?.leakyReadOnly);
  }

  const injectStepFaults = () => {
    if (!faultsOn()) return;
    for (const node of ["client", "server"] as const) {
      const up = node === "client" ? client.isUp() : server.isUp();
      if (up && gate.roll(crashKind(node), mix.crash[node], `${node}@step`)) {
        record(node, "crash", "between steps");
        halt(node);
      }
    }
    if (clock.now() >= partitionedUntil && gate.roll("partition", mix.partition.p, "client|server")) {
      partitionedUntil = clock.now() + 1 + rng.faults.int(Math.max(1, mix.partition.len));
      record("net", "partition", `until ${partitionedUntil}`);
    }
  };

  // Nodes whose disks are not synced per commit reach a durable point every so often.
  for (const [node, sync] of [["client", scenario.storage.client], ["server", scenario.storage.server]] as const) {
    const every = CHECKPOINT_MS[sync];
    if (every === undefined) continue;
    const owner = node === "client" ? client : server;
    const diskClock = clock.scoped(`disk-${node}`);
    const tick = () => {
      if (owner.db) owner.disk.checkpoint(owner.db);
      if (clock.now() <= horizon) diskClock.setTimer(every, tick);
    };
    diskClock.setTimer(every, tick);
  }

  const runAction = (a: Action) => {
    if (a.kind === "revoke") {
      share = server.store.revoke(share.id, share.secret);
      client.setCredentials(share);
      record("user", "revoke", `epoch=${share.epoch}`);
      return;
    }
    items.push(a.item);
    opIDs[a.index] = client.enqueue(a.item, a.dependsOn.map((i) => opIDs[i]).filter((x): x is string => x !== undefined));
    record("user", "enqueue", `#${a.index} ${a.item.type} ${opIDs[a.index] ?? ""}`);
  };

  const actionReady = () => {
    const a = actions[nextAction];
    if (!a || a.at > clock.now() || !client.isUp()) return false;
    return a.kind !== "revoke" || server.isUp();
  };

  const readyEvents = (): Ready[] => {
    const ready: Ready[] = network.ready(clock.now()).map((p) => ({ kind: "deliver" as const, channel: p.channel }));
    for (const t of clock.due()) ready.push({ kind: "timer", id: t.id, label: clock.describe(t.id) });
    if (actionReady()) ready.push({ kind: "action" });
    return ready;
  };

  const nextTime = (): number | undefined => {
    const times = [network.nextAt(), clock.nextAt(), actions[nextAction]?.at].filter((t): t is number => t !== undefined);
    return times.length ? Math.max(clock.now(), Math.min(...times)) : undefined;
  };

  let quiet = false;
  // A run that has not converged long after the last fault has already failed L1: stop there.
  const deadline = horizon + scenario.livenessMs;
  while (step < scenario.maxSteps && clock.now() <= deadline && !options.chooser?.stopped) {
    await settle();
    finishCrashes();
    batchWire.submitOpen();
    checker.step = step;
    checker.checkStep(
      server.isUp() ? { cursor: server.store.current(share.id).cursor } : undefined,
      client.outbox?.progress(),
    );
    const ready = readyEvents();
    if (ready.length === 0) {
      const next = nextTime();
      if (next === undefined) {
        quiet = true;
        break;
      }
      clock.advanceTo(next > clock.now() ? next : clock.now() + 1);
      continue;
    }
    step += 1;
    injectStepFaults();
    // A node that just crashed takes its events with it.
    const live = halting.length > 0 ? readyEvents() : ready;
    if (live.length === 0) continue;
    const ev = options.chooser
      ? live[live.length === 1 ? 0 : options.chooser.choose(live.length, "sched", stateKey)]!
      : rng.sched.pick(live);
    if (options.chooser?.stopped) break;
    try {
      if (ev.kind === "deliver") {
        const labels = await network.deliverChannel(ev.channel, clock.now());
        record("net", "deliver", labels.join(", "));
      } else if (ev.kind === "timer") {
        record("clock", "fire", ev.label);
        clock.fire(ev.id);
      } else {
        runAction(actions[nextAction++]!);
      }
    } catch (e) {
      if (!(e instanceof NodeCrashed)) throw e; // a crash at a probe unwinds to here; anything else is a bug
    }
  }

  checker.step = step;
  if (options.chooser?.stopped) quiet = false;
  let lost = 0;
  const lastFaultAt = Math.max(gate.lastAt, lastActionAt);
  const convergenceMs = Math.max(0, clock.now() - lastFaultAt);
  if (options.chooser?.stopped) {
    // An explored branch cut short (depth bound or a state seen before): no end-of-run verdict.
  } else if (!quiet) {
    checker.fail("L1", `no quiescence within ${scenario.maxSteps} steps / ${deadline} virtual ms`);
  } else {
    lost = checker.checkFinal(server.store.snapshot(share.id), items, client.outbox?.counts());
    if (convergenceMs > scenario.livenessMs) checker.fail("L1", `converged ${convergenceMs} ms after the last fault (bound ${scenario.livenessMs})`);
  }
  record("world", "end", `quiet=${quiet}`);
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
    decisions: gate.taken,
    actionsGenerated: generated.length,
    ops: {
      enqueued: items.length,
      applied: design === "legacy" ? checker.synced : checker.applied,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
      lost,
      roundTrips: wire.roundTrips,
      wireBytes: wire.bytes,
    },
    ledgerRows: server.db ? (server.db.prepare("SELECT (SELECT COUNT(*) FROM op_ledger) + (SELECT COUNT(*) FROM writer_hwm)").pluck().get() as number) : 0,
    converged: quiet && !checker.violations.some((v) => v.invariant === "C1"),
    convergenceMs,
    violations: checker.violations,
    coverage: coverage.data,
    ...(options.keepTrace ? { trace } : {}),
  };
}
