// The fault model is data: a scenario (or swarm sampling) produces a FaultMix and the network,
// the nodes and the scheduler read it. Nothing else decides to inject a fault.
import { z } from "zod";
import type { SimRng } from "./rng.js";

const P = z.number().min(0).max(1);

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
  /** The chance that a crash is a power loss: commits after the node's last durable point are lost. */
  powerLoss: P.default(0),
  /** Per step, the chance the client and server are partitioned for up to `len` virtual ms. */
  partition: z.object({ p: P, len: z.number().int().nonnegative() }).strict().default({ p: 0, len: 0 }),
}).strict();

export type FaultMix = z.infer<typeof FaultMix>;

export const NO_FAULTS: FaultMix = FaultMix.parse({});

/** TigerBeetle-style swarm: each fault switched on or off per seed, with a random rate. */
export function sampleSwarm(rng: SimRng, base: FaultMix): FaultMix {
  const on = (max: number) => (rng.chance(0.5) ? Number((rng.next() * max).toFixed(3)) : 0);
  return FaultMix.parse({
    latency: base.latency,
    drop: on(0.3),
    dropResponse: on(0.3),
    duplicate: on(0.3),
    reorder: on(0.2),
    delay: { p: on(0.5), max: 400 },
    sever: on(0.1),
    crash: { client: on(0.02), server: on(0.02) },
    crashAtProbe: on(0.05),
    powerLoss: 0,
    downtime: base.downtime,
    partition: { p: on(0.01), len: 1_000 },
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
  crashes: { client: number; server: number };
}

export function emptyFaultCounts(): FaultCounts {
  return { dropped: 0, duplicated: 0, reordered: 0, delayed: 0, severed: 0, partitions: 0, powerLosses: 0, crashes: { client: 0, server: 0 } };
}
