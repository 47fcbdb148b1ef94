// Lost updates in a share kept as one record (the rmw legacy server). Every sync replaces the whole
// record with its merge into the record it read: a merge keeps every entity and every diff entry of
// what it read, and changes only the entities its own items carry. So a write that drops an entity
// or a diff entry of the record it replaces, or changes an entity its sync did not carry, was merged
// from an older read: what the writes since that read stored is gone (it may be carried again
// later). Evidence: the record as the server's database holds it, read after each step in which the
// server wrote (one storage write per step), and the server's report of the items each sync wrote.
// What is found here explains a row C1 finds missing or stale at the end (convergence.ts).
import type Database from "better-sqlite3";
import type { ServerEvent } from "../../src/server/share-store.js";
import { modelKey } from "../model/reference.js";
import { stableJson } from "../model/stable-json.js";
import { decodeRecord, diffSession } from "./share-reader.js";
import { pluck } from "./sql.js";

export interface LostUpdate {
  /** The model key whose stored value a stale write dropped: `message:m1`, or `diffs:<session>` for a diff entry. */
  key: string;
  /** What the overwritten record held there (stableJson of the entity, or of one diff entry). */
  value: string;
  /** The record that held it (its syncCount, and the step its write was seen), and the write that dropped it. */
  held: { syncCount: number; step: number };
  by: { syncCount: number; step: number };
}

interface Snapshot {
  text: string;
  step: number;
  syncCount: number;
  entities: Map<string, string>;
  /** Per session's diff key, how many copies of each entry. */
  diffs: Map<string, Map<string, number>>;
}

export class LostUpdates {
  readonly found: LostUpdate[] = [];
  private last: Snapshot | undefined;
  /** Model keys of the items syncs reported since the last look: the items of the write seen next. */
  private carried: Set<string> | undefined;

  onEvent(e: ServerEvent): void {
    if (e.kind !== "synced") return;
    (this.carried ??= new Set()).add(modelKey(e.item));
  }

  /** After `step`, in which the server wrote. */
  observe(db: Database.Database, shareID: string, step: number): void {
    const next = snapshot(readRecord(db, shareID), step);
    const carried = this.carried;
    this.carried = undefined;
    if (!next || next.text === this.last?.text) return;
    if (this.last) this.compare(this.last, next, carried);
    this.last = next;
  }

  /** The server restarted (perhaps from an older image): a new history starts from what its disk holds. */
  restarted(db: Database.Database, shareID: string, step: number): void {
    this.last = snapshot(readRecord(db, shareID), step);
    this.carried = undefined;
  }

  /**
   * A stale write's losses: an entity it no longer holds, or holds with another value though its
   * sync did not carry that entity (`carried` unknown — a crash right after the write swallowed the
   * report — counts only what vanished); and every diff entry of which it holds fewer copies.
   */
  private compare(last: Snapshot, next: Snapshot, carried: ReadonlySet<string> | undefined): void {
    const lose = (key: string, value: string) => this.found.push({
      key, value, held: { syncCount: last.syncCount, step: last.step }, by: { syncCount: next.syncCount, step: next.step },
    });
    for (const [key, value] of last.entities) {
      const now = next.entities.get(key);
      if (now === undefined || (now !== value && carried !== undefined && !carried.has(key))) lose(key, value);
    }
    for (const [key, entries] of last.diffs) {
      for (const [entry, copies] of entries) {
        if ((next.diffs.get(key)?.get(entry) ?? 0) < copies) lose(key, entry);
      }
    }
  }
}

function readRecord(db: Database.Database, shareID: string): string | undefined {
  return pluck(db, "SELECT record FROM share_records WHERE share_id = ?").get(shareID) as string | undefined;
}

function snapshot(text: string | undefined, step: number): Snapshot | undefined {
  if (text === undefined) return undefined;
  const { syncCount, rows } = decodeRecord(text);
  if (syncCount === undefined) return undefined; // garbled: C1 reports it
  const s: Snapshot = { text, step, syncCount, entities: new Map(), diffs: new Map() };
  for (const row of rows) {
    const value = stableJson(JSON.parse(row.value || "null"));
    if (!row.key.startsWith("diff:")) {
      s.entities.set(row.key, value);
      continue;
    }
    const key = `diffs:${diffSession(row.key.slice("diff:".length)) ?? "?"}`;
    const entries = s.diffs.get(key) ?? new Map<string, number>();
    entries.set(value, (entries.get(value) ?? 0) + 1);
    s.diffs.set(key, entries);
  }
  return s;
}
