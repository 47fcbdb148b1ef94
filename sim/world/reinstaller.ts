// A reinstalled client: a writer whose disk is wiped and that starts again as a new writer (a fresh
// outbox mints a new writer id, numbering from 1) on the same share, as opencode reinstalled on a
// laptop would. The writer's plan marks which of its `exit` actions are reinstalls (writers.ts).
import type { Clock } from "../../src/protocol/ports.js";
import type { ClientNode } from "./nodes.js";
import type { Lifecycle } from "./lifecycle.js";

/** How often a reinstall that waits for the outbox to drain looks again (virtual ms). */
export const REINSTALL_POLL_MS = 50;

/**
 * Reinstalls one writer when its `exit` action says so. Uninstalling throws away what the outbox
 * still holds, which no product can save, so the reinstall waits until nothing is pending or in
 * flight (looking again every REINSTALL_POLL_MS). It does not happen (and says so in the trace)
 * when the writer holds a failed row (never drained: C1 reports the row), or when the writer went
 * on to its next action before the outbox drained (a wipe then would cut into its next turn). A
 * crash while closing leaves the node to the crash path's restart, and the reinstall tries again.
 */
export class Reinstaller {
  constructor(
    private readonly node: string,
    private readonly client: ClientNode,
    private readonly lifecycle: () => Lifecycle,
    private readonly clock: Clock,
    private readonly record: (kind: string, detail: string) => void,
    /** How many actions the writer's user has taken: the reinstall is due while it takes no other. */
    private readonly actionsTaken: () => number,
  ) {}

  begin(downForMs: number): void {
    const taken = this.actionsTaken();
    this.attempt(downForMs, () => this.actionsTaken() === taken);
  }

  private attempt(downForMs: number, idle: () => boolean): void {
    const counts = this.client.outbox?.counts();
    if (counts && counts.failed > 0) return this.record("reinstall", `skipped: ${counts.failed} failed row(s) would be thrown away`);
    if (!idle()) return this.record("reinstall", "skipped: the writer went on before its outbox drained");
    const drained = this.client.isUp() && (!counts || counts.pending + counts.in_flight === 0);
    if (drained && this.lifecycle().reinstall(this.node, downForMs)) return;
    this.clock.setTimer(REINSTALL_POLL_MS, () => this.attempt(downForMs, idle));
  }
}
