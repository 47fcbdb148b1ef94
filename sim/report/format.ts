// What both renderers say the same way: names, numbers, rates, the fault kinds and the findings.
import type { DesignResult, ReportData } from "./collect.js";
import type { FaultCounts } from "../faults.js";

export function shortLabel(d: DesignResult): string {
  return d.spec.dedupe ?? "legacy";
}

export function int(v: number): string {
  return Math.round(v).toLocaleString("en-US");
}

export function fixed(v: number, digits = 2): string {
  return v.toFixed(digits);
}

export function percent(part: number, whole: number, digits = 1): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(digits)}%` : "–";
}

export function rate(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

export function seedRange(data: ReportData): string {
  const { from, count } = data.seeds;
  return count === 1 ? `${from}` : `${from}…${from + count - 1}`;
}

export const FAULT_KINDS: { key: string; label: string; get: (f: FaultCounts) => number }[] = [
  { key: "dropped", label: "dropped", get: (f) => f.dropped },
  { key: "duplicated", label: "duplicated (proxy replay)", get: (f) => f.duplicated },
  { key: "reordered", label: "reordered (overtaken)", get: (f) => f.reordered },
  { key: "delayed", label: "delayed", get: (f) => f.delayed },
  { key: "severed", label: "connection severed", get: (f) => f.severed },
  { key: "partitions", label: "partitions", get: (f) => f.partitions },
  { key: "powerLosses", label: "power losses", get: (f) => f.powerLosses },
  { key: "crashClient", label: "client crashes", get: (f) => f.crashes.client },
  { key: "crashServer", label: "server crashes", get: (f) => f.crashes.server },
];

/** Probe points in the order of PROBE_POINTS (as the coverage data lists them). */
export function probePoints(data: ReportData): string[] {
  const seen: string[] = [];
  for (const d of data.designs) for (const p of Object.keys(d.coverage.probes)) if (!seen.includes(p)) seen.push(p);
  return seen;
}

export function probeTotals(data: ReportData, point: string): { hit: number; crashed: number } {
  let hit = 0;
  let crashed = 0;
  for (const d of data.designs) {
    hit += d.coverage.probes[point]?.hit ?? 0;
    crashed += d.coverage.probes[point]?.crashed ?? 0;
  }
  return { hit, crashed };
}

export function faultTotal(data: ReportData, get: (f: FaultCounts) => number): number {
  return data.designs.reduce((a, d) => a + get(d.faults), 0);
}

/** The designs that dedupe with an op ledger or writer marks (all but legacy), by storage kept. */
export function dedupeDesigns(data: ReportData): DesignResult[] {
  return data.designs.filter((d) => d.spec.dedupe !== null);
}

export function violationsCell(d: DesignResult): string {
  const entries = Object.entries(d.violationsByInvariant).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(", ") : "none";
}

/** The dedupe trade-off in one sentence, or null when no design dedupes. */
export function tradeOffSentence(data: ReportData): string | null {
  const designs = dedupeDesigns(data);
  if (designs.length === 0) return null;
  const parts = designs.map((d) => `${shortLabel(d)} ${percent(d.doubleApplyRuns, d.runs)}, ${fixed(d.ledgerRowsPerRun, 1)} rows`);
  return `Dedupe trade-off (runs with a double-apply; dedupe rows kept per run): ${parts.join("; ")}.`;
}

/** One plain sentence per design: what happened to it on these seeds. */
export function findings(data: ReportData): string[] {
  return data.designs.map((d) => {
    const name = d.spec.label;
    const conv = `converged in ${d.converged}/${d.runs} runs`;
    if (d.failingRuns === 0) {
      return `${name}: no invariant violated in ${d.runs} runs, ${conv}, ${int(d.ops.lost)} ops lost, ` +
        `${fixed(d.ledgerRowsPerRun, 1)} dedupe rows kept per run.`;
    }
    return `${name}: ${d.failingRuns}/${d.runs} runs (${percent(d.failingRuns, d.runs)}) violated an invariant (${violationsCell(d)}); ` +
      `double-apply in ${d.doubleApplyRuns} runs (${percent(d.doubleApplyRuns, d.runs)}), ${int(d.ops.lost)} ops lost, ${conv}.`;
  });
}
