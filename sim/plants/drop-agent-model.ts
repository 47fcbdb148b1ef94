// Planted: the server stores user messages without their agent and model, so the share cannot say
// which agent and model the user chose for the last turn (C2).
import { ShareStore } from "../../src/server/share-store.js";
import type { RowWrite } from "../../src/protocol/fold.js";
import type { SyncItem } from "../../src/protocol/items.js";

export class DropAgentModelStore extends ShareStore {
  protected override rowWrites(item: SyncItem): RowWrite[] {
    if (item.type !== "message" || item.data.role !== "user") return super.rowWrites(item);
    const { agent: _agent, model: _model, ...rest } = item.data;
    return super.rowWrites({ type: "message", data: rest });
  }
}
