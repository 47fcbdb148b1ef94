// The only ways src/ touches time and randomness: the sim injects deterministic versions,
// production would inject wall-clock ones.
export interface TimerHandle { readonly id: number }

export interface Clock {
  now(): number;
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(bound: number): number;
  chance(p: number): boolean;
  /** A short id made of the stream's randomness (for writer ids, share secrets). */
  id(prefix: string): string;
}
