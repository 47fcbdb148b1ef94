// The machine-readable summary of one run (the last line of `--json`), and a human one.
import type { RunResult } from "../world/world.js";
import { describeFrameFaults } from "../net/faults.js";

export function runSummary(r: RunResult) {
  return {
    seed: r.seed,
    scenario: r.scenario,
    design: r.design,
    ...(r.legacyServer ? { legacyServer: r.legacyServer } : {}),
    dedupe: r.dedupe,
    transport: r.transport,
    traceHash: r.traceHash,
    steps: r.steps,
    virtualTimeMs: r.virtualTimeMs,
    faults: {
      dropped: r.faults.dropped,
      duplicated: r.faults.duplicated,
      reordered: r.faults.reordered,
      delayed: r.faults.delayed,
      severed: r.faults.severed,
      partitions: r.faults.partitions,
      crashes: r.faults.crashes.client + r.faults.crashes.server,
      crashesBySide: r.faults.crashes,
      frames: r.faults.frames,
    },
    mix: r.mix,
    ops: r.ops,
    converged: r.converged,
    convergenceMs: r.convergenceMs,
    violations: r.violations,
  };
}

export function describeRun(r: RunResult): string {
  const f = r.faults;
  const lines = [
    `${r.scenario} / ${r.design}${r.legacyServer ? ` against the ${r.legacyServer} server` : ""} (${r.transport}, dedupe ${r.dedupe}) seed ${r.seed}`,
    `  trace ${r.traceHash}  steps ${r.steps}  virtual ${r.virtualTimeMs} ms`,
    `  faults: ${f.dropped} dropped, ${f.duplicated} duplicated, ${f.reordered} reordered, ${f.delayed} delayed, ` +
      `${f.severed} severed, ${f.partitions} partitions, ${f.powerLosses} power losses, ${f.outages} outages, crashes ${f.crashes.client} client / ${f.crashes.server} server${describeFrameFaults(f)}`,
    `  ops: ${r.ops.enqueued} enqueued, ${r.ops.applied} applied, ${r.ops.duplicates} duplicates, ${r.ops.rejected} rejected, ${r.ops.lost} lost`,
    `  ${r.converged ? "converged" : "DID NOT CONVERGE"} (${r.convergenceMs} ms after the last fault)`,
  ];
  for (const v of r.violations.slice(0, 10)) lines.push(`  ✗ ${v.invariant} at step ${v.step}: ${v.message}`);
  if (r.violations.length > 10) lines.push(`  … ${r.violations.length - 10} more violations`);
  if (r.violations.length === 0) lines.push("  ✓ all invariants held");
  return lines.join("\n");
}
