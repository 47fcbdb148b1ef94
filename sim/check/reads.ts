// R1, read-side consistency: what a viewer reads must be a prefix of the share's history. Each read
// (a cursor and the rows the server says it covers) is judged twice: the cursor never goes back for
// the same reader, across its reconnects; and the rows are the fold, by the reference model, of
// exactly the ops the server applied at cursors 1..cursor (their content from its apply reports).
import type { SyncItem } from "../../src/protocol/items.js";
import { byFileName, modelShare, type ShareView } from "../model/reference.js";
import { stableJson } from "../model/stable-json.js";
import type { ApplyLog } from "./applies.js";
import { decodeShare, type StoredRow } from "./share-reader.js";
import type { Report } from "./violations.js";

export interface ObservedRead { cursor: number; rows: StoredRow[] }

export class ReadChecks {
  /** reader → the last cursor it was shown, and the apply log's generation then. */
  private readonly last = new Map<string, { cursor: number; generation: number }>();

  constructor(private readonly report: Report, private readonly applies: ApplyLog) {}

  /** `sentGeneration`: the apply log's generation when the read was sent. */
  judge(reader: string, sentGeneration: number, read: ObservedRead): void {
    const generation = this.applies.generation;
    const before = this.last.get(reader);
    // A power loss (D1's finding) may rightly take the cursor back: compare only within a generation.
    if (before && before.generation === generation && read.cursor < before.cursor) {
      this.report("R1", "cursor-regressed", `${reader} read cursor ${read.cursor} after cursor ${before.cursor}`);
    }
    this.last.set(reader, { cursor: Math.max(read.cursor, before?.generation === generation ? before.cursor : 0), generation });
    // Sent before a power loss and answered after it: the cursors it names may now be other ops'.
    if (sentGeneration !== generation) return;
    const prefix = this.prefix(read.cursor);
    if (!prefix) return;
    const want = modelShare(prefix);
    const got = decodeShare(read.rows).view;
    const diff = firstDifference(want, got);
    if (diff) this.report("R1", "not-a-prefix", `${reader} read cursor ${read.cursor} but ${diff}`);
  }

  /**
   * The items of the ops at cursors 1..cursor, in order; undefined when the read cannot be judged:
   * some cursor's op is unknown to the log, or known only from the disk (its report was lost to a
   * crash, so its content is not known), or the read names a cursor past every apply reported.
   */
  private prefix(cursor: number): SyncItem[] | undefined {
    const items: (SyncItem | undefined)[] = new Array<SyncItem | undefined>(cursor).fill(undefined);
    for (const apply of this.applies.first.values()) {
      if (apply.cursor < 1 || apply.cursor > cursor) continue;
      if (apply.content === undefined) return undefined;
      items[apply.cursor - 1] = JSON.parse(apply.content) as SyncItem;
    }
    return items.every((i) => i !== undefined) ? (items as SyncItem[]) : undefined;
  }
}

/** A description of the first key where two views differ, or undefined if they are equal. */
function firstDifference(want: ShareView, got: ShareView): string | undefined {
  const a = flatten(want), b = flatten(got);
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key), y = b.get(key);
    if (x === y) continue;
    return `${key} holds ${y ?? "nothing"} where the fold of those ops gives ${x ?? "nothing"}`;
  }
  return undefined;
}

/** Every entity and every session's diff list (sorted by file, empty lists dropped) as key → JSON. */
function flatten(view: ShareView): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of view.entities) out.set(key, stableJson(value));
  for (const [session, diffs] of view.diffs) {
    if (diffs.length > 0) out.set(`diffs:${session}`, stableJson([...diffs].sort(byFileName)));
  }
  return out;
}
