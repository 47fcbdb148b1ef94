// The report's charts: inline SVG for the HTML page (svg.ts) and, where GitHub can draw one, a
// Mermaid xychart for the Markdown. Each is a pure function of the results it is given.
import type { DesignResult, ReportData, ScenarioResult } from "./collect.js";
import { FAULT_KINDS, dedupeDesigns, faultTotal, fixed, rate, shortLabel, allDesigns, probePoints, probeTotals } from "./format.js";
import { barChart, lineChart, PALETTE, type LineSeries } from "./svg.js";

export function convergenceChart(designs: DesignResult[]): string {
  return barChart({
    title: "Time to convergence after the last fault (virtual ms)",
    categories: designs.map((d) => d.spec.label),
    series: [
      { name: "p50", values: designs.map((d) => d.convergenceMs.p50), color: PALETTE[0] },
      { name: "p99", values: designs.map((d) => d.convergenceMs.p99), color: PALETTE[3] },
      { name: "max", values: designs.map((d) => d.convergenceMs.max), color: PALETTE[1] },
    ],
    valueLabel: "virtual ms after the last fault",
    categoryLabel: "design",
  });
}

export function violationChart(data: ReportData, s: ScenarioResult): string {
  const seen = data.invariants.map((i) => i.id).filter((id) => s.designs.some((d) => (d.violationsByInvariant[id] ?? 0) > 0));
  const ids = seen.length ? seen : ["S1"];
  return barChart({
    title: `Runs violating each invariant, by design (${s.scenario.name})`,
    categories: s.designs.map((d) => d.spec.label),
    series: ids.map((id, i) => ({ name: id, values: s.designs.map((d) => d.violationsByInvariant[id] ?? 0), color: PALETTE[(i + 1) % PALETTE.length] })),
    valueLabel: `runs (of ${data.seeds.count})`,
    categoryLabel: "design",
  });
}

/** Runs with a violation (%) per scenario, one bar per design: crashes and power loss beside the lossy wire. */
export function durabilityChart(scenarios: ScenarioResult[], ids: string[]): string {
  const designs = ids.map((id) => scenarios.flatMap((s) => s.designs).find((d) => d.spec.id === id)!).filter(Boolean);
  return barChart({
    title: "Runs with a violation, by scenario and design (%)",
    categories: scenarios.map((s) => s.scenario.name),
    series: designs.map((d, i) => ({
      name: d.spec.label,
      values: scenarios.map((s) => {
        const r = s.designs.find((x) => x.spec.id === d.spec.id);
        return r ? Math.round(rate(r.failingRuns, r.runs) * 1000) / 10 : 0;
      }),
      color: PALETTE[[1, 2, 4, 0][i % 4]!],
    })),
    valueLabel: "runs with a violation (%)",
    categoryLabel: "scenario",
    format: (v) => `${v}%`,
  });
}

export function tradeOffChart(designs: DesignResult[]): string {
  const pct = (d: DesignResult) => rate(d.doubleApplyRuns, d.runs) * 100;
  const point = (d: DesignResult) => ({ x: d.ledgerRowsPerRun, y: pct(d), label: shortLabel(d) });
  const dedupe = dedupeDesigns(designs);
  const windows = dedupe.filter((d) => d.spec.dedupe?.startsWith("window("));
  const series: LineSeries[] = [];
  if (windows.length) series.push({ name: "window(N): keeps the last N op_ids", points: windows.map(point), line: true, marker: "circle", color: PALETTE[0] });
  for (const d of dedupe.filter((x) => x.spec.dedupe === "permanent")) series.push({ name: "permanent op_id ledger", points: [point(d)], marker: "square", color: PALETTE[2] });
  for (const d of dedupe.filter((x) => x.spec.dedupe === "writer-seq")) series.push({ name: "writer-seq high-water mark", points: [point(d)], marker: "diamond", color: PALETTE[4] });
  for (const d of designs.filter((x) => x.spec.dedupe === null)) {
    series.push({ name: "legacy ShareNext (no ledger)", points: [{ ...point(d), label: "legacy" }], marker: "triangle", color: PALETTE[1] });
  }
  return lineChart({
    title: "Dedupe trade-off: storage kept vs double-apply rate",
    xLabel: "dedupe ledger rows kept (mean per run)",
    yLabel: "runs with a double-apply (%)",
    series,
    yMax: 100,
    yFormat: (v) => `${v}%`,
  });
}

/** The trade-off as a Mermaid xychart (GitHub renders it): double-apply rate by policy, ordered by storage. */
export function tradeOffXychart(designs: DesignResult[]): string | undefined {
  if (designs.length === 0) return undefined;
  const ordered = [...designs].sort((a, b) => a.ledgerRowsPerRun - b.ledgerRowsPerRun || a.spec.id.localeCompare(b.spec.id));
  const labels = ordered.map((d) => `"${shortLabel(d)} (${fixed(d.ledgerRowsPerRun, 0)} rows)"`);
  const values = ordered.map((d) => fixed(rate(d.doubleApplyRuns, d.runs) * 100, 1));
  return [
    "```mermaid",
    "xychart-beta",
    `  title "Double-apply rate by dedupe policy (ordered by rows kept)"`,
    `  x-axis "policy (mean ledger rows kept per run)" [${labels.join(", ")}]`,
    `  y-axis "runs with a double-apply (%)" 0 --> 100`,
    `  bar [${values.join(", ")}]`,
    "```",
  ].join("\n");
}

export function faultChart(data: ReportData): string {
  const designs = allDesigns(data).map((x) => x.design);
  return barChart({
    title: "Faults injected by kind (all scenarios, designs and seeds)",
    categories: FAULT_KINDS.map((k) => k.label),
    series: [{ name: "injected", values: FAULT_KINDS.map((k) => faultTotal(designs, k.get)), color: PALETTE[0] }],
    valueLabel: "faults injected",
    categoryLabel: "fault kind",
  });
}

export function probeChart(data: ReportData): string {
  const designs = allDesigns(data).map((x) => x.design);
  const points = probePoints(data);
  return barChart({
    title: "Probe points reached and crashed at (all scenarios, designs and seeds)",
    categories: points,
    series: [
      { name: "reached", values: points.map((p) => probeTotals(designs, p).hit), color: PALETTE[0] },
      { name: "crashed at", values: points.map((p) => probeTotals(designs, p).crashed), color: PALETTE[1] },
    ],
    valueLabel: "times (summed over runs)",
    categoryLabel: "probe point",
  });
}
