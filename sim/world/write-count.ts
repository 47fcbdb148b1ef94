// How many durable writes each node's product has made (counted by the crash-at-write wrapper), so
// the per-step safety checks can skip a node that wrote nothing since they last looked: nothing
// they read can have changed. Kept outside the nodes on purpose: exploration's state key walks the
// nodes field by field, and a count of past writes is history, not state.
const writes = new WeakMap<object, number>();

export function countWrite(node: object): void {
  writes.set(node, (writes.get(node) ?? 0) + 1);
}

export function writesOf(node: object): number {
  return writes.get(node) ?? 0;
}

/**
 * What an observer saw of each node last time, and whether the node has written since. A node that
 * restarted counts as changed: its database is another image (a power loss may have rolled it back).
 */
export class WriteWatch {
  private readonly seen = new WeakMap<object, { db: object | undefined; writes: number }>();

  wroteSince(node: object, db: object | undefined): boolean {
    const writes = writesOf(node);
    const last = this.seen.get(node);
    if (last && last.db === db && last.writes === writes) return false;
    this.seen.set(node, { db, writes });
    return true;
  }
}
