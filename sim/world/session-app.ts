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
  /** Assistant messages already on their way to the share (with their first part or outcome). */
  private readonly announced = new Set<string>();
  /** Each part's latest version as the app wrote it: a part's writes are versions 0, 1, 2, … */
  private readonly versions = new Map<string, number>();
  /** Models the session has used (its first turn on one shares it). */
  private readonly models = new Set<string>();
  /** Each turn as it was started: a disk that lied about a commit (power loss) may have lost it. */
  private readonly turns = new Map<string, StartTurnInput>();
  /** Each assistant message's tool calls not finished yet, by part id: the turn's end finishes them. */
  private readonly openTools = new Map<string, Map<string, PartData>>();

  /**
   * Performs one write of the workload; returns what the share must show because of it (nothing for
   * an assistant message still streaming and without parts, nor for a write into a turn never started). Throws whatever the store throws (a
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

  /**
   * A streaming assistant message is only the UI's: the store shares it with its first part. Its
   * outcome finalizes the turn, and ends the turn's unfinished tool calls as errors.
   */
  private assistant(store: SessionStore, item: Extract<SyncItem, { type: "message" }>): SyncItem[] {
    const status = item.data.status as string;
    if (!isTurnOutcome(status) || !this.ensureTurn(store, turnOf(item.data.id))) return [];
    store.finalizeTurn(turnOf(item.data.id), status);
    this.announced.add(item.data.id);
    const ended = [...(this.openTools.get(item.data.id)?.values() ?? [])].map((p): SyncItem => ({
      type: "part",
      data: { id: p.id, messageID: p.messageID, text: p.text, version: this.nextVersion(p.id), tool: { name: p.tool!.name, status: "error" } },
    }));
    this.openTools.delete(item.data.id);
    return [...ended, item];
  }

  /** A part's next version; the intent carries the app's own count, whatever the workload numbered. */
  private part(store: SessionStore, item: Extract<SyncItem, { type: "part" }>, retry: boolean): SyncItem[] {
    const d = item.data;
    const turnID = turnOf(d.messageID);
    if (!this.ensureTurn(store, turnID)) return [];
    const local = retry ? store.part(d.id) : undefined;
    const done = local !== undefined && local.text === d.text && local.tool?.status === d.tool?.status;
    if (!done) store.updatePart({ turnID, partID: d.id, text: d.text, ...(d.tool ? { tool: d.tool } : {}) });
    const written: PartData = { ...d, version: this.nextVersion(d.id) };
    this.trackTool(written);
    if (this.announced.has(d.messageID)) return [{ type: "part", data: written }];
    this.announced.add(d.messageID);
    const turn = this.turns.get(turnID)!;
    const streaming: SyncItem = { type: "message", data: { id: d.messageID, sessionID: turn.sessionID, role: "assistant", status: "streaming" } };
    return [streaming, { type: "part", data: written }];
  }

  private nextVersion(partID: string): number {
    const version = (this.versions.get(partID) ?? -1) + 1;
    this.versions.set(partID, version);
    return version;
  }

  /**
   * The turn as the app started it. A disk that acknowledged a commit it then lost (a power loss
   * with synchronous=off) can take a started turn away; the app, which still shows it, starts it
   * again (idempotent when the disk kept it) rather than fail the user's next step. False: there
   * is no such turn.
   */
  private ensureTurn(store: SessionStore, turnID: string): boolean {
    const turn = this.turns.get(turnID);
    // A turn the user never started: a shrunk workload dropped its question. The app has no turn
    // to write the answer into, so the write is not made and the share must not show it.
    if (!turn) return false;
    if (!store.turn(turnID)) store.startTurn(turn);
    return true;
  }

  private trackTool(d: PartData): void {
    if (!d.tool) return;
    const open = this.openTools.get(d.messageID) ?? new Map<string, PartData>();
    this.openTools.set(d.messageID, open);
    if (d.tool.status === "pending" || d.tool.status === "running") open.set(d.id, d);
    else open.delete(d.id);
  }
}
