// Race a promise against a virtual-time timer from the injected Clock.
import type { Clock } from "../protocol/ports.js";

export class TimeoutError extends Error {
  constructor(ms: number) { super(`timed out after ${ms} ms`); this.name = "TimeoutError"; }
}

export function withTimeout<T>(promise: PromiseLike<T>, ms: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(ms, () => reject(new TimeoutError(ms)));
    Promise.resolve(promise).then(
      (v) => { clock.clearTimer(timer); resolve(v); },
      (e: unknown) => { clock.clearTimer(timer); reject(e); },
    );
  });
}
