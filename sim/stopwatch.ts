// Wall-clock time for measuring the harness itself (runs/s), never read by the world.
export function stopwatch(): () => number {
  const start = performance.now(); // determinism-allow: measures the harness, not the simulated world
  return () => performance.now() - start; // determinism-allow: measures the harness, not the simulated world
}
