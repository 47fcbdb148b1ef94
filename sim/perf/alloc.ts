// Bytes allocated on the V8 heap during a phase. Node 20 has no allocation counter
// (getHeapStatistics has no total_allocated_bytes), but v8.GCProfiler records the used heap
// before and after every collection, and between two collections the used heap only grows by
// what was allocated. So: allocated = Σ (used before a GC − used after the previous one) + the
// growth since the last GC. This counts the JS heap only: not Buffer / ArrayBuffer backing
// stores, not SQLite's own malloc.
import v8 from "node:v8";

export function watchAllocations(): () => number {
  const profiler = new v8.GCProfiler();
  const start = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  return () => {
    const end = v8.getHeapStatistics().used_heap_size;
    // @types/node spells these fields like getHeapStatistics() (used_heap_size); Node 20 reports
    // them in camelCase (usedHeapSize), as its own documentation shows.
    const gcs = profiler.stop().statistics as unknown as GcStat[];
    return allocatedBytes(start, gcs, end);
  };
}

type GcStat = { beforeGC: { heapStatistics: { usedHeapSize: number } }; afterGC: { heapStatistics: { usedHeapSize: number } } };

/** The sum described above, apart so it can be checked on made-up numbers. */
export function allocatedBytes(start: number, gcs: readonly GcStat[], end: number): number {
  let previous = start;
  let total = 0;
  for (const gc of gcs) {
    total += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - previous);
    previous = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return total + Math.max(0, end - previous);
}
