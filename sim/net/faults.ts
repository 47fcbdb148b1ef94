// The fault model is data: a scenario (or swarm sampling) produces a FaultMix and the network,
// the nodes and the scheduler read it. Nothing else decides to inject a fault.
import { z } from "zod";
import type { SimRng } from "../world/rng.js";

const P = z.number().min(0).max(1);

/** Per frame sent on a live socket session, the chance of each frame-level fault. */
export const FrameFaults = z.object({
  /** The frame vanishes; the connection stays up and later frames still arrive. */
  drop: P.default(0),
  /** The frame arrives twice, the copy right after the original. */
  duplicate: P.default(0),
  /** The frame is held back so that frames sent after it on the same direction overtake it. */
  reorder: P.default(0),
}).strict();
export type FrameFaults = z.infer<typeof FrameFaults>;

export const FaultMix = z.object({
  /** Base one-way latency; not a fault, just the network's speed. */
  latency: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }).strict().default({ min: 1, max: 5 }),
  /** batch: the request is lost. socket: the connection stalls (frames vanish until severed). */
  drop: P.default(0),
  /** batch: the response is lost after the server applied the request. socket: the return path stalls. */
  dropResponse: P.default(0),
  /** batch: a retrying proxy replays the whole request on a second server session. */
  duplicate: P.default(0),
  /** batch: the exchange is held back long enough for a later one to overtake it. */
  reorder: P.default(0),
  /** Extra delay (FIFO kept within a socket). */
  delay: z.object({ p: P, max: z.number().int().nonnegative() }).strict().default({ p: 0, max: 0 }),
  /** socket: the connection is reset; both ends' receive() rejects. */
  sever: P.default(0),
  /** Per scheduler step, the chance that a node crashes (it restarts later from its database). */
  crash: z.object({ client: P, server: P }).strict().default({ client: 0, server: 0 }),
  /** Virtual ms a crashed node stays down. */
  downtime: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }).strict().default({ min: 50, max: 500 }),
  /** At each named probe point (enqueue, send, apply, ack, ...), the chance the node crashes there. */
  crashAtProbe: P.default(0),
  /** At each durable write (a statement outside a transaction, a commit), the chance the node crashes right after it. */
  crashAtWrite: P.default(0),
  /** The chance that a crash is a power loss: commits after the node's last durable point are lost. */
  powerLoss: P.default(0),
  /**
   * Per step, the chance of a long outage (minutes to hours of virtual time): the server down, the
   * network gone, or the laptop asleep (the client's timers frozen, its connections dead).
   */
  outage: z.object({ p: P, minMs: z.number().int().nonnegative(), maxMs: z.number().int().nonnegative() }).strict().default({ p: 0, minMs: 60_000, maxMs: 3_600_000 }),
  /** Per step, the chance the client and server are partitioned for up to `len` virtual ms. */
  partition: z.object({ p: P, len: z.number().int().nonnegative() }).strict().default({ p: 0, len: 0 }),
  /**
   * The adversarial wire mode (socket only, opt-in): single frames inside a live session are
   * dropped, duplicated or overtaken, as a broken proxy does, which capnweb does not promise to
   * survive (sim/net/frame-adversary.ts). Absent (the default) it is off, and swarm never turns
   * it on; a run's mix then reads as it always did, so no other scenario's trace moves.
   */
  frames: FrameFaults.optional(),
}).strict();

export type FaultMix = z.infer<typeof FaultMix>;

/**
 * TigerBeetle-style swarm, within the scenario's fault space: each fault kind the scenario enables
 * is switched on or off per seed, and an enabled one gets a rate drawn up to the scenario's own.
 * Kinds the scenario leaves at 0 stay off, so `crashes`, `lossy` and `power-loss` stay different
 * worlds under swarm; power loss is sampled like every other kind.
 */
export function sampleSwarm(rng: SimRng, base: FaultMix): FaultMix {
  const upTo = (max: number) => (max > 0 && rng.chance(0.5) ? Number((rng.next() * max).toFixed(4)) : 0);
  return FaultMix.parse({
    latency: base.latency,
    drop: upTo(base.drop),
    dropResponse: upTo(base.dropResponse),
    duplicate: upTo(base.duplicate),
    reorder: upTo(base.reorder),
    delay: { p: upTo(base.delay.p), max: base.delay.max },
    sever: upTo(base.sever),
    crash: { client: upTo(base.crash.client), server: upTo(base.crash.server) },
    crashAtProbe: upTo(base.crashAtProbe),
    crashAtWrite: upTo(base.crashAtWrite),
    powerLoss: upTo(base.powerLoss),
    downtime: base.downtime,
    partition: { p: upTo(base.partition.p), len: base.partition.len },
    outage: { p: upTo(base.outage.p), minMs: base.outage.minMs, maxMs: base.outage.maxMs },
    // Drawn last and only in the adversarial mode, so every other scenario's swarm draws stay put.
    ...(base.frames ? { frames: { drop: upTo(base.frames.drop), duplicate: upTo(base.frames.duplicate), reorder: upTo(base.frames.reorder) } } : {}),
  });
}

export interface FaultCounts {
  dropped: number;
  duplicated: number;
  reordered: number;
  delayed: number;
  severed: number;
  partitions: number;
  powerLosses: number;
  outages: number;
  crashes: { client: number; server: number };
  /** The adversarial wire mode's frame faults (sim/net/frame-adversary.ts). */
  frames: { dropped: number; duplicated: number; reordered: number };
}

export function emptyFaultCounts(): FaultCounts {
  return { dropped: 0, duplicated: 0, reordered: 0, delayed: 0, severed: 0, partitions: 0, powerLosses: 0, outages: 0, crashes: { client: 0, server: 0 }, frames: { dropped: 0, duplicated: 0, reordered: 0 } };
}

/** The frame faults of the adversarial mode as a clause for a summary line ("" when there were none). */
export function describeFrameFaults(c: FaultCounts): string {
  const f = c.frames;
  if (!f || f.dropped + f.duplicated + f.reordered === 0) return "";
  return `; frames ${f.dropped} dropped, ${f.duplicated} duplicated, ${f.reordered} reordered`;
}
