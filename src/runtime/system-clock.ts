// The real world's time and randomness, for the real-wire runtime (`sturdy serve`, real clients).
// This is the ONE file in src/ that reads the wall clock, arms real timers and draws real
// randomness; everything else gets them through the Clock and Rng ports, so the sim can replace
// them with deterministic ones. eslint.config.js names this file among its determinism exceptions.
import { randomBytes } from "node:crypto";
import type { Clock, Rng, TimerHandle } from "../protocol/ports.js";

/** Wall-clock time in ms and real timers. Timers are unref'd only if asked (a CLI may want to exit). */
export class SystemClock implements Clock {
  private nextID = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: { unref?: boolean } = {}) {}

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.nextID++;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, Math.max(0, delayMs));
    if (this.options.unref) timer.unref();
    this.timers.set(id, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(handle.id);
  }

  /** Cancel every pending timer (shutdown). */
  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Pending timers, for tests and shutdown checks. */
  get pending(): number {
    return this.timers.size;
  }
}

/**
 * Randomness from the OS CSPRNG. `id()` yields 128 bits (base64url), strong enough for share
 * secrets; `next()` uses 48 bits per draw (jitter needs no more).
 */
export class SystemRng implements Rng {
  next(): number {
    return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
  }

  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  id(prefix: string): string {
    return prefix + randomBytes(16).toString("base64url");
  }
}
