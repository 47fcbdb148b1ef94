// How an item becomes share state. The server applies it; the checker folds the client's ops with
// the same function to know what the share must converge to.
import { canonicalJson } from "./canonical.js";
import type { SyncItem } from "./items.js";
import type { ShareRow } from "./api.js";

export interface RowWrite { key: string; value: string }

/**
 * The key prefix of exactly one session's diff rows: `diff:<session id as a JSON string>:`. A JSON
 * string ends at its first unescaped quote, so no session's prefix is a prefix of another's
 * (sessions "a" and "a:b" give `diff:"a":` and `diff:"a:b":`), and everything after it is the file.
 */
export function diffScope(sessionID: string): string {
  return `diff:${JSON.stringify(sessionID)}:`;
}

export function diffKey(sessionID: string, file: string): string {
  return diffScope(sessionID) + file;
}

/** The inverse of diffKey; undefined for any other key. */
export function parseDiffKey(key: string): { sessionID: string; file: string } | undefined {
  const m = /^diff:("(?:[^"\\]|\\.)*"):(.*)$/s.exec(key);
  return m ? { sessionID: JSON.parse(m[1]!) as string, file: m[2]! } : undefined;
}

export function itemRows(item: SyncItem): RowWrite[] {
  switch (item.type) {
    case "session_diff":
      // One row per file; the item is the session's whole diff list (see replacedScope).
      return item.data.diffs.map((d) => ({ key: diffKey(item.data.sessionID, d.file), value: canonicalJson(d) }));
    default:
      return [{ key: `${item.type}:${item.data.id}`, value: canonicalJson(item.data) }];
  }
}

/**
 * The key prefix an item replaces wholesale, if any: applying it removes every row under the
 * prefix that its own rows do not write. opencode sends a session_diff with the session's WHOLE
 * current diff list, so a file missing from it has no diff any more (reverted, say).
 */
export function replacedScope(item: SyncItem): string | undefined {
  return item.type === "session_diff" ? diffScope(item.data.sessionID) : undefined;
}

/** The state a share must hold after `items` are applied once each, in order. */
export function foldItems(items: Iterable<SyncItem>): ShareRow[] {
  const state = new Map<string, string>();
  for (const item of items) {
    const scope = replacedScope(item);
    if (scope !== undefined) for (const key of [...state.keys()]) if (key.startsWith(scope)) state.delete(key);
    for (const w of itemRows(item)) state.set(w.key, w.value);
  }
  return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, dup: 0, value }));
}
