// The cloudsession server's view of a share: the whole session in one record (its AgentSession
// blob), rewritten on every sync. A model of today's behaviour, kept as the baseline: entities are
// upserted by id, a session_diff's files are APPENDED to the record's diff list (`diffs = [...diffs,
// ...new]`, so a resend duplicates them and a file dropped from the list keeps its old entry), and
// every sync bumps `syncCount`.
import type { FileDiff, SyncItem } from "../protocol/items.js";

type DataOf<T extends SyncItem["type"]> = Extract<SyncItem, { type: T }>["data"];

export interface SessionRecord {
  session: DataOf<"session"> | null;
  messages: DataOf<"message">[];
  parts: DataOf<"part">[];
  /** Every file diff ever synced, in arrival order: append-only. */
  diffs: FileDiff[];
  models: DataOf<"model">[];
  /** The share's session (its diffs carry no session of their own here) and how many syncs wrote the record. */
  metadata: { sessionID: string; syncCount: number };
}

export function emptyRecord(sessionID: string): SessionRecord {
  return { session: null, messages: [], parts: [], diffs: [], models: [], metadata: { sessionID, syncCount: 0 } };
}

/**
 * One sync's merge into the record as it was read: a new record, the input untouched. Nothing here
 * knows whether another sync wrote the record since it was read: that is the caller's (missing)
 * compare-and-set.
 */
export function mergeSync(read: SessionRecord, items: readonly SyncItem[]): SessionRecord {
  const next: SessionRecord = {
    session: read.session,
    messages: [...read.messages],
    parts: [...read.parts],
    diffs: [...read.diffs],
    models: [...read.models],
    metadata: { ...read.metadata, syncCount: read.metadata.syncCount + 1 },
  };
  for (const item of items) {
    switch (item.type) {
      case "session": next.session = item.data; break;
      case "message": upsertById(next.messages, item.data); break;
      case "part": upsertById(next.parts, item.data); break;
      case "model": upsertById(next.models, item.data); break;
      case "session_diff": next.diffs.push(...item.data.diffs); break;
    }
  }
  return next;
}

function upsertById<T extends { id: string }>(list: T[], entity: T): void {
  const at = list.findIndex((e) => e.id === entity.id);
  if (at < 0) list.push(entity);
  else list[at] = entity;
}
