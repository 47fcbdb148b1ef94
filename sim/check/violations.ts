// The invariants, and the log their violations go into. A violation names its invariant and a
// kind (what exactly went wrong), so a shrinker can keep failing the same way.
export const INVARIANTS = {
  S1: "no double-apply: every op has at most one effect, and no item is stored twice",
  S2: "cursor monotonic: within a run of a node, the server cursor and the client watermark never decrease, and the watermark never exceeds a cursor the server has had",
  S3: "dependency order: no op is applied before the ops it depends on",
  S4: "authority: nothing takes effect through a stale capability or a read-only one, whoever holds it",
  S5: "atomicity: every acked row is covered by the watermark, and the ledger moves with the cursor",
  A1: "truthful acks: an op acked applied was applied, one acked duplicate was applied before with the same content",
  D1: "durability: nothing acknowledged (an enqueue to the user, an ack to the client) is lost by a crash or power loss",
  C1: "convergence: once faults stop, the share equals the reference model of what the user did; nothing pending",
  C2: "agent/model: the share's last user message carries the agent and model the user chose",
  H1: "history: the share is explained by one total order of applied ops, the server's cursor order, that respects every depends_on and each writer's own order where promised, holds every acked op once, and folds to exactly the share",
  T1: "turn lifecycle: the share holds no part without its message, no reply without its question, no tool call running in a finished turn; once a turn's outcome is sent, nothing of the turn changes",
  R1: "read-prefix: every read shows a consistent prefix: a reader's cursor never goes back, and the rows are the fold of exactly the ops at cursors 1..cursor",
  F1: "fail closed: every answer the client took for a batch's ack names exactly the ops it sent in that call; another call's answer is refused, never believed",
  L1: "liveness: the world converges within a bounded virtual time after the last fault",
} as const;
export type InvariantId = keyof typeof INVARIANTS;
export const INVARIANT_IDS = Object.keys(INVARIANTS) as [InvariantId, ...InvariantId[]];

export interface Violation { invariant: InvariantId; kind: string; step: number; message: string }

export type Report = (invariant: InvariantId, kind: string, message: string) => void;

const MAX_VIOLATIONS = 50;

export class ViolationLog {
  readonly violations: Violation[] = [];
  step = 0;
  private readonly seen = new Set<string>();

  /** Records a violation once (a broken state seen at every later step is one finding). */
  readonly report: Report = (invariant, kind, message) => {
    const key = `${invariant}|${message}`;
    if (this.seen.has(key) || this.violations.length >= MAX_VIOLATIONS) return;
    this.seen.add(key);
    this.violations.push({ invariant, kind, step: this.step, message });
  };
}
