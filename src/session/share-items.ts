// How the session model's records become the items a share receives (src/protocol/items.ts).
import type { FileDiff, SyncItem } from "../protocol/items.js";
import type { TurnStatus } from "./turn.js";

/** A tool call's part: which tool, and where the call is (pending → running → completed | error). */
export interface ToolState { name: string; status: "pending" | "running" | "completed" | "error" }

export function userMessageItem(m: { id: string; sessionID: string; agent: string; model: string }): SyncItem {
  return { type: "message", data: { id: m.id, sessionID: m.sessionID, role: "user", agent: m.agent, model: m.model } };
}

export function assistantMessageItem(m: { id: string; sessionID: string; status: TurnStatus }): SyncItem {
  return { type: "message", data: { id: m.id, sessionID: m.sessionID, role: "assistant", status: m.status } };
}

export function partItem(p: { id: string; messageID: string; text: string; version: number; tool?: ToolState }): SyncItem {
  const data = { id: p.id, messageID: p.messageID, text: p.text, version: p.version };
  return { type: "part", data: p.tool ? { ...data, tool: { name: p.tool.name, status: p.tool.status } } : data };
}

export function sessionItem(s: { id: string; title: string }): SyncItem {
  return { type: "session", data: { id: s.id, title: s.title } };
}

/** opencode names a model `<provider>/<model>`; the share keeps each model the session used. */
export function modelItem(model: string): SyncItem {
  return { type: "model", data: { id: model, provider: providerOf(model) } };
}

export function providerOf(model: string): string {
  return model.split("/")[0]!;
}

export function sessionDiffItem(sessionID: string, diffs: FileDiff[]): SyncItem {
  return { type: "session_diff", data: { sessionID, diffs: diffs.map((d) => ({ file: d.file, additions: d.additions, deletions: d.deletions })) } };
}
