// A model of today's ShareNext sync path, kept as the baseline the outbox must beat. Its defects
// are reproduced on purpose: an in-memory queue with a 1 s debounce, a coalescing key that never
// matches (`"id" in item` is false for {type, data}), the queue deleted before the send, no retry.
import type { SyncItem } from "../protocol/items.js";
import type { ShareInfo } from "../protocol/api.js";
import type { Clock, Rng, TimerHandle } from "../protocol/ports.js";
import type { Connector } from "../client/connector.js";
import { withTimeout } from "../client/timeout.js";
import type { Probe } from "../protocol/probe.js";

export const LEGACY_DEBOUNCE_MS = 1_000;

export type LegacyEvent =
  | { kind: "send"; items: number }
  | { kind: "error"; error: string };

export class ShareNextClient {
  private queue = new Map<string, SyncItem>();
  private timer: TimerHandle | undefined;
  private share: ShareInfo | undefined;
  private stopped = false;

  constructor(
    private readonly connector: Connector,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly timeoutMs: number,
    private readonly onEvent?: (e: LegacyEvent) => void,
    private readonly probe?: Probe,
  ) {}

  setCredentials(share: ShareInfo): void {
    this.share = share;
  }

  sync(item: SyncItem): void {
    const key = "id" in item ? String((item as { id: unknown }).id) : this.rng.id("ulid-");
    this.queue.set(key, item);
    if (this.timer) return;
    this.timer = this.clock.setTimer(LEGACY_DEBOUNCE_MS, () => {
      this.flush().catch((e: unknown) => {
        if (!this.stopped) throw e; // a simulated crash unwinds through here
      });
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
  }

  /**
   * opencode's dispose (the app exits, or its instance is re-initialised): the sync state goes with
   * the instance, and with it every item still waiting out the debounce. Nothing is flushed first
   * and nothing is written down, so the next start begins with an empty queue.
   */
  dispose(): void {
    this.stop();
    this.queue.clear();
  }

  pendingCount(): number {
    return this.queue.size;
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const share = this.share;
    if (!share || this.stopped) return;
    const items = [...this.queue.values()];
    this.queue.clear(); // deleted before the send: a failure below loses these items
    this.probe?.("legacy.queue.cleared");
    this.onEvent?.({ kind: "send", items: items.length });
    try {
      await withTimeout(this.connector.main().syncShare(share.id, share.secret, items), this.timeoutMs, this.clock);
    } catch (e) {
      if (this.stopped) return;
      this.connector.abort(e);
      this.onEvent?.({ kind: "error", error: e instanceof Error ? e.message : String(e) });
    }
  }
}
