// Faults the world injects itself (the wire decides its own): a crash of either node between
// steps or at a named probe point inside the product, and partitions. All pass through the gate,
// and all stop at the fault horizon so the world can converge.
import { NodeCrashed, type Probe, type ProbePoint } from "../../src/protocol/probe.js";
import type { FaultGate } from "../net/fault-gate.js";
import type { FaultMix } from "../net/faults.js";
import type { SimRng } from "./rng.js";
import type { Coverage } from "../record/coverage.js";
import { crashKind, type Lifecycle, type NodeName } from "./lifecycle.js";

const OUTAGES = ["server-down", "network-gone", "laptop-asleep"] as const;

export class FaultInjector {
  partitionedUntil = -1;
  /** The client's process is suspended until then (a laptop asleep). */
  asleepUntil = -1;
  /** When the last fault that lasts (a partition, an outage) ends: convergence is measured from it. */
  faultsEndAt = 0;
  /** Nothing crashes while the world is being built. */
  armed = false;

  constructor(
    private readonly gate: FaultGate,
    private readonly mix: FaultMix,
    private readonly rng: SimRng,
    private readonly now: () => number,
    /** Faults stop after this virtual time. */
    readonly horizon: number,
    /** Freezes the clients' timers until a time (the laptop's processes are suspended). */
    private readonly suspendClients: (until: number) => void,
    private readonly coverage: Coverage,
    private readonly record: (actor: string, kind: string, detail: string) => void,
  ) {}

  on(): boolean { return this.armed && this.now() <= this.horizon; }
  partitioned(): boolean { return this.now() < this.partitionedUntil; }

  /** The probe a node's product code calls at its named points: it may crash the node right there. */
  probeFor(node: NodeName, lifecycle: () => Lifecycle): Probe {
    return (point: ProbePoint) => {
      this.coverage.hit(point);
      if (!this.on() || !this.gate.roll(crashKind(node), this.mix.crashAtProbe, `${node}@${point}`, point)) return;
      this.coverage.crashed(point);
      this.record(node, "crash", `at ${point}`);
      lifecycle().halt(node);
      throw new NodeCrashed(point);
    };
  }

  /** Called by the node's database wrapper after each durable write: it may crash the node there. */
  afterWriteFor(node: NodeName, lifecycle: () => Lifecycle): (site: string) => void {
    return (site: string) => {
      const where = `${node}.${site}`;
      this.coverage.event("write", where);
      if (!this.on() || !this.gate.roll(crashKind(node), this.mix.crashAtWrite, `${node} after ${site}`, where)) return;
      this.record(node, "crash", `after ${site}`);
      lifecycle().halt(node);
      throw new NodeCrashed(`after ${where}`);
    };
  }

  /** Before each step: crash a node, or cut the network for a while. */
  betweenSteps(lifecycle: Lifecycle): void {
    if (!this.on()) return;
    for (const node of lifecycle.nodes) {
      if (lifecycle.isUp(node) && this.gate.roll(crashKind(node), this.mix.crash[node === "server" ? "server" : "client"], `${node}@step`)) {
        this.record(node, "crash", "between steps");
        lifecycle.halt(node);
      }
    }
    const now = this.now();
    if (now >= this.partitionedUntil && this.gate.roll("partition", this.mix.partition.p, "client|server")) {
      this.partitionedUntil = now + 1 + this.rng.int(Math.max(1, this.mix.partition.len));
      this.faultsEndAt = Math.max(this.faultsEndAt, this.partitionedUntil);
      this.record("net", "partition", `until ${this.partitionedUntil}`);
    }
    if (this.gate.roll("outage", this.mix.outage.p, "world")) this.startOutage(lifecycle);
  }

  /** Minutes to hours without the server, the network or the laptop: backoff caps and recovery after. */
  private startOutage(lifecycle: Lifecycle): void {
    const { minMs, maxMs } = this.mix.outage;
    const lengthMs = minMs + this.rng.int(Math.max(0, maxMs - minMs) + 1);
    const kind = OUTAGES[this.rng.int(OUTAGES.length)]!;
    const until = this.now() + lengthMs;
    this.faultsEndAt = Math.max(this.faultsEndAt, until);
    this.record("world", "outage", `${kind} for ${lengthMs} ms`);
    if (kind === "server-down") {
      if (lifecycle.isUp("server")) lifecycle.halt("server", lengthMs);
      return;
    }
    this.partitionedUntil = Math.max(this.partitionedUntil, until);
    if (kind === "laptop-asleep") {
      this.asleepUntil = until;
      this.suspendClients(until);
    }
  }
}
