// Planted: the session model shares a part's next version depending on its assistant message only,
// not on the part's previous version (how src/session first did it). With several batches in
// flight a later version can land first and the older one overwrite it (C1, stale part).
import { SessionStore } from "../../src/session/session-store.js";
import type { ShareSink } from "../../src/session/share-sink.js";
import type { SyncItem } from "../../src/protocol/items.js";

export function unorderedPartVersions(sink: ShareSink): SessionStore {
  const forgetful: ShareSink = {
    get db() { return sink.db; },
    enqueue: (item: SyncItem, dependsOn: string[] = []) => sink.enqueue(item, item.type === "part" ? dependsOn.slice(0, 1) : dependsOn),
    queued: (opID: string) => sink.queued(opID),
  };
  return new SessionStore(forgetful);
}
