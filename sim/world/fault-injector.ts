// Faults the world injects itself (the wire decides its own): a crash of either node between
// steps or at a named probe point inside the product, and partitions. All pass through the gate,
// and all stop at the fault horizon so the world can converge.
import { NodeCrashed, type Probe, type ProbePoint } from "../../src/protocol/probe.js";
import type { FaultGate } from "../fault-gate.js";
import type { FaultMix } from "../faults.js";
import type { SimRng } from "../rng.js";
import type { Coverage } from "../coverage.js";
import { crashKind, type Lifecycle, type NodeName } from "./lifecycle.js";

/** A crash right after a durable write the SQL wrapper saw (not one of the product's named probes). */
export class CrashedAfterWrite extends NodeCrashed {
  constructor(readonly site: string) {
    super("client.enqueue.committed");
    this.message = `node crashed after ${site}`;
  }
}

export class FaultInjector {
  partitionedUntil = -1;
  /** Nothing crashes while the world is being built. */
  armed = false;

  constructor(
    private readonly gate: FaultGate,
    private readonly mix: FaultMix,
    private readonly rng: SimRng,
    private readonly now: () => number,
    /** Faults stop after this virtual time. */
    readonly horizon: number,
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
      throw new CrashedAfterWrite(where);
    };
  }

  /** Before each step: crash a node, or cut the network for a while. */
  betweenSteps(lifecycle: Lifecycle): void {
    if (!this.on()) return;
    for (const node of ["client", "server"] as const) {
      if (lifecycle.isUp(node) && this.gate.roll(crashKind(node), this.mix.crash[node], `${node}@step`)) {
        this.record(node, "crash", "between steps");
        lifecycle.halt(node);
      }
    }
    const now = this.now();
    if (now >= this.partitionedUntil && this.gate.roll("partition", this.mix.partition.p, "client|server")) {
      this.partitionedUntil = now + 1 + this.rng.int(Math.max(1, this.mix.partition.len));
      this.record("net", "partition", `until ${this.partitionedUntil}`);
    }
  }
}
