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

/** "server", "client", or "client2", … in a world of several sessions. */
export type NodeName = string;
export const crashKind = (node: NodeName) => (node === "server" ? "crashServer" : "crashClient");

/** A client and what judges its share. */
/** A client and what judges its share now (a reshare replaces both the share and its checker). */
export interface Tenant { client: ClientNode; checker: () => Checker; shareID: () => string }

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

  private restart(node: NodeName, fromOlderImage: boolean): void {
    if (node === "server") {
      this.p.server.start();
      for (const t of this.p.tenants) this.serverRestartedFor(t);
    } else {
      const { client, checker } = this.tenant(node);
      client.start();
      checker().afterClientRestart(client.db!);
    }
    this.p.record(node, "restart", fromOlderImage ? "from an older image" : "");
  }

  /** D1 for one share: what its client holds as acked counts even while it is down (read its disk). */
  private serverRestartedFor({ client, checker, shareID }: Tenant): void {
    const restarted = (clientDb: Database.Database | undefined) => checker().afterServerRestart(this.p.server.db!, shareID(), clientDb);
    if (client.isLegacy()) restarted(undefined);
    else if (client.db) restarted(client.db);
    else client.disk.peek(restarted);
  }

}
