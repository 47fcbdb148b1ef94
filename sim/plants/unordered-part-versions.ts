// Planted: the session model shares a part's next version depending on its assistant message only,
// not on the part's previous version (how src/session first did it). With several batches in
// flight a later version can land first and the older one overwrite it (C1, stale part).
import { Outbox } from "../../src/client/outbox.js";
import { SessionStore } from "../../src/session/session-store.js";
import type { SyncItem } from "../../src/protocol/items.js";

export function unorderedPartVersions(outbox: Outbox): SessionStore {
  const forgetful = new Proxy(outbox, {
    get(target, prop, receiver) {
      if (prop !== "enqueue") return Reflect.get(target, prop, receiver) as unknown;
      return (item: SyncItem, dependsOn: string[] = []) => target.enqueue(item, item.type === "part" ? dependsOn.slice(0, 1) : dependsOn);
    },
  });
  return new SessionStore(forgetful);
}
