// Planted: the server turns a session_diff into a row for its first file only. Every other file
// the user changed never reaches the share (C1). Invisible to a checker that folds the user's
// items with the product's own row function.
import { ShareStore } from "../../src/server/share-store.js";
import type { RowWrite } from "../../src/protocol/fold.js";
import type { SyncItem } from "../../src/protocol/items.js";

export class FirstFileDiffStore extends ShareStore {
  protected override rowWrites(item: SyncItem): RowWrite[] {
    const rows = super.rowWrites(item);
    return item.type === "session_diff" ? rows.slice(0, 1) : rows;
  }
}
