// What the session model really sent: every enqueue it made through its sink, with the op_id and
// the dependencies it gave. The user learns these once its call returns (D1 holds the client to
// them; S3 checks the order they ask for), and forgets them if the call crashed (the transaction
// rolled back, or the answer was lost: nobody was told). `keepDeps: false` is the workload's
// causalDeps off: an app whose ops carry no depends_on, as opencode's stream of part updates.
import type { SyncItem } from "../../src/protocol/items.js";
import type { ShareSink } from "../../src/session/share-sink.js";

export interface SentOp { opID: string; item: SyncItem; dependsOn: string[] }

export class SentLog implements ShareSink {
  private sent: SentOp[] = [];

  constructor(private readonly inner: ShareSink, private readonly keepDeps: boolean) {}

  get db() { return this.inner.db; }

  enqueue(item: SyncItem, dependsOn: string[] = []): string {
    const deps = this.keepDeps ? dependsOn : [];
    const opID = this.inner.enqueue(item, deps);
    this.sent.push({ opID, item, dependsOn: deps });
    return opID;
  }

  queued(opID: string): boolean {
    return this.inner.queued(opID);
  }

  /** The ops sent since the last take. */
  take(): SentOp[] {
    const sent = this.sent;
    this.sent = [];
    return sent;
  }
}
