// Named points where a node can crash. Production passes no probe; the sim passes one that may
// crash the node right there, to test every durability boundary.
export const PROBE_POINTS = [
  "client.enqueue.committed",
  "client.batch.reserved",
  "client.send.issued",
  "client.ack.rows-marked",
  "client.ack.committed",
  "client.failure.recorded",
  "server.apply.in-txn",
  "server.apply.committed",
  "server.sync.committed",
  "legacy.queue.cleared",
] as const;
export type ProbePoint = (typeof PROBE_POINTS)[number];

/** Called at a probe point; it may throw NodeCrashed to unwind the node's stack. */
export type Probe = (point: ProbePoint) => void;

/**
 * The node died at a probe point (or, in the simulator, right after a durable write it watched):
 * nothing after it runs, an open transaction rolls back.
 */
export class NodeCrashed extends Error {
  constructor(readonly point: ProbePoint | `after ${string}`) {
    super(`node crashed at ${point}`);
    this.name = "NodeCrashed";
  }
}

/** The durability boundaries every campaign must crash at (test/coverage). */
export const DURABILITY_BOUNDARIES: Record<string, ProbePoint> = {
  enqueue: "client.enqueue.committed",
  send: "client.send.issued",
  apply: "server.apply.committed",
  ack: "client.ack.committed",
  watermark: "client.ack.rows-marked",
};
