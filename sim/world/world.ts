// A world built from (scenario, seed): the real server, one or several sessions (a user, a client
// with its own disk, a share, a checker), the wire between them, hostile actors and the faults;
// then the run loop, then the verdict. Assembly is here; each part lives in its own file.
import { parsePolicy, describePolicy } from "../../src/server/dedupe.js";
import { SimRng, type Seed } from "./rng.js";
import { VirtualClock } from "./clock.js";
import { Network } from "../net/network.js";
import { BatchWire } from "../net/batch-wire.js";
import { SocketWire } from "../net/socket-wire.js";
import { emptyFaultCounts, sampleSwarm } from "../net/faults.js";
import { FaultGate } from "../net/fault-gate.js";
import { CHECKPOINT_MS } from "./disk.js";
import { sampleSwarmWorkload } from "./workload.js";
import { writerPlans } from "./writers.js";
import type { ProbePoint } from "../../src/protocol/probe.js";
import { stateKeyOf } from "./state-key.js";
import { ViolationLog } from "../check/violations.js";
import { plantHooks } from "../plants/index.js";
import type { Scenario } from "./scenario.js";
import { Accounting } from "./accounting.js";
import { FaultInjector } from "./fault-injector.js";
import { Lifecycle } from "./lifecycle.js";
import { ServerNode, type ClientNode } from "./nodes.js";
import { buildSession, type CheckerRegistry, type Session } from "./session.js";
import { runLoop } from "./run-loop.js";
import { StaleHolder } from "./stale-holder.js";
import { crashingDatabase } from "./crashing-db.js";
import { countWrite } from "./write-count.js";
import { startViewer, type HostileContext } from "./viewer.js";
import { startReader } from "./reader.js";
import type { RunResult, WorldOptions } from "./options.js";
import { RmwLegacyServer, type RmwParts } from "./legacy-server.js";
import type { ShareInfo } from "../../src/protocol/api.js";

export type { RunResult, WorldOptions } from "./options.js";

export async function runWorld(scenario: Scenario, seed: Seed, options: WorldOptions = {}): Promise<RunResult> {
  const w = assemble(scenario, seed, options);
  try {
    const quiet = await runLoop(w);
    return verdict(w, quiet);
  } finally {
    for (const node of [w.server, ...w.writers.map((x) => x.client)]) node.shutDown();
  }
}

type World = ReturnType<typeof assemble>;

function assemble(scenario: Scenario, seed: Seed, options: WorldOptions) {
  const design = options.design ?? scenario.design;
  const root = new SimRng(seed);
  const rng = { sched: root.fork("sched"), net: root.fork("net"), faults: root.fork("faults") };
  const mix = options.swarm ? sampleSwarm(root.fork("swarm"), scenario.faults) : scenario.faults;
  const asked = options.ops === undefined ? scenario.workload : { ...scenario.workload, ops: options.ops };
  const spec = options.swarm ? sampleSwarmWorkload(root.fork("swarm-workload"), asked, scenario.client.maxInFlight) : asked;
  const workloads = writerPlans(scenario, spec, root, options.onlyActions);
  const horizon = Math.max(0, ...workloads.plans.flat().map(({ actions: a }) => a[a.length - 1]?.at ?? 0)) + scenario.faultTailMs;
  const clock = new VirtualClock();
  const acct = new Accounting(() => clock.now(), options.keepTrace ?? false);
  const record = acct.record;
  record("world", "start", `${scenario.name} ${design} ${scenario.transport} ${scenario.dedupe} ops=${spec.ops}${scenario.sessions > 1 ? ` sessions=${scenario.sessions}` : ""}${scenario.writers ? ` writers=${scenario.writers.length}` : ""}${spec.causalDeps ? "" : " no-deps"} ${JSON.stringify(mix)}${options.plant ? ` plant=${options.plant}` : ""}`);
  const faults = emptyFaultCounts();
  // Exploration's key for "the same state": the whole world (sim/world/state-key.ts walks these objects).
  const stateKey = (): string => stateKeyOf({
    now: clock.now(), step: acct.step, lastFaultAt: gate.lastAt, clock, network, rng: root,
    databases: { server: server.db, ...Object.fromEntries(writers.map((x) => [x.client.name, x.client.db])) },
    memory: { sessions, server, lifecycle, injector, batchWire, socketWire, staleHolder },
    records: [acct.coverage],
  });
  const gate = new FaultGate(rng.faults, faults, () => clock.now(), options.onlyFaults, options.chooser && { chooser: options.chooser, stateKey });
  const suspendClients = (until: number) => { for (const x of writers) clock.postponeOwner(x.client.name, until); };
  const injector = new FaultInjector(gate, mix, rng.faults, () => clock.now(), horizon, suspendClients, acct.coverage, record);
  const network = new Network({
    now: () => clock.now(), rng: rng.net, gate, record,
    mix: () => (injector.on() ? mix : undefined),
    partitioned: () => injector.partitioned(),
    onBytes: (n) => { acct.wire.bytes += n; },
  });
  const hooks = plantHooks(options.plant);
  const checkers: CheckerRegistry = new Map();
  const observer = (e: Parameters<Session["checker"]["onServerEvent"]>[0]) => checkers.get(e.shareID)?.onServerEvent(e);
  const serverProbe = injector.probeFor("server", () => lifecycle);
  const probe = endingCalls(serverProbe, checkers);
  const legacy = design === "legacy" && scenario.legacyServer === "rmw"
    ? new RmwLegacyServer({ clock, observer, probe: serverProbe, latency: storageLatency(scenario, root, gate), record: (kind, detail) => record("server", kind, detail) })
    : undefined;
  const server = new ServerNode({ dedupe: parsePolicy(scenario.dedupe), rng: root.fork("server"), observer, probe }, scenario.storage.server, hooks, legacy);
  const onServerWrite = injector.afterWriteFor("server", () => lifecycle);
  server.wrap = (db) => crashingDatabase(db, (site) => { countWrite(server); onServerWrite(site); });
  server.start();
  const batchWire = new BatchWire(network, server);
  const socketWire = new SocketWire(network, server);
  const log = new ViolationLog();
  const hostile: HostileContext = { record: (kind, detail) => record("intruder", kind, detail), intrusion: (d) => sessions[0]!.checker.onIntrusion("intruder", d) };
  const staleHolder = scenario.workload.revokeAfter.length > 0 ? new StaleHolder(socketWire, clock.scoped("stale-holder"), hostile) : undefined;
  const parts = { scenario, design, clock, acct, injector, server, batchWire, socketWire, hooks, log, lifecycle: () => lifecycle, checkers, causalDeps: spec.causalDeps };
  const sessions: Session[] = workloads.plans.map((plans, k) => buildSession(k, plans, root, parts, (s) => { if (k === 0) staleHolder?.afterRevoke(s); }));
  const writers = sessions.flatMap((s) => s.writers);
  const lifecycle: Lifecycle = new Lifecycle({
    tenants: writers.map(({ client, user, session: s }) => ({
      client, checker: () => s.checker, shareID: () => user.share.id, ...(scenario.writers ? { share: () => user.share } : {}),
    })),
    server, socketWire, gate, mix, rng: rng.faults, clock: clock.scoped("world"), record,
  });
  const first = sessions[0]!;
  staleHolder?.redeem(first.user.share);
  if (scenario.viewerEveryMs > 0) startViewer(batchWire, clock.scoped("viewer"), () => first.user.share, scenario.viewerEveryMs, horizon, hostile);
  startReaders(scenario, { batchWire, clock, checkers, record, horizon }, () => first.user.share);
  startDiskCheckpoints(clock, horizon, [...writers.map((x) => x.client), server]);
  injector.armed = true;
  return {
    scenario, seed, options, design, mix, generated: workloads.generated, clock, acct, faults, gate, injector, network, server,
    sessions, writers, log, batchWire, lifecycle, sched: rng.sched, chooser: options.chooser, stateKey,
    maxSteps: scenario.maxSteps,
    // A run that has not converged long after the last fault ended has already failed L1: stop there.
    deadline: () => Math.max(horizon, injector.faultsEndAt) + scenario.livenessMs,
  };
}

/** How long each call of the rmw legacy server's storage takes: drawn from its own stream, or an explorer's pick. */
function storageLatency(scenario: Scenario, root: SimRng, gate: FaultGate): RmwParts["latency"] {
  const rng = root.fork("storage");
  const { min, max } = scenario.legacyStorageMs;
  return (kind) => gate.pick(`storage@${kind}`, [min, max], () => min + rng.int(max - min + 1));
}

/**
 * The server's probe, also marking where each appendOps call ends: it reaches this point after
 * reporting what it applied, and H1 groups applies by call.
 */
function endingCalls(probe: (point: ProbePoint) => void, checkers: CheckerRegistry): (point: ProbePoint) => void {
  return (point) => {
    if (point === "server.apply.committed") for (const c of checkers.values()) c.applies.endCall();
    probe(point);
  };
}

/** The scenario's honest readers of the share, each judged by the checker of the share it read. */
function startReaders(scenario: Scenario, w: { batchWire: BatchWire; clock: VirtualClock; checkers: CheckerRegistry; record: Accounting["record"]; horizon: number }, share: () => ShareInfo): void {
  const spec = scenario.readers;
  if (!spec) return;
  for (let k = 1; k <= spec.count; k++) {
    const name = `reader${k}`;
    startReader(w.batchWire, w.clock.scoped(name), share, { name, everyMs: spec.everyMs, timeoutMs: spec.timeoutMs, until: w.horizon }, {
      record: (kind, detail) => w.record(name, kind, detail),
      sending: (shareID) => w.checkers.get(shareID)?.applies.generation ?? 0,
      answered: (shareID, generation, read) => w.checkers.get(shareID)?.onRead(name, generation, read),
    });
  }
}

/** Disks not synced per commit reach a durable point every so often (the start is one). */
function startDiskCheckpoints(clock: VirtualClock, horizon: number, nodes: readonly (ClientNode | ServerNode)[]): void {
  for (const node of nodes) {
    const every = CHECKPOINT_MS[node.disk.synchronous];
    if (every === undefined) continue;
    node.disk.checkpoint(node.db!);
    const diskClock = clock.scoped(`disk-${node instanceof ServerNode ? "server" : node.name}`);
    const tick = () => {
      if (node.db) node.disk.checkpoint(node.db);
      if (clock.now() <= horizon) diskClock.setTimer(every, tick);
    };
    diskClock.setTimer(every, tick);
  }
}

function verdict(w: World, quiet: boolean): RunResult {
  const { scenario, clock, acct, server, sessions, chooser } = w;
  const stopped = chooser?.stopped ?? false;
  let lost = 0;
  const lastFaultAt = Math.max(w.gate.lastAt, w.injector.faultsEndAt, ...w.writers.map((x) => x.user.lastActionAt));
  const convergenceMs = Math.max(0, clock.now() - lastFaultAt);
  if (stopped) {
    // An explored branch cut short (depth bound or a state seen before): no end-of-run verdict.
  } else if (!quiet) {
    w.log.report("L1", "no-quiescence", `no quiescence within ${scenario.maxSteps} steps / ${w.deadline()} virtual ms`);
  } else {
    for (const { checker, user, writers } of sessions) {
      const evidence = writers.map(({ client, user: u }) => ({ name: client.name, db: client.outbox ? client.db : undefined, items: u.items, outbox: client.outbox?.counts() }));
      lost += checker.checkFinal(server.db!, user.share.id, evidence);
    }
    if (convergenceMs > scenario.livenessMs) w.log.report("L1", "slow", `converged ${convergenceMs} ms after the last fault (bound ${scenario.livenessMs})`);
  }
  acct.record("world", "end", `quiet=${quiet && !stopped}`);
  return result(w, quiet && !stopped, lost, convergenceMs);
}

function result(w: World, quiet: boolean, lost: number, convergenceMs: number): RunResult {
  const { scenario, acct, server, sessions } = w;
  const declared = new Set<string>(scenario.expectViolations);
  const violations = w.log.violations;
  const sum = (f: (s: Session) => number) => sessions.reduce((n, s) => n + f(s), 0);
  const enqueued = w.writers.reduce((n, x) => n + x.user.enqueued, 0);
  return {
    seed: w.seed, scenario: scenario.name, design: w.design, ...(w.design === "legacy" ? { legacyServer: scenario.legacyServer } : {}),
    dedupe: describePolicy(parsePolicy(scenario.dedupe)),
    transport: scenario.transport, ...(w.options.plant ? { plant: w.options.plant } : {}),
    traceHash: acct.trace.digest(), steps: acct.step, virtualTimeMs: w.clock.now(),
    faults: w.faults, mix: w.mix, decisions: w.gate.taken, actionsGenerated: w.generated,
    ops: {
      enqueued,
      applied: sum((s) => (w.design === "legacy" ? s.checker.applies.synced : s.checker.applies.committed)),
      duplicates: acct.acks.duplicates, rejected: acct.acks.rejected, lost,
      roundTrips: acct.wire.roundTrips, wireBytes: acct.wire.bytes,
    },
    history: {
      shares: sessions.filter((s) => s.checker.lastHistory).length,
      folded: sessions.filter((s) => s.checker.lastHistory?.folded).length,
    },
    ledgerRows: server.db ? (server.db.prepare("SELECT (SELECT COUNT(*) FROM op_ledger) + (SELECT COUNT(*) FROM writer_hwm)").pluck().get() as number) : 0,
    converged: quiet && !violations.some((v) => v.invariant === "C1"),
    convergenceMs,
    violations,
    unexpected: [...new Set(violations.map((v) => v.invariant))].filter((i) => !declared.has(i)).sort(),
    coverage: acct.coverage.data,
    ...(w.options.keepTrace ? { trace: acct.trace } : {}),
  };
}
