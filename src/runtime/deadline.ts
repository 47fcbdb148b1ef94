// A timeout on a peer that is fair to the peer when the server itself stalls. Node runs due timers
// before it reads the sockets, so after the event loop was blocked for longer than a timeout (a
// busy machine, a long GC), the timer fires although the peer's bytes are already waiting to be
// read. So a deadline, when it comes, waits one more turn of the event loop: whatever arrived
// meanwhile is read first, and the caller's clear() (on a frame, at the end of a body) cancels it.
import type { Clock, TimerHandle } from "../protocol/ports.js";

export interface Deadline {
  clear(): void;
}

export function armDeadline(clock: Clock, ms: number, expire: () => void): Deadline {
  let handle: TimerHandle | undefined = clock.setTimer(ms, () => {
    handle = clock.setTimer(0, () => {
      handle = undefined;
      expire();
    });
  });
  return {
    clear: () => {
      if (handle) clock.clearTimer(handle);
      handle = undefined;
    },
  };
}
