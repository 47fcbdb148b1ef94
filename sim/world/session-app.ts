// The user's app when it is opencode's session model (scenario `app: "session"`): each workload
// write becomes the SessionStore call that makes it (a user message starts a turn, a part is an
// update of the turn's assistant message, an outcome finalizes the turn). What the share must then
// hold is the user's intent, worked out here from the workload alone, never from what the store
// enqueued: a store that keeps a change local and never shares it shows as C1.
import type { SessionStore } from "../../src/session/session-store.js";
import type { Outbox } from "../../src/client/outbox.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { isTurnOutcome } from "../../src/session/turn.js";
import { stableJson } from "../model/stable-json.js";

/** Turn ids follow the workload's naming: `msg_0001_u` asks, `msg_0001_a` answers. */
const turnOf = (assistantID: string) => assistantID.replace(/_a$/, "_u");
const answerOf = (userID: string) => userID.replace(/_u$/, "_a");

export class SessionApp {
  /** Assistant messages the store has not shared yet: it shares one with its first part or outcome. */
  private readonly unannounced = new Map<string, SyncItem>();

  /**
   * Performs one write of the workload; returns what the share must show because of it (nothing
   * for an assistant message still streaming and without parts: the store shares it with its first
   * part). What the session model does not cover (the session itself, its diffs) the app enqueues
   * directly, with the workload's `dependsOn`. Throws whatever the store throws (a crash, mid-call). `retry`: the last attempt crashed;
   * starting and finishing a turn are idempotent, but a part update or a plain enqueue is redone
   * only if the app's own database does not hold it yet (the crash may have taken just the answer).
   */
  perform(store: SessionStore, outbox: Outbox, item: SyncItem, retry: boolean, dependsOn: string[]): SyncItem[] {
    const done = retry && (item.type === "part" || item.type === "session" || item.type === "session_diff") && savedOpID(outbox, item) !== undefined;
    if (item.type === "message" && item.data.role === "user") {
      const d = item.data as { id: string; sessionID: string; agent: string; model: string };
      store.startTurn({ sessionID: d.sessionID, userMessageID: d.id, agent: d.agent, model: d.model, assistantMessageID: answerOf(d.id) });
      return [item];
    }
    if (item.type === "message" && item.data.role === "assistant") {
      const status = item.data.status as string;
      if (!isTurnOutcome(status)) {
        this.unannounced.set(item.data.id, item);
        return [];
      }
      store.finalizeTurn(turnOf(item.data.id), status);
      this.unannounced.delete(item.data.id);
      return [item];
    }
    if (item.type === "part") {
      const d = item.data as { id: string; messageID: string; text: string };
      if (!done) store.updatePart({ turnID: turnOf(d.messageID), partID: d.id, text: d.text });
      const announce = this.unannounced.get(d.messageID);
      this.unannounced.delete(d.messageID);
      return announce ? [announce, item] : [item];
    }
    if (!done) outbox.enqueue(item, dependsOn);
    return [item];
  }
}

/** The op_id under which the outbox holds exactly this item, if it does (the newest such row). */
export function savedOpID(outbox: Outbox, item: SyncItem): string | undefined {
  const want = stableJson(item);
  return outbox.rows().findLast((r) => stableJson(r.item) === want)?.op_id;
}
