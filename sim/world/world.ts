// A world built from (scenario, seed): the real client and server, the wire between them, the
// user, hostile actors, the faults, and the checker; then the run loop, then the verdict.
// Assembly is here; each part of the world lives in its own file beside this one.
import { parsePolicy, describePolicy } from "../../src/server/dedupe.js";
import type { FlushEvent } from "../../src/client/flusher.js";
import type { LegacyEvent } from "../../src/legacy/share-next.js";
import { SimRng, type Seed } from "../rng.js";
import { VirtualClock } from "../clock.js";
import { Network } from "../network.js";
import { BatchWire } from "../batch.js";
import { SocketWire } from "../transport.js";
import { emptyFaultCounts, sampleSwarm } from "../faults.js";
import { FaultGate } from "../fault-gate.js";
import { CHECKPOINT_MS } from "../storage.js";
import { generateWorkload, sampleSwarmWorkload } from "../workload.js";
import { stateKeyOf } from "../state-key.js";
import { Checker } from "../check/checker.js";
import { plantHooks } from "../plants/index.js";
import type { Scenario } from "../scenario.js";
import { Accounting } from "./accounting.js";
import { FaultInjector } from "./fault-injector.js";
import { Lifecycle } from "./lifecycle.js";
import { CLIENT, ClientNode, ServerNode, SimConnector } from "./nodes.js";
import { runLoop } from "./run-loop.js";
import { StaleHolder } from "./stale-holder.js";
import { User } from "./user.js";
import { crashingDatabase } from "./crashing-db.js";
import { startViewer, type HostileContext } from "./viewer.js";
import type { RunResult, WorldOptions } from "./options.js";

export type { RunResult, WorldOptions } from "./options.js";

export async function runWorld(scenario: Scenario, seed: Seed, options: WorldOptions = {}): Promise<RunResult> {
  const w = assemble(scenario, seed, options);
  const quiet = await runLoop(w);
  return verdict(w, quiet);
}

type World = ReturnType<typeof assemble>;

function assemble(scenario: Scenario, seed: Seed, options: WorldOptions) {
  const design = options.design ?? scenario.design;
  const root = new SimRng(seed);
  const rng = { sched: root.fork("sched"), net: root.fork("net"), faults: root.fork("faults") };
  const mix = options.swarm ? sampleSwarm(root.fork("swarm"), scenario.faults) : scenario.faults;
  const asked = options.ops === undefined ? scenario.workload : { ...scenario.workload, ops: options.ops };
  const spec = options.swarm ? sampleSwarmWorkload(root.fork("swarm-workload"), asked, scenario.client.maxInFlight) : asked;
  const generated = generateWorkload(spec, root.fork("workload"));
  const actions = options.onlyActions ? generated.filter((_, i) => options.onlyActions!.has(i)) : generated;
  const horizon = (actions[actions.length - 1]?.at ?? 0) + scenario.faultTailMs;
  const clock = new VirtualClock();
  const acct = new Accounting(() => clock.now(), options.keepTrace ?? false);
  const record = acct.record;
  record("world", "start", `${scenario.name} ${design} ${scenario.transport} ${scenario.dedupe} ops=${spec.ops}${spec.causalDeps ? "" : " no-deps"} ${JSON.stringify(mix)}${options.plant ? ` plant=${options.plant}` : ""}`);
  const faults = emptyFaultCounts();
  // Exploration's key for "the same state": the whole world (sim/state-key.ts walks these objects).
  const stateKey = (): string => stateKeyOf({
    now: clock.now(), step: acct.step, lastFaultAt: gate.lastAt, clock, network, rng: root,
    databases: { server: server.db, client: client.db },
    memory: { client, server, user, lifecycle, injector, checker, batchWire, socketWire, staleHolder },
    records: [acct.coverage],
  });
  const gate = new FaultGate(rng.faults, faults, () => clock.now(), options.onlyFaults, options.chooser && { chooser: options.chooser, stateKey });
  const injector = new FaultInjector(gate, mix, rng.faults, () => clock.now(), horizon, (until) => clock.postponeOwner(CLIENT, until), acct.coverage, record);
  const checker = new Checker(scenario.dedupe);
  const network = new Network({
    now: () => clock.now(), rng: rng.net, gate, record,
    mix: () => (injector.on() ? mix : undefined),
    partitioned: () => injector.partitioned(),
    onBytes: (n) => { acct.wire.bytes += n; },
  });
  const hooks = plantHooks(options.plant);
  const server = new ServerNode(
    { dedupe: parsePolicy(scenario.dedupe), rng: root.fork("server"), observer: checker.onServerEvent, probe: injector.probeFor("server", () => lifecycle) },
    scenario.storage.server, hooks,
  );
  startNode(server, injector.afterWriteFor("server", () => lifecycle));
  const batchWire = new BatchWire(network, server);
  const socketWire = new SocketWire(network, server);
  const client: ClientNode = new ClientNode({
    design, clock, rng: root.fork("client"), synchronous: scenario.storage.client,
    connector: () => new SimConnector(scenario.transport, batchWire, socketWire),
    flusher: hooks.flusherOptions ? hooks.flusherOptions({ ...scenario.client }) : { ...scenario.client },
    onFlush: (e) => onFlush(e, checker, acct),
    onLegacy: (e: LegacyEvent) => record("client", e.kind === "send" ? "sync" : "error", e.kind === "send" ? `${e.items} items` : e.error),
    probe: injector.probeFor("client", () => lifecycle),
    hooks,
  });
  startNode(client, injector.afterWriteFor("client", () => lifecycle));
  const share = server.store.createShare("ses_1");
  client.setCredentials(share);
  const hostile: HostileContext = { record: (kind, detail) => record("intruder", kind, detail), intrusion: (d) => checker.onIntrusion("intruder", d) };
  const staleHolder = scenario.workload.revokeAfter.length > 0 ? new StaleHolder(socketWire, clock.scoped("stale-holder"), hostile) : undefined;
  const user = new User(actions, client, server, checker, record, (s) => staleHolder?.afterRevoke(s), share, () => injector.asleepUntil);
  const lifecycle: Lifecycle = new Lifecycle({ client, server, socketWire, gate, mix, rng: rng.faults, clock: clock.scoped("world"), checker, shareID: () => user.share.id, record });
  staleHolder?.redeem(share);
  if (scenario.viewerEveryMs > 0) startViewer(batchWire, clock.scoped("viewer"), () => user.share, scenario.viewerEveryMs, horizon, hostile);
  startDiskCheckpoints(scenario, clock, horizon, client, server);
  injector.armed = true;
  return {
    scenario, seed, options, design, mix, generated, clock, acct, faults, gate, injector, checker, network, server, client,
    batchWire, user, lifecycle, sched: rng.sched, chooser: options.chooser, stateKey,
    maxSteps: scenario.maxSteps,
    // A run that has not converged long after the last fault ended has already failed L1: stop there.
    deadline: () => Math.max(horizon, injector.faultsEndAt) + scenario.livenessMs,
  };
}

/** First boot of a node, with every durable write of the product a crash opportunity. */
function startNode(node: ClientNode | ServerNode, onWrite: (site: string) => void): void {
  node.wrap = (db) => crashingDatabase(db, onWrite);
  node.start();
}

function onFlush(e: FlushEvent, checker: Checker, acct: Accounting): void {
  if (e.kind === "send") {
    checker.onSend(e.opIDs);
    acct.record("client", e.resend ? "resend" : "send", `${e.batchID} [${e.opIDs.join(" ")}]`);
  } else if (e.kind === "ack") {
    acct.acks.duplicates += e.ack.duplicates.length;
    acct.acks.rejected += e.ack.rejected.length;
    checker.onAck(e.ack);
    acct.record("client", "ack", `${e.batchID} cursor=${e.ack.cursor} +${e.ack.applied.length} dup=${e.ack.duplicates.length} rej=${e.ack.rejected.length}${e.ack.rejected.length ? ` (${[...new Set(e.ack.rejected.map((r) => r.reason))].join(",")})` : ""}`);
  } else {
    acct.record("client", "error", `${e.batchID} ${e.error}`);
  }
}

/** The share was created before the story starts: that much is durable on both sides. Disks not
 * synced per commit then reach a durable point every so often. */
function startDiskCheckpoints(scenario: Scenario, clock: VirtualClock, horizon: number, client: ClientNode, server: ServerNode): void {
  for (const [name, node] of [["client", client], ["server", server]] as const) {
    const every = CHECKPOINT_MS[node.disk.synchronous];
    if (every === undefined) continue;
    node.disk.checkpoint(node.db!);
    const diskClock = clock.scoped(`disk-${name}`);
    const tick = () => {
      if (node.db) node.disk.checkpoint(node.db);
      if (clock.now() <= horizon) diskClock.setTimer(every, tick);
    };
    diskClock.setTimer(every, tick);
  }
}

function verdict(w: World, quiet: boolean): RunResult {
  const { scenario, checker, clock, acct, user, server, client, chooser } = w;
  const stopped = chooser?.stopped ?? false;
  let lost = 0;
  const lastFaultAt = Math.max(w.gate.lastAt, user.lastActionAt, w.injector.faultsEndAt);
  const convergenceMs = Math.max(0, clock.now() - lastFaultAt);
  if (stopped) {
    // An explored branch cut short (depth bound or a state seen before): no end-of-run verdict.
  } else if (!quiet) {
    checker.fail("L1", "no-quiescence", `no quiescence within ${scenario.maxSteps} steps / ${w.deadline()} virtual ms`);
  } else {
    lost = checker.checkFinal(server.db!, user.share.id, client.outbox ? client.db : undefined, user.items, client.outbox?.counts());
    if (convergenceMs > scenario.livenessMs) checker.fail("L1", "slow", `converged ${convergenceMs} ms after the last fault (bound ${scenario.livenessMs})`);
  }
  acct.record("world", "end", `quiet=${quiet && !stopped}`);
  return result(w, quiet && !stopped, lost, convergenceMs);
}

function result(w: World, quiet: boolean, lost: number, convergenceMs: number): RunResult {
  const { scenario, checker, acct, server } = w;
  const declared = new Set(scenario.expectViolations);
  return {
    seed: w.seed, scenario: scenario.name, design: w.design, dedupe: describePolicy(parsePolicy(scenario.dedupe)),
    transport: scenario.transport, ...(w.options.plant ? { plant: w.options.plant } : {}),
    traceHash: acct.trace.digest(), steps: acct.step, virtualTimeMs: w.clock.now(),
    faults: w.faults, mix: w.mix, decisions: w.gate.taken, actionsGenerated: w.generated.length,
    ops: {
      enqueued: w.user.items.length,
      applied: w.design === "legacy" ? checker.applies.synced : checker.applies.committed,
      duplicates: acct.acks.duplicates, rejected: acct.acks.rejected, lost,
      roundTrips: acct.wire.roundTrips, wireBytes: acct.wire.bytes,
    },
    ledgerRows: server.db ? (server.db.prepare("SELECT (SELECT COUNT(*) FROM op_ledger) + (SELECT COUNT(*) FROM writer_hwm)").pluck().get() as number) : 0,
    converged: quiet && !checker.violations.some((v) => v.invariant === "C1"),
    convergenceMs,
    violations: checker.violations,
    unexpected: [...new Set(checker.violations.map((v) => v.invariant))].filter((i) => !declared.has(i)).sort(),
    coverage: acct.coverage.data,
    ...(w.options.keepTrace ? { trace: acct.trace } : {}),
  };
}
