// The checks. Safety (S*) is checked as events happen and after every step; convergence (C*) and
// liveness (L1) once the world is quiet. Each protects one promise of the design.
import type { ServerEvent } from "../src/server/share-store.js";
import type { ShareRow } from "../src/protocol/api.js";
import type { SyncItem } from "../src/protocol/items.js";
import { foldItems } from "../src/protocol/fold.js";
import { lastUserChoice } from "./workload.js";
import { VIEWER_WRITER } from "./viewer.js";

export const INVARIANTS = {
  S1: "no double-apply: every op has at most one effect, and no session_diff is stored twice",
  S2: "cursor monotonic: the server cursor and the client watermark never decrease, and watermark ≤ cursor",
  S3: "dependency order: no op is applied before the ops it depends on",
  S4: "authority: nothing is applied under a stale capability epoch or through a read-only capability",
  S5: "atomicity: acked rows, ledger entries and the cursor move together, never half",
  D1: "durability: nothing acknowledged (an enqueue to the user, an ack to the client) is lost by a crash or power loss",
  C1: "convergence: once faults stop, the share equals the fold of every op the user made; nothing pending, nothing lost",
  C2: "agent/model: the share's last user message carries the agent and model the user chose",
  L1: "liveness: the world converges within a bounded virtual time after the last fault",
} as const;
export type InvariantId = keyof typeof INVARIANTS;

export interface Violation { invariant: InvariantId; step: number; message: string }

const MAX_VIOLATIONS = 50;

export class Checker {
  readonly violations: Violation[] = [];
  readonly appliedCount = new Map<string, number>();
  applied = 0;
  synced = 0;
  private epoch = 0;
  private lastCursor = 0;
  private lastWatermark = 0;
  /** The cursor each applied op got, to tell which applies a power loss took back. */
  private readonly appliedAt = new Map<string, number>();
  step = 0;

  private readonly seen = new Set<string>();

  /** Records a violation once (a broken state seen at every later step is one finding). */
  fail(invariant: InvariantId, message: string): void {
    const key = `${invariant}|${message}`;
    if (this.seen.has(key) || this.violations.length >= MAX_VIOLATIONS) return;
    this.seen.add(key);
    this.violations.push({ invariant, step: this.step, message });
  }

  /** Server-side effects, as they commit. */
  onServerEvent = (e: ServerEvent): void => {
    if (e.kind === "revoked") {
      this.epoch = e.epoch;
      return;
    }
    if (e.kind === "synced") {
      this.synced += 1;
      return;
    }
    this.applied += 1;
    this.appliedAt.set(e.op.op_id, e.cursor);
    const n = (this.appliedCount.get(e.op.op_id) ?? 0) + 1;
    this.appliedCount.set(e.op.op_id, n);
    if (n > 1) this.fail("S1", `op ${e.op.op_id} applied ${n} times`);
    for (const dep of e.op.depends_on) {
      if (!this.appliedCount.has(dep)) this.fail("S3", `op ${e.op.op_id} applied before its dependency ${dep}`);
    }
    if (e.op.writer_id === VIEWER_WRITER) {
      this.fail("S4", `op ${e.op.op_id} from a read-only viewer was applied`);
    }
    if (e.op.capability_epoch !== this.epoch) {
      this.fail("S4", `op ${e.op.op_id} applied under epoch ${e.op.capability_epoch}, share is at ${this.epoch}`);
    }
  };

  /**
   * The server came back from a power loss with an older image: applies after `cursor` are gone.
   * Losing one the client was told about is a durability violation; the rest will be resent.
   */
  onServerRollback(cursor: number, ackedByClient: ReadonlySet<string>, synchronous: string): void {
    const lost = [...this.appliedAt].filter(([, c]) => c > cursor).map(([op]) => op);
    const lostAcked = lost.filter((op) => ackedByClient.has(op));
    if (lostAcked.length > 0) {
      this.fail("D1", `server power loss (synchronous=${synchronous}) lost ${lostAcked.length} acked op(s): ${lostAcked.slice(0, 5).join(", ")}`);
    }
    for (const op of lost) {
      this.appliedAt.delete(op);
      this.appliedCount.delete(op);
    }
    this.applied = cursor;
    this.lastCursor = cursor;
  }

  /** The client came back from a power loss: enqueues the user saw succeed may be gone. */
  onClientRollback(missing: string[], synchronous: string, watermark: number): void {
    if (missing.length > 0) {
      this.fail("D1", `client power loss (synchronous=${synchronous}) lost ${missing.length} enqueued op(s): ${missing.slice(0, 5).join(", ")}`);
    }
    this.lastWatermark = watermark;
  }

  /** After every step: cursors only move forward; acked rows never outrun the watermark. */
  checkStep(server: { cursor: number } | undefined, client: { watermark: number; lastAcked: string | null } | undefined): void {
    if (server) {
      if (server.cursor < this.lastCursor) this.fail("S2", `server cursor went back ${this.lastCursor} → ${server.cursor}`);
      this.lastCursor = Math.max(this.lastCursor, server.cursor);
      if (server.cursor !== this.applied) this.fail("S5", `server cursor ${server.cursor} ≠ ${this.applied} committed applies`);
    }
    if (client) {
      if (client.watermark < this.lastWatermark) this.fail("S2", `client watermark went back ${this.lastWatermark} → ${client.watermark}`);
      this.lastWatermark = Math.max(this.lastWatermark, client.watermark);
      if (client.watermark > this.lastCursor) this.fail("S2", `client watermark ${client.watermark} > server cursor ${this.lastCursor}`);
      // An ack carries a cursor at least as high as the one each of its ops was applied at, and marks
      // the rows and advances the watermark together: so an acked op is never above the watermark.
      const appliedAt = client.lastAcked === null ? undefined : this.appliedAt.get(client.lastAcked);
      if (appliedAt !== undefined && client.watermark < appliedAt) {
        this.fail("S5", `op ${client.lastAcked} is acked (applied at cursor ${appliedAt}) but the watermark is ${client.watermark}`);
      }
    }
  }

  /** Once quiet: the share must be exactly the fold of what the user did. Returns lost-op count. */
  checkFinal(snapshot: ShareRow[], items: SyncItem[], outbox: { pending: number; in_flight: number; failed: number } | undefined): number {
    const expected = foldItems(items);
    const actual = new Map<string, string[]>();
    for (const r of snapshot) actual.set(r.key, [...(actual.get(r.key) ?? []), r.value]);
    let lost = 0;
    for (const row of expected) {
      const got = actual.get(row.key);
      if (!got) {
        lost += 1;
        this.fail("C1", `lost: ${row.key} never reached the share`);
      } else if (got[got.length - 1] !== row.value) {
        lost += 1;
        this.fail("C1", `stale: ${row.key} holds an older value than the client's last write`);
      }
    }
    const expectedKeys = new Set(expected.map((r) => r.key));
    for (const [key, values] of actual) {
      if (values.length > 1) this.fail("S1", `${key} stored ${values.length} times (duplicated diff)`);
      if (!expectedKeys.has(key)) this.fail("C1", `unexpected row ${key}`);
    }
    if (outbox && outbox.pending + outbox.in_flight + outbox.failed > 0) {
      this.fail("C1", `outbox not drained: ${outbox.pending} pending, ${outbox.in_flight} in flight, ${outbox.failed} failed`);
    }
    this.checkAgentModel(snapshot, items);
    return lost;
  }

  private checkAgentModel(snapshot: ShareRow[], items: SyncItem[]): void {
    const want = lastUserChoice(items);
    if (!want) return;
    const users = snapshot
      .filter((r) => r.key.startsWith("message:"))
      .map((r) => JSON.parse(r.value) as { id: string; role: string; agent?: string; model?: string })
      .filter((m) => m.role === "user")
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const last = users[users.length - 1];
    if (!last || last.agent !== want.agent || last.model !== want.model) {
      this.fail("C2", `last user message shows ${last?.agent}/${last?.model}, user chose ${want.agent}/${want.model}`);
    }
  }
}
