// The cloudsession model's storage as the world runs it: every read and write of a record takes
// virtual time, and completes only when the run loop picks its timer among the ready events. So the
// order in which two overlapping syncs read and write is the seeded scheduler's choice (or an
// explorer's), not the order of microtasks: read A, read B, write A, write B is one of the orders.
import type { Clock } from "../../src/protocol/ports.js";
import type { RecordStorage } from "../../src/legacy/record-storage.js";

/** A storage call waiting for its time, with what it carries (exploration's state key reads these). */
export interface StorageCall { kind: "get" | "put"; shareID: string; record?: string }

export class ScheduledStorage implements RecordStorage {
  /** Calls not yet done, oldest first: a timer's closure is opaque, so the data lives here. */
  readonly pending: StorageCall[] = [];

  constructor(
    private readonly inner: RecordStorage,
    /** The node's clock: a crash drops its timers, and with them the calls in flight. */
    private readonly clock: Clock,
    /** Virtual ms one call takes. */
    private readonly latency: (kind: StorageCall["kind"]) => number,
    private readonly record: (kind: string, detail: string) => void,
  ) {}

  get(shareID: string): Promise<string | undefined> {
    return this.schedule({ kind: "get", shareID }, () => {
      const read = this.inner.get(shareID);
      void read.then((text) => this.record("storage-get", `${shareID} ${describeRecord(text)}`));
      return read;
    });
  }

  put(shareID: string, record: string): Promise<void> {
    return this.schedule({ kind: "put", shareID, record }, () => {
      this.record("storage-put", `${shareID} ${describeRecord(record)}`);
      return this.inner.put(shareID, record);
    });
  }

  /**
   * The call runs when its timer fires. A crash the world injects right after a write throws out
   * of `run` into the run loop; the caller is never answered (its node is gone).
   */
  private schedule<T>(call: StorageCall, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve) => {
      this.pending.push(call);
      this.clock.setTimer(this.latency(call.kind), () => {
        this.pending.splice(this.pending.indexOf(call), 1);
        resolve(run());
      });
    });
  }
}

/** For the trace: which version of the record a call saw or wrote. */
function describeRecord(text: string | undefined): string {
  if (text === undefined) return "(none)";
  try {
    const count = (JSON.parse(text) as { metadata?: { syncCount?: unknown } }).metadata?.syncCount;
    return `syncCount=${String(count)}`;
  } catch {
    return "(unreadable)";
  }
}
