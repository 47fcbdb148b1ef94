// The user: performs the workload's actions at their virtual times (a write through the app's
// session model, revoke the share and hand the client new credentials, unshare and share afresh,
// quit the app and start it again later), and remembers what it was told (the op_id of every op
// the session model sent for it), which is what D1 holds the client to.
import type { ShareInfo } from "../../src/protocol/api.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { SturdyError } from "../../src/protocol/errors.js";
import type { Action } from "./workload.js";
import type { SessionApp } from "./session-app.js";
import type { SentOp } from "./sent-log.js";
import { modelKey } from "../model/reference.js";
import type { Checker } from "../check/checker.js";
import type { ClientNode, ServerNode } from "./nodes.js";

/** What the user's world tells it: where share changes go, and how its writes are made. */
export interface UserSetup {
  /** Revoke gave the share new credentials (same share). */
  onRevoke: (share: ShareInfo) => void;
  /** A reshare replaced the share: judge the new one from here on. */
  onReshare: (share: ShareInfo) => void;
  sessionID: string;
  /** The client exits cleanly now and starts again after `downForMs`. */
  exit: (downForMs: number) => void;
  /** Every write goes through the app: opencode's session model. */
  app: SessionApp;
}

export class User {
  /** What the current share must end up holding: every write since it was created. */
  items: SyncItem[] = [];
  /** Every enqueue the user made, over all shares. */
  enqueued = 0;
  /** The newest intent for every row, over all shares: what a reshare's full sync must carry. */
  private readonly latest = new Map<string, SyncItem>();
  next = 0;
  /** A reshare's full sync still to make (a crash in it redoes it after the restart), and when. */
  private fullSyncDue = false;
  private fullSyncAt = 0;
  /** The app's last call for the current action crashed: the retry must not write it twice. */
  private retrying = false;
  /** A reshare a crash interrupted: what of it is done, so the retry after the restart finishes it. */
  private resharing: { revokeTried: boolean; next?: ShareInfo } | undefined;
  /** A revoke a crash interrupted: the retry may find it already done. */
  private revokeTried = false;

  constructor(
    readonly actions: readonly Action[],
    private readonly client: ClientNode,
    private readonly server: ServerNode,
    private readonly checkerOf: () => Checker,
    private readonly record: (actor: string, kind: string, detail: string) => void,
    private readonly setup: UserSetup,
    public share: ShareInfo,
    /** The user acts only while the laptop is awake: not before this time. */
    private readonly wakeAt: () => number,
  ) {}

  get lastActionAt(): number { return this.actions[this.actions.length - 1]?.at ?? 0; }
  /**
   * When the user acts next; undefined when it has nothing left. Given `now`, also undefined while
   * a node it needs is down and the action is already due: a restart has to come first.
   */
  nextActionAt(now?: number): number | undefined {
    const at = this.fullSyncDue ? this.fullSyncAt : this.actions[this.next]?.at;
    if (at === undefined) return undefined;
    const when = Math.max(at, this.wakeAt());
    return now !== undefined && when <= now && this.blocked() ? undefined : when;
  }

  private blocked(): boolean {
    if (!this.client.isUp()) return true;
    const a = this.fullSyncDue ? undefined : this.actions[this.next];
    // Revoke and reshare are the server's doing; an enqueue or an exit needs only the client.
    return a !== undefined && (a.kind === "revoke" || a.kind === "reshare") && !this.server.isUp();
  }

  /** The next action is due and its node is up. */
  ready(now: number): boolean {
    const at = this.nextActionAt();
    return at !== undefined && at <= now && !this.blocked();
  }

  act(): void {
    if (this.fullSyncDue) return this.fullSync();
    const a = this.actions[this.next++]!;
    if (a.kind === "revoke") {
      this.next -= 1; // until it completes: a crash that took the answer is retried after the restart
      this.revoke();
      this.next += 1;
    } else if (a.kind === "reshare") {
      this.next -= 1; // until it completes: a crash in the middle is finished after the restart
      this.reshare();
      this.next += 1;
    } else if (a.kind === "exit") {
      this.setup.exit(a.downForMs);
    } else {
      this.writeInApp(a, this.setup.app);
    }
  }

  /** The checker is the share's: a reshare swaps it, so it is looked up at each use. */
  private get checker(): Checker { return this.checkerOf(); }

  /** The share must come to hold `item`: the reference the checker judges it by. */
  private intend(item: SyncItem): void {
    this.items.push(item);
    this.latest.set(modelKey(item), item);
    this.enqueued += 1;
  }

  /** What the user was told: the op_ids of what the session model sent (legacy has none). */
  private learn(sent: SentOp[]): void {
    if (this.client.isLegacy()) return;
    for (const op of sent) this.checker.onEnqueue(op.opID, op.item, op.dependsOn, this.client.name);
  }

  /**
   * A write through the session model. A crash mid-call leaves the action to be redone after the
   * restart, as opencode redoes an interrupted turn step; what the share must hold is the app's
   * intent, and what the user learns is what the session model sent.
   */
  private writeInApp(a: Extract<Action, { kind: "enqueue" }>, app: SessionApp): void {
    const retry = this.retrying;
    const { value: intents, sent, crashed } = this.client.perform((store) => app.perform(store, a.item, retry));
    this.retrying = crashed;
    if (crashed) {
      this.next -= 1;
      this.record("user", "crashed", `#${a.index} ${a.item.type}: redone after the restart`);
      return;
    }
    for (const item of intents!) this.intend(item);
    this.learn(sent);
    this.record("user", "write", `#${a.index} ${a.item.type} ${sent.map((op) => op.opID).join(" ") || "(nothing sent)"}`);
  }

  /** A reshare's full sync: the session's current state into the new share; a crash redoes it. */
  private fullSync(): void {
    const { value: count, sent, crashed } = this.client.perform((store) => store.fullSync(this.setup.sessionID));
    if (crashed) {
      this.record("user", "crashed", "full sync: redone after the restart");
      return;
    }
    this.fullSyncDue = false;
    for (const item of this.latest.values()) this.intend(item);
    this.learn(sent);
    this.record("user", "full-sync", `${count} items`);
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
      r.next = this.server.store.createShare(this.setup.sessionID);
      this.share = r.next;
      this.setup.onReshare(r.next);
    }
    this.client.setCredentials(r.next);
    this.record("user", "reshare", r.next.id);
    this.resharing = undefined;
    this.items = [];
    this.fullSyncDue = true;
    this.fullSyncAt = this.actions[this.next]!.at;
  }

  /**
   * Revokes the share and hands the client the new credentials. A server crash right after the
   * rotation commits takes the answer (and the new secret) with it: the retry then finds the old
   * secret refused, and the owner reads its share's credentials again, as opencode's owner would
   * from its account.
   */
  private revoke(): void {
    const retry = this.revokeTried;
    this.revokeTried = true;
    const share = this.revokeShare(retry) ?? this.rereadShare();
    this.revokeTried = false;
    this.share = share;
    this.client.setCredentials(share);
    this.record("user", "revoke", `epoch=${share.epoch}`);
    this.setup.onRevoke(share);
  }

  /** Revokes the old share; on a retry it may already be revoked (the crash took only the answer). */
  private unshare(r: { revokeTried: boolean }): void {
    const retry = r.revokeTried;
    r.revokeTried = true;
    this.revokeShare(retry);
  }

  /**
   * Revokes the current share. On a retry (a server crash took the last attempt's answer) it may
   * already be revoked: its secret is then refused, and the answer is undefined.
   */
  private revokeShare(retry: boolean): ShareInfo | undefined {
    try {
      return this.server.store.revoke(this.share.id, this.share.secret);
    } catch (e) {
      if (retry && e instanceof SturdyError && e.code === "WrongSecret") return undefined;
      throw e;
    }
  }

  /** The share's credentials as the server holds them now (the owner reads them from its account). */
  private rereadShare(): ShareInfo {
    const now = this.server.store.current(this.share.id);
    return { ...this.share, secret: now.secret, epoch: now.epoch };
  }
}
