// How an item becomes share state. The server applies it; the checker folds the client's ops with
// the same function to know what the share must converge to.
import { canonicalJson } from "./canonical.js";
import type { SyncItem } from "./items.js";
import type { ShareRow } from "./api.js";

export interface RowWrite { key: string; value: string; appendOnly: boolean }

export function itemRows(item: SyncItem): RowWrite[] {
  switch (item.type) {
    case "session_diff":
      // One row per file: a later diff of the same file replaces the earlier one.
      return item.data.diffs.map((d) => ({
        key: `diff:${item.data.sessionID}:${d.file}`,
        value: canonicalJson(d),
        appendOnly: false,
      }));
    default:
      return [{ key: `${item.type}:${item.data.id}`, value: canonicalJson(item.data), appendOnly: false }];
  }
}

/** The state a share must hold after `items` are applied once each, in order. */
export function foldItems(items: Iterable<SyncItem>): ShareRow[] {
  const state = new Map<string, string>();
  for (const item of items) for (const w of itemRows(item)) state.set(w.key, w.value);
  return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, dup: 0, value }));
}

export function rowsEqual(a: ShareRow[], b: ShareRow[]): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
