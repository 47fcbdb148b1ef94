// The user: performs the workload's actions at their virtual times (enqueue an item, revoke the
// share and hand the client new credentials), and remembers what it was told (the op_id of every
// enqueue), which is what D1 holds the client to.
import type { ShareInfo } from "../../src/protocol/api.js";
import type { SyncItem } from "../../src/protocol/items.js";
import type { Action } from "../workload.js";
import { stableJson } from "../model/stable-json.js";
import type { Checker } from "../check/checker.js";
import type { ClientNode, ServerNode } from "./nodes.js";

export class User {
  readonly items: SyncItem[] = [];
  private readonly opIDs: (string | undefined)[] = [];
  next = 0;

  constructor(
    readonly actions: readonly Action[],
    private readonly client: ClientNode,
    private readonly server: ServerNode,
    private readonly checker: Checker,
    private readonly record: (actor: string, kind: string, detail: string) => void,
    private readonly onRevoke: (share: ShareInfo) => void,
    public share: ShareInfo,
    /** The user acts only while the laptop is awake: not before this time. */
    private readonly wakeAt: () => number,
  ) {}

  get lastActionAt(): number { return this.actions[this.actions.length - 1]?.at ?? 0; }
  nextActionAt(): number | undefined {
    const a = this.actions[this.next];
    return a && Math.max(a.at, this.wakeAt());
  }

  /** The next action is due and its node is up. */
  ready(now: number): boolean {
    const a = this.actions[this.next];
    if (!a || a.at > now || !this.client.isUp() || now < this.wakeAt()) return false;
    return a.kind !== "revoke" || this.server.isUp();
  }

  act(): void {
    const a = this.actions[this.next++]!;
    if (a.kind === "revoke") {
      this.share = this.server.store.revoke(this.share.id, this.share.secret);
      this.client.setCredentials(this.share);
      this.record("user", "revoke", `epoch=${this.share.epoch}`);
      this.onRevoke(this.share);
      return;
    }
    this.items.push(a.item);
    const deps = a.dependsOn.map((i) => this.opIDs[i] ?? this.findSaved(i)).filter((x): x is string => x !== undefined);
    const { opID, crashed } = this.client.enqueue(a.item, deps);
    this.opIDs[a.index] = opID;
    if (opID !== undefined) this.checker.onEnqueue(opID, a.item, deps);
    if (crashed) this.checker.onIndeterminateEnqueue(a.item);
    this.record("user", "enqueue", `#${a.index} ${a.item.type} ${opID ?? ""}`);
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
