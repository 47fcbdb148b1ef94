// The reference model: what a share must hold after the user's actions, written from opencode's
// data semantics and from nothing in src/ but types. It is the oracle C1 and C2 compare the server's
// database against, so a bug in how the product turns an item into rows cannot hide behind a
// checker that folds with the same code.
//
// The semantics (opencode's SyncData): sessions, messages, parts and models are upserted by id;
// a session_diff carries the session's WHOLE current diff list and replaces the previous one.
import type { SyncItem } from "../../src/protocol/items.js";
import { stableJson } from "./stable-json.js";

/** One share as a reader sees it: entities by kind and id, and each session's list of file diffs. */
export interface ShareView {
  /** `session:<id>`, `message:<id>`, `part:<id>`, `model:<id>` → the entity's fields. */
  entities: Map<string, Record<string, unknown>>;
  /** session id → its file diffs, one entry per stored row (a correct share has one per file). */
  diffs: Map<string, Record<string, unknown>[]>;
}

export function emptyView(): ShareView {
  return { entities: new Map(), diffs: new Map() };
}

/** The key a user action writes in the model: what D1 can mark as lost and C1 then leaves alone. */
export function modelKey(item: SyncItem): string {
  return item.type === "session_diff" ? `diffs:${item.data.sessionID}` : `${item.type}:${item.data.id}`;
}

/** The share the user's items must produce, applied once each, in order. */
export function modelShare(items: Iterable<SyncItem>): ShareView {
  const view = emptyView();
  for (const item of items) {
    if (item.type === "session_diff") {
      const byFile = new Map(item.data.diffs.map((d) => [d.file, { ...d }]));
      view.diffs.set(item.data.sessionID, [...byFile.values()].sort(byFileName));
    } else {
      view.entities.set(`${item.type}:${item.data.id}`, { ...item.data });
    }
  }
  return view;
}

/**
 * How many of the user's items carried exactly this file diff (same session, file and values). A
 * share holding more identical copies than that stored one item twice: a double-apply (S1), not a
 * divergence.
 */
export function diffCarriers(items: Iterable<SyncItem>): Map<string, number> {
  const carriers = new Map<string, number>();
  for (const item of items) {
    if (item.type !== "session_diff") continue;
    for (const d of item.data.diffs) {
      const k = diffIdentity(item.data.sessionID, d);
      carriers.set(k, (carriers.get(k) ?? 0) + 1);
    }
  }
  return carriers;
}

export function diffIdentity(sessionID: string, diff: Record<string, unknown>): string {
  return `${sessionID}\u0000${stableJson(diff)}`;
}

/** The agent and model of the user's last user message (by message id order, as a reader sorts). */
export function lastUserChoice(view: ShareView): { id: string; agent: unknown; model: unknown } | undefined {
  let last: { id: string; agent: unknown; model: unknown } | undefined;
  for (const [key, m] of view.entities) {
    if (!key.startsWith("message:") || m.role !== "user") continue;
    const id = String(m.id);
    if (!last || id > last.id) last = { id, agent: m.agent, model: m.model };
  }
  return last;
}

export function byFileName(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const fa = String(a.file), fb = String(b.file);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}
