// Garbage collections during a phase, from the performance timeline's "gc" entries. Their
// durations are pause times on the main thread, i.e. wall-clock: on a busy machine a pause can be
// stretched by preemption, so GC ms is an upper bound, and concurrent marking on V8's helper
// threads is in the CPU figure but not here.
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";

export interface GcTally {
  events: number;
  ms: number;
}

/** Starts counting; the returned function stops and gives the tally. */
export function watchGc(): () => Promise<GcTally> {
  const tally: GcTally = { events: 0, ms: 0 };
  const add = (entries: PerformanceEntry[]) => {
    for (const e of entries) {
      tally.events += 1;
      tally.ms += e.duration;
    }
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  return async () => {
    // gc entries are queued from the GC epilogue and delivered on a later turn: give them one,
    // then take whatever is still buffered so the last collections of the phase are not lost.
    await new Promise((resolve) => setImmediate(resolve));
    add(observer.takeRecords());
    observer.disconnect();
    return tally;
  };
}
