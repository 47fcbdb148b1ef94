// The user: performs the workload's actions at their virtual times (enqueue an item, revoke the
// share and hand the client new credentials, unshare and share afresh), and remembers what it was
// told (the op_id of every enqueue), which is what D1 holds the client to.
import type { ShareInfo } from "../../src/protocol/api.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { SturdyError } from "../../src/protocol/errors.js";
import type { Action } from "../workload.js";
import { stableJson } from "../model/stable-json.js";
import { modelKey } from "../model/reference.js";
import type { Checker } from "../check/checker.js";
import type { ClientNode, ServerNode } from "./nodes.js";

/** What the user does to the share itself, beside writing to it. */
export interface ShareActions {
  /** Revoke gave the share new credentials (same share). */
  onRevoke: (share: ShareInfo) => void;
  /** A reshare replaced the share: judge the new one from here on. */
  onReshare: (share: ShareInfo) => void;
  /** Whether a write depends on the previous write to its row (the workload's causalDeps). */
  causalDeps: boolean;
  sessionID: string;
}

export class User {
  /** What the current share must end up holding: every write since it was created. */
  items: SyncItem[] = [];
  /** Every enqueue the user made, over all shares. */
  enqueued = 0;
  private readonly opIDs: (string | undefined)[] = [];
  next = 0;
  /** A reshare's full sync still to write, one write a step (a crash in the middle resumes it after the restart). */
  private snapshot: { item: SyncItem; index: number }[] = [];
  private snapshotAt = 0;
  /** A reshare a crash interrupted: what of it is done, so the retry after the restart finishes it. */
  private resharing: { revokeTried: boolean; next?: ShareInfo } | undefined;

  constructor(
    readonly actions: readonly Action[],
    private readonly client: ClientNode,
    private readonly server: ServerNode,
    private readonly checkerOf: () => Checker,
    private readonly record: (actor: string, kind: string, detail: string) => void,
    private readonly shareActions: ShareActions,
    public share: ShareInfo,
    /** The user acts only while the laptop is awake: not before this time. */
    private readonly wakeAt: () => number,
  ) {}

  get lastActionAt(): number { return this.actions[this.actions.length - 1]?.at ?? 0; }
  nextActionAt(): number | undefined {
    const at = this.snapshot.length > 0 ? this.snapshotAt : this.actions[this.next]?.at;
    return at === undefined ? undefined : Math.max(at, this.wakeAt());
  }

  /** The next action is due and its node is up. */
  ready(now: number): boolean {
    if (!this.client.isUp() || now < this.wakeAt()) return false;
    if (this.snapshot.length > 0) return true;
    const a = this.actions[this.next];
    if (!a || a.at > now) return false;
    return a.kind === "enqueue" || this.server.isUp();
  }

  act(): void {
    if (this.snapshot.length > 0) return this.writeSnapshot(this.snapshot.shift()!);
    const a = this.actions[this.next++]!;
    if (a.kind === "revoke") {
      this.share = this.server.store.revoke(this.share.id, this.share.secret);
      this.client.setCredentials(this.share);
      this.record("user", "revoke", `epoch=${this.share.epoch}`);
      this.shareActions.onRevoke(this.share);
    } else if (a.kind === "reshare") {
      this.next -= 1; // until it completes: a crash in the middle is finished after the restart
      this.reshare();
      this.next += 1;
    } else {
      const deps = a.dependsOn.map((i) => this.opIDs[i] ?? this.findSaved(i)).filter((x): x is string => x !== undefined);
      this.opIDs[a.index] = this.write(a.item, deps, `#${a.index}`);
    }
  }

  /** The checker is the share's: a reshare swaps it, so it is looked up at each use. */
  private get checker(): Checker { return this.checkerOf(); }

  private write(item: SyncItem, deps: string[], label: string): string | undefined {
    this.items.push(item);
    this.enqueued += 1;
    const { opID, crashed } = this.client.enqueue(item, deps);
    if (opID !== undefined) this.checker.onEnqueue(opID, item, deps);
    if (crashed) this.checker.onIndeterminateEnqueue(item);
    this.record("user", "enqueue", `${label} ${item.type} ${opID ?? ""}`);
    return opID;
  }

  /**
   * Unshare, then share afresh, as opencode does: the old share is revoked, a new one is created,
   * and the app syncs the session's current state (the newest write of every row) into it. Ops
   * still queued go to the new share under their old op_ids; a snapshot write of a row depends on
   * the row's queued op, so a late old write cannot overwrite it.
   */
  private reshare(): void {
    const r = (this.resharing ??= { revokeTried: false });
    if (!r.next) {
      this.unshare(r);
      r.next = this.server.store.createShare(this.shareActions.sessionID);
      this.share = r.next;
      this.shareActions.onReshare(r.next);
    }
    this.client.setCredentials(r.next);
    this.record("user", "reshare", r.next.id);
    this.resharing = undefined;
    this.items = [];
    this.snapshot = [...this.latestWrites().values()];
    this.snapshotAt = this.actions[this.next]!.at;
  }

  /** Revokes the old share; on a retry it may already be revoked (the crash took only the answer). */
  private unshare(r: { revokeTried: boolean }): void {
    const tried = r.revokeTried;
    r.revokeTried = true;
    try {
      this.server.store.revoke(this.share.id, this.share.secret);
    } catch (e) {
      if (!(tried && e instanceof SturdyError && e.code === "WrongSecret")) throw e;
    }
  }

  private writeSnapshot({ item, index }: { item: SyncItem; index: number }): void {
    const last = this.opIDs[index];
    const queued = last !== undefined && this.client.outbox?.rows().some((r) => r.op_id === last && (r.state === "pending" || r.state === "in_flight"));
    this.write(item, this.shareActions.causalDeps && queued ? [last] : [], `snapshot of #${index}`);
  }

  /** The newest write of every row so far, by the model's row key, in first-write order. */
  private latestWrites(): Map<string, { item: SyncItem; index: number }> {
    const latest = new Map<string, { item: SyncItem; index: number }>();
    for (const a of this.actions.slice(0, this.next)) if (a.kind === "enqueue") latest.set(modelKey(a.item), { item: a.item, index: a.index });
    return latest;
  }

  /**
   * The op_id of an earlier enqueue whose answer a crash swallowed, if the client's disk has it:
   * after a restart the app reads its own outbox, as opencode's session layer would, so a later
   * write to the same row still depends on it.
   */
  private findSaved(index: number): string | undefined {
    const action = this.actions.find((x) => x.kind === "enqueue" && x.index === index);
    if (!action || action.kind !== "enqueue" || !this.client.outbox) return undefined;
    const want = stableJson(action.item);
    const row = this.client.outbox.rows().find((r) => stableJson(r.item) === want);
    if (row) this.opIDs[index] = row.op_id;
    return row?.op_id;
  }
}
