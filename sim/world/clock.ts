// Virtual time. Timers belong to an owner (a node) so a crash can drop all of that node's timers.
import type { Clock, TimerHandle } from "../../src/protocol/ports.js";

interface Timer { id: number; at: number; owner: string; callback: () => void }

export class VirtualClock {
  private time = 0;
  private nextID = 1;
  private readonly timers = new Map<number, Timer>();
  /** Handles this clock gave out, so exploration's state key can tell a live one from a spent one. */
  private readonly handles = new WeakSet<object>();

  now(): number {
    return this.time;
  }

  advanceTo(t: number): void {
    if (t < this.time) throw new Error(`time cannot go back (${t} < ${this.time})`);
    this.time = t;
  }

  /** A Clock whose timers are owned by `owner`. */
  scoped(owner: string): Clock {
    return {
      now: () => this.time,
      setTimer: (delayMs, callback) => this.add(owner, delayMs, callback),
      clearTimer: (h) => void this.timers.delete(h.id),
    };
  }

  /** The owner's process is suspended until `until` (a laptop asleep): none of its timers fires before. */
  postponeOwner(owner: string, until: number): void {
    for (const t of this.timers.values()) if (t.owner === owner && t.at < until) t.at = until;
  }

  dropOwner(owner: string): void {
    for (const [id, t] of this.timers) if (t.owner === owner) this.timers.delete(id);
  }

  /** Due timers in a stable order (time, then creation). */
  due(): Timer[] {
    return [...this.timers.values()].filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at || a.id - b.id);
  }

  nextAt(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers.values()) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  fire(id: number): boolean {
    const t = this.timers.get(id);
    if (!t) return false;
    this.timers.delete(id);
    t.callback();
    return true;
  }

  /**
   * Pending timers relative to now, without ids (for exploration's state key): the owner, when,
   * and what will run. Timers take no label, so the callback's source stands for it: two timers of
   * one owner due at the same moment but running different code must not look alike.
   */
  pending(): string[] {
    return [...this.timers.values()].map((t) => this.keyOf(t)).sort();
  }

  /** For the state key: a handle some object holds, as the timer it names (ids are history). */
  describeHandle(h: object): string | undefined {
    if (!this.handles.has(h)) return undefined;
    const t = this.timers.get((h as TimerHandle).id);
    return t ? `handle(${this.keyOf(t)})` : "handle(spent)";
  }

  private keyOf(t: Timer): string {
    return `${t.owner}@+${t.at - this.time} ${t.callback.toString()}`;
  }

  describe(id: number): string {
    const t = this.timers.get(id);
    return t ? `timer ${t.owner}#${t.id}` : `timer #${id}`;
  }

  private add(owner: string, delayMs: number, callback: () => void): TimerHandle {
    const id = this.nextID++;
    this.timers.set(id, { id, at: this.time + Math.max(0, Math.floor(delayMs)), owner, callback });
    const handle = { id };
    this.handles.add(handle);
    return handle;
  }
}
