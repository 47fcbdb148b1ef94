// One shared session: the user who works in it, the client that shares it (with its own outbox
// disk), its share on the server, and the checker that judges that share. A world holds one or
// several, all against the same server, so a bug that confuses two shares can show.
import type { FlushEvent } from "../../src/client/flusher.js";
import type { LegacyEvent } from "../../src/legacy/share-next.js";
import type { ShareInfo } from "../../src/protocol/api.js";
import type { SimRng } from "./rng.js";
import type { VirtualClock } from "./clock.js";
import type { BatchWire } from "../net/batch-wire.js";
import type { SocketWire } from "../net/socket-wire.js";
import type { Action } from "./workload.js";
import type { Design, Scenario } from "./scenario.js";
import type { PlantHooks } from "../plants/hooks.js";
import { Checker } from "../check/checker.js";
import type { ViolationLog } from "../check/violations.js";
import type { Accounting } from "./accounting.js";
import type { FaultInjector } from "./fault-injector.js";
import type { Lifecycle } from "./lifecycle.js";
import { ClientNode, SimConnector, type ServerNode } from "./nodes.js";
import { crashingDatabase } from "./crashing-db.js";
import { countWrite } from "./write-count.js";
import { User } from "./user.js";
import { SessionApp } from "./session-app.js";
import { Reinstaller } from "./reinstaller.js";

/** One writer of a session's share: a client (own disk, own writer id) and the user working through it. */
export interface Writer { client: ClientNode; user: User; session: Session }

/**
 * `checker` judges the current share; a reshare replaces it (and the share). `client` and `user`
 * are the first writer's; `writers` lists every writer of the share, the first one first.
 */
export interface Session { id: string; client: ClientNode; user: User; checker: Checker; writers: Writer[] }

/** Every share's checker by share id, so server events and acks reach the checker of their share. */
export type CheckerRegistry = Map<string, Checker>;

export interface SessionParts {
  scenario: Scenario;
  design: Design;
  clock: VirtualClock;
  acct: Accounting;
  injector: FaultInjector;
  server: ServerNode;
  batchWire: BatchWire;
  socketWire: SocketWire;
  hooks: PlantHooks;
  log: ViolationLog;
  lifecycle: () => Lifecycle;
  checkers: CheckerRegistry;
  /** The workload's causalDeps as this run drew it: off, the app's ops carry no depends_on. */
  causalDeps: boolean;
}

/** Session k: the first keeps the names a one-session world always had ("client", "ses_1"). */
export function sessionNames(k: number): { node: string; session: string; stream: string; workload: string } {
  return k === 0
    ? { node: "client", session: "ses_1", stream: "client", workload: "workload" }
    : { node: `client${k + 1}`, session: `ses_${k + 1}`, stream: `client-${k + 1}`, workload: `workload-${k + 1}` };
}

/** What one writer of a session does, and where (see writer-workload.ts). */
export interface WriterPlan { names: { node: string; stream: string }; actions: readonly Action[]; reinstalls: ReadonlySet<Action> }

export function buildSession(k: number, plans: readonly WriterPlan[], root: SimRng, p: SessionParts, onRevoke: (s: ShareInfo) => void): Session {
  const names = sessionNames(k);
  const layout = p.design === "legacy" && p.scenario.legacyServer === "rmw" ? "record" : "rows";
  const newChecker = () => new Checker(p.scenario.dedupe, p.log, k === 0 ? "" : names.session, layout);
  const first = buildClient(plans[0]!.names, root, p);
  const share = p.server.store.createShare(names.session);
  first.setCredentials(share);
  const session: Session = { id: names.session, client: first, user: undefined as unknown as User, checker: newChecker(), writers: [] };
  p.checkers.set(share.id, session.checker);
  const onReshare = (next: ShareInfo) => {
    session.checker = newChecker();
    if (first.db) session.checker.sharedAfresh(first.db);
    else first.disk.peek((db) => session.checker.sharedAfresh(db));
    p.checkers.set(next.id, session.checker);
  };
  plans.forEach((plan, w) => {
    const client = w === 0 ? first : buildClient(plan.names, root, p);
    if (w > 0) client.setCredentials(share);
    const writer: Writer = { client, user: undefined as unknown as User, session };
    const app = new SessionApp();
    const exit = writerExit(plan, writer, p);
    const setup = { onRevoke: w === 0 ? onRevoke : () => {}, onReshare, exit, sessionID: names.session, app };
    // The trace tells writers' users apart: "user" is the first writer's, "user-b" the second's.
    const suffix = plan.names.node.slice(first.name.length);
    const record = w === 0 ? p.acct.record : (actor: string, kind: string, detail: string) => p.acct.record(actor === "user" ? `user${suffix}` : actor, kind, detail);
    writer.user = new User(plan.actions, client, p.server, () => session.checker, record, setup, share, () => p.injector.asleepUntil);
    session.writers.push(writer);
  });
  session.user = session.writers[0]!.user;
  return session;
}

/** A client node of the session, started, its durable writes crash opportunities. */
function buildClient(names: { node: string; stream: string }, root: SimRng, p: SessionParts): ClientNode {
  const record = (kind: string, detail: string) => p.acct.record(names.node, kind, detail);
  const client: ClientNode = new ClientNode({
    name: names.node, design: p.design, clock: p.clock, rng: root.fork(names.stream), synchronous: p.scenario.storage.client,
    connector: () => new SimConnector(p.scenario.transport, p.batchWire, p.socketWire),
    flusher: p.hooks.flusherOptions ? p.hooks.flusherOptions({ ...p.scenario.client }) : { ...p.scenario.client },
    onFlush: (e) => onFlush(e, p.checkers.get(e.shareID), p.acct, record),
    onLegacy: (e: LegacyEvent) => record(e.kind === "send" ? "sync" : "error", e.kind === "send" ? `${e.items} items` : e.error),
    probe: p.injector.probeFor(names.node, p.lifecycle),
    hooks: p.hooks,
    causalDeps: p.causalDeps,
  });
  const onWrite = p.injector.afterWriteFor(names.node, p.lifecycle);
  client.wrap = (db) => crashingDatabase(db, (site) => { countWrite(client); onWrite(site); });
  client.start();
  return client;
}

/**
 * What the user's `exit` action does: a clean exit and a start again later; or, for an exit the
 * writer's plan marks as a reinstall, a wiped disk and a new writer (writers.ts).
 */
function writerExit(plan: WriterPlan, writer: Writer, p: SessionParts): (downForMs: number) => void {
  const node = writer.client.name;
  if (plan.reinstalls.size === 0) return (downForMs) => p.lifecycle().exitAndRestart(node, downForMs);
  const record = (kind: string, detail: string) => p.acct.record(node, kind, detail);
  const reinstaller = new Reinstaller(node, writer.client, p.lifecycle, p.clock.scoped(`reinstall-${node}`), record, () => writer.user.next);
  return (downForMs) => {
    // The user performs the action it just stepped past: is that one a reinstall?
    const action = writer.user.actions[writer.user.next - 1];
    if (action && plan.reinstalls.has(action)) reinstaller.begin(downForMs);
    else p.lifecycle().exitAndRestart(node, downForMs);
  };
}

/** An event of a share no checker judges (none: every share the world creates has one) is only recorded. */
function onFlush(e: FlushEvent, checker: Checker | undefined, acct: Accounting, record: (kind: string, detail: string) => void): void {
  if (e.kind === "send") {
    checker?.onSend(e.batchID, e.opIDs);
    record(e.resend ? "resend" : "send", `${e.batchID} [${e.opIDs.join(" ")}]`);
  } else if (e.kind === "ack") {
    acct.acks.duplicates += e.ack.duplicates.length;
    acct.acks.rejected += e.ack.rejected.length;
    checker?.onAck(e.ack, e.batchID);
    const reasons = [...new Set(e.ack.rejected.map((r) => r.reason))].join(",");
    record("ack", `${e.batchID} cursor=${e.ack.cursor} +${e.ack.applied.length} dup=${e.ack.duplicates.length} rej=${e.ack.rejected.length}${reasons ? ` (${reasons})` : ""}`);
  } else {
    record("error", `${e.batchID} ${e.error}`);
  }
}
