// Wall-clock time for measuring the harness itself (runs/s), never read by the world.
export function stopwatch(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}
