// The user's app: opencode's session model (src/session) drives every write of every run. Each
// workload item becomes the SessionStore call that makes it (the session is opened, a user message
// starts a turn, a part is an update of the turn's assistant message, an outcome finalizes the
// turn, a diff list is shared whole). What the share must then hold is the user's intent, worked out
// here from the workload alone and from opencode's rules, never from what the store enqueued: a
// store that keeps a change local and never shares it shows as C1.
//
// The rules the intent follows: a streaming assistant message reaches the share with its first part
// or its outcome; the first turn on a model shares the model; a turn that ends with a tool call
// still pending or running ends that call too, as an error (same text, next version).
import type { SessionStore, StartTurnInput } from "../../src/session/session-store.js";
import type { SyncItem } from "../../src/protocol/items.js";
import { isTurnOutcome } from "../../src/session/turn.js";

/** Turn ids follow the workload's naming: `msg_0001_u` asks, `msg_0001_a` answers. */
const turnOf = (assistantID: string) => assistantID.replace(/_a$/, "_u");
const answerOf = (userID: string) => userID.replace(/_u$/, "_a");

type PartData = Extract<SyncItem, { type: "part" }>["data"];

export class SessionApp {
  /** Assistant messages the store has not shared yet: it shares one with its first part or outcome. */
  private readonly unannounced = new Map<string, SyncItem>();
  /** Models the session has used (its first turn on one shares it). */
  private readonly models = new Set<string>();
  /** Each turn as it was started: a disk that lied about a commit (power loss) may have lost it. */
  private readonly turns = new Map<string, StartTurnInput>();
  /** Each assistant message's tool calls not finished yet, by part id: the turn's end finishes them. */
  private readonly openTools = new Map<string, Map<string, PartData>>();

  /**
   * Performs one write of the workload; returns what the share must show because of it (nothing for
   * an assistant message still streaming and without parts). Throws whatever the store throws (a
   * crash, mid-call); the app's memory changes only after the store's call returned. `retry`: the
   * last attempt crashed. Starting a turn, finishing one and opening the session are idempotent; a
   * part update or a diff list is redone only if the app's own database does not hold it yet (the
   * crash may have taken just the answer).
   */
  perform(store: SessionStore, item: SyncItem, retry: boolean): SyncItem[] {
    switch (item.type) {
      case "session":
        store.openSession(item.data);
        return [item];
      case "message":
        return item.data.role === "user" ? this.startTurn(store, item) : this.assistant(store, item);
      case "part":
        return this.part(store, item, retry);
      case "session_diff":
        if (!(retry && store.diffList(item.data.sessionID) === JSON.stringify(item.data.diffs))) store.shareDiff(item.data.sessionID, item.data.diffs);
        return [item];
      case "model":
        throw new Error("the workload never writes a model: the session model shares one on a turn's first use");
    }
  }

  private startTurn(store: SessionStore, item: Extract<SyncItem, { type: "message" }>): SyncItem[] {
    const d = item.data as { id: string; sessionID: string; agent: string; model: string };
    const turn = { sessionID: d.sessionID, userMessageID: d.id, agent: d.agent, model: d.model, assistantMessageID: answerOf(d.id) };
    store.startTurn(turn);
    this.turns.set(d.id, turn);
    if (this.models.has(d.model)) return [item];
    this.models.add(d.model);
    return [{ type: "model", data: { id: d.model, provider: d.model.split("/")[0]! } }, item];
  }

  private assistant(store: SessionStore, item: Extract<SyncItem, { type: "message" }>): SyncItem[] {
    const status = item.data.status as string;
    if (!isTurnOutcome(status)) {
      this.unannounced.set(item.data.id, item);
      return [];
    }
    this.ensureTurn(store, turnOf(item.data.id));
    store.finalizeTurn(turnOf(item.data.id), status);
    this.unannounced.delete(item.data.id);
    const ended = [...(this.openTools.get(item.data.id)?.values() ?? [])].map((p): SyncItem => ({
      type: "part",
      data: { id: p.id, messageID: p.messageID, text: p.text, version: p.version + 1, tool: { name: p.tool!.name, status: "error" } },
    }));
    this.openTools.delete(item.data.id);
    return [...ended, item];
  }

  private part(store: SessionStore, item: Extract<SyncItem, { type: "part" }>, retry: boolean): SyncItem[] {
    const d = item.data;
    const done = retry && (store.partVersion(d.id) ?? -1) >= d.version;
    this.ensureTurn(store, turnOf(d.messageID));
    if (!done) store.updatePart({ turnID: turnOf(d.messageID), partID: d.id, text: d.text, ...(d.tool ? { tool: d.tool } : {}) });
    this.trackTool(d);
    const announce = this.unannounced.get(d.messageID);
    this.unannounced.delete(d.messageID);
    return announce ? [announce, item] : [item];
  }

  /**
   * The turn as the app started it. A disk that acknowledged a commit it then lost (a power loss
   * with synchronous=off) can take a started turn away; the app, which still shows it, starts it
   * again (idempotent when the disk kept it) rather than fail the user's next step.
   */
  private ensureTurn(store: SessionStore, turnID: string): void {
    const turn = this.turns.get(turnID);
    if (turn && !store.turn(turnID)) store.startTurn(turn);
  }

  private trackTool(d: PartData): void {
    if (!d.tool) return;
    const open = this.openTools.get(d.messageID) ?? new Map<string, PartData>();
    this.openTools.set(d.messageID, open);
    if (d.tool.status === "pending" || d.tool.status === "running") open.set(d.id, d);
    else open.delete(d.id);
  }
}
