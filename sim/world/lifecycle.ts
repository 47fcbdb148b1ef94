// Node lifecycle: crash (two-phase: halt inside the node's own stack, finish at the step
// boundary), the disk keeping what was durable (a power loss only the last durable image), and
// the restart after some downtime, after which D1 holds the disk to what was acknowledged.
import type Database from "better-sqlite3";
import type { FaultGate } from "../net/fault-gate.js";
import type { FaultMix } from "../net/faults.js";
import type { SimRng } from "./rng.js";
import type { Clock } from "../../src/protocol/ports.js";
import type { Checker } from "../check/checker.js";
import type { SocketWire } from "../net/socket-wire.js";
import type { ClientNode, ServerNode } from "./nodes.js";
import type { ShareInfo } from "../../src/protocol/api.js";

/** "server", "client", or "client2", … in a world of several sessions. */
export type NodeName = string;
export const crashKind = (node: NodeName) => (node === "server" ? "crashServer" : "crashClient");

/**
 * A client and what judges its share now (a reshare replaces both the share and its checker).
 * `share`, for a writer that may be reinstalled: the credentials a wiped client is given when it
 * starts again, as the app would on its first launch.
 */
export interface Tenant { client: ClientNode; checker: () => Checker; shareID: () => string; share?: () => ShareInfo }

export interface LifecycleParts {
  tenants: readonly Tenant[];
  server: ServerNode;
  socketWire: SocketWire;
  gate: FaultGate;
  mix: FaultMix;
  rng: SimRng;
  clock: Clock;
  record: (actor: string, kind: string, detail: string) => void;
}

export class Lifecycle {
  /** Nodes halted during this step, to be finished at its boundary. */
  readonly halting: NodeName[] = [];
  /** A long outage sets how long a node stays down instead of the scenario's usual downtime. */
  private readonly downFor = new Map<NodeName, number>();

  constructor(private readonly p: LifecycleParts) {}

  /** Every node, the clients first. */
  get nodes(): NodeName[] { return [...this.p.tenants.map((t) => t.client.name), "server"]; }

  isUp(node: NodeName): boolean {
    return node === "server" ? this.p.server.isUp() : this.tenant(node).client.isUp();
  }

  private tenant(node: NodeName): Tenant {
    return this.p.tenants.find((t) => t.client.name === node)!;
  }

  halt(node: NodeName, downtimeMs?: number): void {
    if (downtimeMs !== undefined) this.downFor.set(node, downtimeMs);
    if (node !== "server") this.tenant(node).client.halt();
    else {
      this.p.server.halt();
      this.p.socketWire.severAll("server crashed");
    }
    this.halting.push(node);
  }

  /** The disk keeps what was durable; the node restarts from it after some downtime. */
  finishCrashes(): void {
    const { gate, mix, rng, clock, record } = this.p;
    for (const node of this.halting.splice(0)) {
      const powerLoss = gate.roll("powerLoss", mix.powerLoss, node);
      const lost = node === "server" ? this.p.server.finish(powerLoss) : this.tenant(node).client.finish(powerLoss);
      if (powerLoss) record(node, "power-loss", lost ? "commits since the last durable point are gone" : "synchronous=full: nothing lost");
      const down = this.downFor.get(node) ?? mix.downtime.min + rng.int(Math.max(0, mix.downtime.max - mix.downtime.min) + 1);
      this.downFor.delete(node);
      clock.setTimer(down, () => this.restart(node, lost));
    }
  }

  /**
   * A clean exit of a client, and its start `downForMs` later from a disk that kept everything. The
   * restart timer is the world's, not the node's: the node's own timers went with it.
   */
  exitAndRestart(node: NodeName, downForMs: number): void {
    this.p.record(node, "exit", `clean, back in ${downForMs} ms`);
    if (!this.tenant(node).client.exitCleanly()) return; // crashed while closing: finishCrashes restarts it
    this.p.clock.setTimer(downForMs, () => this.restart(node, false));
  }

  /**
   * A reinstall of a client: it exits cleanly, its disk is wiped, and it starts `downForMs` later
   * from an empty disk, as a new writer. False when a crash cut the exit short (the crash path
   * restarts it from its disk; the caller tries again later).
   */
  reinstall(node: NodeName, downForMs: number): boolean {
    const { client, checker } = this.tenant(node);
    this.p.record(node, "reinstall", `disk wiped, back as a new writer in ${downForMs} ms`);
    if (!client.exitCleanly()) return false;
    client.disk.wipe();
    checker().writerReinstalled(node);
    this.p.clock.setTimer(downForMs, () => this.restart(node, false));
    return true;
  }

  private restart(node: NodeName, fromOlderImage: boolean): void {
    if (node === "server") {
      this.p.server.start();
      for (const shared of this.byShare()) this.serverRestartedFor(shared);
    } else {
      const { client, checker } = this.tenant(node);
      client.start();
      checker().afterClientRestart(client.db!, node);
    }
    this.p.record(node, "restart", fromOlderImage ? "from an older image" : "");
    if (node !== "server") this.recredit(this.tenant(node));
  }

  /** A client whose disk holds no credentials (a reinstall wiped them) is given the share's. */
  private recredit({ client, share }: Tenant): void {
    if (share && client.outbox && !client.outbox.credentials()) client.setCredentials(share());
  }

  /** The tenants grouped by the checker of their share (several writers share one), in order. */
  private byShare(): Tenant[][] {
    const groups = new Map<Checker, Tenant[]>();
    for (const t of this.p.tenants) {
      const c = t.checker();
      const group = groups.get(c);
      if (group) group.push(t);
      else groups.set(c, [t]);
    }
    return [...groups.values()];
  }

  /** D1 for one share: what its clients hold as acked counts even while they are down (read their disks). */
  private serverRestartedFor(tenants: readonly Tenant[]): void {
    const { checker, shareID } = tenants[0]!;
    const clients = tenants.filter((t) => !t.client.isLegacy()).map((t) => t.client);
    withDisks(clients, (dbs) => checker().afterServerRestart(this.p.server.db!, shareID(), dbs));
  }

}

/** Runs `read` with each client's database: its live one when up, else a copy of its disk. */
function withDisks(clients: readonly ClientNode[], read: (dbs: Database.Database[]) => void, dbs: Database.Database[] = []): void {
  const [next, ...rest] = clients;
  if (!next) return read(dbs);
  if (next.db) withDisks(rest, read, [...dbs, next.db]);
  else next.disk.peek((db) => withDisks(rest, read, [...dbs, db]));
}
