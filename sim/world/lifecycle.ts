// Node lifecycle: crash (two-phase: halt inside the node's own stack, finish at the step
// boundary), the disk keeping what was durable (a power loss only the last durable image), and
// the restart after some downtime, after which D1 holds the disk to what was acknowledged.
import type Database from "better-sqlite3";
import type { FaultGate } from "../fault-gate.js";
import type { FaultMix } from "../faults.js";
import type { SimRng } from "../rng.js";
import type { Clock } from "../../src/protocol/ports.js";
import type { Checker } from "../check/checker.js";
import type { SocketWire } from "../transport.js";
import type { ClientNode, ServerNode } from "./nodes.js";

export type NodeName = "client" | "server";
export const crashKind = (node: NodeName) => (node === "client" ? "crashClient" : "crashServer");

export interface LifecycleParts {
  client: ClientNode;
  server: ServerNode;
  socketWire: SocketWire;
  gate: FaultGate;
  mix: FaultMix;
  rng: SimRng;
  clock: Clock;
  checker: Checker;
  shareID: () => string;
  record: (actor: string, kind: string, detail: string) => void;
}

export class Lifecycle {
  /** Nodes halted during this step, to be finished at its boundary. */
  readonly halting: NodeName[] = [];
  /** A long outage sets how long a node stays down instead of the scenario's usual downtime. */
  private readonly downFor = new Map<NodeName, number>();

  constructor(private readonly p: LifecycleParts) {}

  isUp(node: NodeName): boolean {
    return node === "client" ? this.p.client.isUp() : this.p.server.isUp();
  }

  halt(node: NodeName, downtimeMs?: number): void {
    if (downtimeMs !== undefined) this.downFor.set(node, downtimeMs);
    if (node === "client") this.p.client.halt();
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
      const lost = node === "client" ? this.p.client.finish(powerLoss) : this.p.server.finish(powerLoss);
      if (powerLoss) record(node, "power-loss", lost ? "commits since the last durable point are gone" : "synchronous=full: nothing lost");
      const down = this.downFor.get(node) ?? mix.downtime.min + rng.int(Math.max(0, mix.downtime.max - mix.downtime.min) + 1);
      this.downFor.delete(node);
      clock.setTimer(down, () => this.restart(node, lost));
    }
  }

  private restart(node: NodeName, fromOlderImage: boolean): void {
    if (node === "client") {
      this.p.client.start();
      this.p.checker.afterClientRestart(this.p.client.db!);
    } else {
      this.p.server.start();
      const { client } = this.p;
      const restarted = (clientDb: Database.Database | undefined) => this.p.checker.afterServerRestart(this.p.server.db!, this.p.shareID(), clientDb);
      // What the client holds as acked counts even while it is down: read its disk.
      if (client.isLegacy()) restarted(undefined);
      else if (client.db) restarted(client.db);
      else client.disk.peek(restarted);
    }
    this.p.record(node, "restart", fromOlderImage ? "from an older image" : "");
  }
}
