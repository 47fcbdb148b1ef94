// The report's detail sections, as blocks: every dedupe policy on the main scenario, the shrunk
// counterexamples with their failing step marked, and what the faults and crash points covered.
import { mainScenario, type DesignResult, type ReportData, type ScenarioResult } from "./collect.js";
import type { Block, Table } from "./document.js";
import { convergenceChart, faultChart, probeChart, tradeOffChart, tradeOffXychart, violationChart } from "./charts.js";
import {
  FAULT_KINDS, allDesigns, countOf, dedupeDesigns, faultTotal, fixed, int, percent, plural, probePoints, probeTotals, shortLabel,
} from "./format.js";
import { userImpact } from "./impact.js";

export function dedupeSection(data: ReportData): Block[] {
  const main = mainScenario(data);
  const designs = main.designs;
  const ids = data.invariants.map((i) => i.id);
  const heading = (text: string): Block => ({ kind: "heading", level: 3, text });
  const note = (text: string): Block => ({ kind: "paragraph", muted: true, text });
  return [
    { kind: "heading", level: 2, text: `Dedupe policies on ${main.scenario.name}` },
    { kind: "paragraph", text: `Every design on \`${main.scenario.name}\`: ${main.scenario.description}` },
    heading("Outcome"),
    { kind: "table", table: outcomeTable(designs) },
    note("Time to convergence is virtual ms after the last fault, over the runs that converged."),
    { kind: "chart", svg: convergenceChart(designs) },
    heading("Violations by invariant"),
    note("Runs in which each invariant was violated (a run can violate several)."),
    { kind: "table", table: { head: ["design", ...ids], rows: designs.map((d) => [d.spec.label, ...ids.map((id) => int(d.violationsByInvariant[id] ?? 0))]) } },
    { kind: "chart", svg: violationChart(data, main) },
    heading("Storage vs double-apply"),
    note("What each server dedupe policy keeps (op_id ledger rows plus writer high-water marks, mean per run at the end) against how often a late duplicate request was applied a second time (runs with an S1 violation)."),
    { kind: "table", table: tradeOffTable(designs) },
    { kind: "chart", markdown: tradeOffXychart(dedupeDesigns(designs)), svg: tradeOffChart(designs) },
    heading("Ops and cost on the wire"),
    { kind: "table", table: opsTable(designs) },
    note("`applied` counts every server-side effect, so it exceeds `enqueued` when ops are applied twice; `duplicates` are replays the server recognised and ignored."),
    heading("Faults injected, by kind"),
    { kind: "table", table: { head: ["fault kind", ...designs.map(shortLabel)], rows: FAULT_KINDS.map((k) => [k.label, ...designs.map((d) => int(k.get(d.faults)))]) } },
    note("The seeds are the same for every design; the faults differ because each design puts different traffic on the wire."),
  ];
}

function outcomeTable(designs: DesignResult[]): Table {
  return {
    head: ["design", "runs", "runs with a violation", "rows lost or stale", "double-apply runs", "converged", "p50 ms", "p99 ms", "max ms"],
    rows: designs.map((d) => [
      d.spec.label, int(d.runs), countOf(d.failingRuns, d.runs), int(d.ops.lost), countOf(d.doubleApplyRuns, d.runs),
      `${d.converged}/${d.runs} (${percent(d.converged, d.runs)})`, int(d.convergenceMs.p50), int(d.convergenceMs.p99), int(d.convergenceMs.max),
    ]),
  };
}

function tradeOffTable(designs: DesignResult[]): Table {
  return {
    head: ["policy", "ledger rows kept (mean per run)", "double-apply runs", "double-apply rate", "runs with a violation", "rows lost or stale"],
    rows: designs.map((d) => [
      d.spec.dedupe ? d.spec.label : `${d.spec.label} (no ledger)`, fixed(d.ledgerRowsPerRun, 1), int(d.doubleApplyRuns),
      percent(d.doubleApplyRuns, d.runs), int(d.failingRuns), int(d.ops.lost),
    ]),
  };
}

function opsTable(designs: DesignResult[]): Table {
  return {
    head: ["design", "enqueued", "applied", "duplicates", "rejected", "rows lost or stale", "round trips / op", "wire bytes / op"],
    rows: designs.map((d) => [
      d.spec.label, int(d.ops.enqueued), int(d.ops.applied), int(d.ops.duplicates), int(d.ops.rejected), int(d.ops.lost),
      fixed(d.roundTripsPerOp), int(d.wireBytesPerOp),
    ]),
  };
}

export function counterexampleSection(data: ReportData): Block[] {
  const blocks: Block[] = [
    { kind: "heading", level: 2, text: "Shortest counterexamples" },
    { kind: "paragraph", text: "Each failing (scenario, design), shrunk to the fewest user actions and faults that still fail the same way. In each diagram the step at which the first violation was detected is highlighted in red, with the violation beside it." },
  ];
  const failing = allDesigns(data).filter(({ design }) => design.failingRuns > 0);
  if (failing.length === 0) return [...blocks, { kind: "paragraph", text: "No design violated an invariant on these seeds." }];
  for (const { scenario, design } of failing) {
    blocks.push(design.counterexample
      ? counterexampleBox(scenario, design)
      : { kind: "paragraph", text: `${scenario.scenario.name} · ${design.spec.label}: ${design.failingRuns} failing runs, but no shrunk counterexample (the failure did not reproduce while shrinking).` });
  }
  return blocks;
}

export function counterexampleBox(s: ScenarioResult, d: DesignResult): Block {
  const cx = d.counterexample!;
  const [first, ...others] = cx.violations;
  const faults = cx.faults.length ? ` (${cx.faults.map((f) => `\`${f}\``).join(", ")})` : "";
  const blocks: Block[] = [
    { kind: "heading", level: 3, text: `${s.scenario.name} · ${d.spec.label}: ${[...new Set(cx.violations.map((v) => v.invariant))].join(", ")}` },
    { kind: "paragraph", text: `Seed ${cx.seed} of \`${s.scenario.name}\`, shrunk to ${plural(cx.actions.length, "user action")} and ${plural(cx.faults.length, "fault")}${faults}; ` +
      `${cx.lines} diagram lines; the shortest of seeds ${cx.tried.join(", ")} (trace \`${cx.traceHash}\`).` },
  ];
  if (first) {
    blocks.push({ kind: "paragraph", tone: "bad", text: `**${first.invariant}** at step ${first.step} (highlighted): ${first.message}` });
    blocks.push({ kind: "paragraph", text: `What the user loses: ${userImpact(first.invariant)}.` });
  }
  if (others.length) blocks.push({ kind: "list", items: others.slice(0, 4).map((v) => ({ text: `**${v.invariant}** at step ${v.step}: ${v.message}` })) });
  blocks.push({ kind: "paragraph", text: "Replay:" }, { kind: "code", lang: "sh", text: cx.replay });
  blocks.push({ kind: "sequence", mermaid: cx.mermaid, title: `Counterexample for ${d.spec.label} on ${s.scenario.name}` });
  return { kind: "box", blocks };
}

export function coverageSection(data: ReportData): Block[] {
  const pairs = allDesigns(data);
  const all = pairs.map((p) => p.design);
  const points = probePoints(data);
  const inScenario = (s: ScenarioResult, p: string) => probeTotals(s.designs, p);
  return [
    { kind: "heading", level: 2, text: "Fault and crash-point coverage" },
    { kind: "heading", level: 3, text: "Fault kinds exercised (all scenarios and designs)" },
    {
      kind: "table",
      table: {
        head: ["fault kind", "injected", ...data.scenarios.map((s) => s.scenario.name), "exercised"],
        rows: FAULT_KINDS.map((k) => {
          const n = faultTotal(all, k.get);
          return [k.label, int(n), ...data.scenarios.map((s) => int(faultTotal(s.designs, k.get))), n > 0 ? "yes" : "no"];
        }),
      },
    },
    { kind: "chart", svg: faultChart(data) },
    { kind: "heading", level: 3, text: "Probe points (durability boundaries)" },
    { kind: "paragraph", muted: true, text: "How often each probe point was reached, and how often a node crashed there (per scenario: reached / crashed at); crashes at probes happen only where the scenario injects them." },
    {
      kind: "table",
      table: {
        head: ["probe point", "reached", "crashed at", ...data.scenarios.map((s) => s.scenario.name)],
        rows: points.map((p) => {
          const t = probeTotals(all, p);
          return [{ text: p, code: true }, int(t.hit), int(t.crashed), ...data.scenarios.map((s) => `${int(inScenario(s, p).hit)} / ${int(inScenario(s, p).crashed)}`)];
        }),
      },
    },
    { kind: "chart", svg: probeChart(data) },
  ];
}
