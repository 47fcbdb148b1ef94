// Planted: exponential backoff with no cap (maxMs left at "infinity"). Short faults heal as before;
// after a long outage the next retry is hours away and the client goes quiet long after the
// network came back (L1). Only long outages show it.
import type { FlusherOptions } from "../../src/client/flusher.js";

export function uncapped(options: FlusherOptions): FlusherOptions {
  return { ...options, backoff: { ...options.backoff, maxMs: Number.MAX_SAFE_INTEGER } };
}
