// How the session model's records become the items a share receives (src/protocol/items.ts).
import type { SyncItem } from "../protocol/items.js";
import type { TurnStatus } from "./turn.js";

export function userMessageItem(m: { id: string; sessionID: string; agent: string; model: string }): SyncItem {
  return { type: "message", data: { id: m.id, sessionID: m.sessionID, role: "user", agent: m.agent, model: m.model } };
}

export function assistantMessageItem(m: { id: string; sessionID: string; status: TurnStatus }): SyncItem {
  return { type: "message", data: { id: m.id, sessionID: m.sessionID, role: "assistant", status: m.status } };
}

export function partItem(p: { id: string; messageID: string; text: string; version: number }): SyncItem {
  return { type: "part", data: { id: p.id, messageID: p.messageID, text: p.text, version: p.version } };
}
