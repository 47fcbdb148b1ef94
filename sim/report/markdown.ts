// report.md: GitHub-renderable Markdown (tables and ```mermaid blocks), a pure function of the data.
import type { DesignResult, ReportData } from "./collect.js";
import {
  FAULT_KINDS, dedupeDesigns, faultTotal, findings, fixed, int, percent, probePoints, probeTotals, rate, seedRange, shortLabel, tradeOffSentence,
} from "./format.js";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function table(head: string[], rows: string[][], align?: ("l" | "r")[]): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "r" ? "---:" : "---"));
  return [head, sep, ...rows].map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");
}

function code(text: string): string {
  return `\`${text}\``;
}

export function renderMarkdown(data: ReportData): string {
  const out: string[] = [];
  const designs = data.designs;
  out.push(`# Durability report: ${data.scenario.name}`, "");
  out.push(`The same seeds run through every design: today's legacy ShareNext, and the outbox with each server dedupe policy. ` +
    `Every run is a deterministic simulation (real client, real server, faulty in-memory wire); times are virtual.`, "");
  out.push(table(["", ""], [
    ["scenario", `${code(data.scenario.name)} (${data.scenario.transport} wire, ${data.scenario.ops} ops per run)${data.scenario.description ? ` — ${data.scenario.description}` : ""}`],
    ["seeds", `${seedRange(data)} (${data.seeds.count} per design)`],
    ["designs", designs.map((d) => d.spec.label).join("; ")],
    ["sturdy", `${data.version}, commit ${code(data.commit)}`],
    ["reproduce", code(data.command)],
  ], ["l", "l"]), "");

  out.push("## Findings", "");
  for (const f of findings(data)) out.push(`- ${f}`);
  const tradeOff = tradeOffSentence(data);
  if (tradeOff) out.push("", tradeOff);
  out.push("");

  out.push("## Per design", "");
  out.push("### Outcome", "");
  out.push(table(
    ["design", "runs", "failing runs", "lost ops", "double-apply runs", "converged", "p50 ms", "p99 ms", "max ms"],
    designs.map((d) => [
      d.spec.label, int(d.runs), `${int(d.failingRuns)} (${percent(d.failingRuns, d.runs)})`, int(d.ops.lost),
      `${int(d.doubleApplyRuns)} (${percent(d.doubleApplyRuns, d.runs)})`, `${d.converged}/${d.runs} (${percent(d.converged, d.runs)})`,
      int(d.convergenceMs.p50), int(d.convergenceMs.p99), int(d.convergenceMs.max),
    ]),
  ), "");
  out.push("Time to convergence is virtual ms after the last fault, over the runs that converged.", "");

  out.push("### Violations by invariant", "");
  out.push("Runs in which each invariant was violated (a run can violate several).", "");
  const ids = data.invariants.map((i) => i.id);
  out.push(table(["design", ...ids], designs.map((d) => [d.spec.label, ...ids.map((id) => int(d.violationsByInvariant[id] ?? 0))])), "");

  out.push("### Ops and cost on the wire", "");
  out.push(table(
    ["design", "enqueued", "applied", "duplicates", "rejected", "lost", "round trips / op", "wire bytes / op"],
    designs.map((d) => [
      d.spec.label, int(d.ops.enqueued), int(d.ops.applied), int(d.ops.duplicates), int(d.ops.rejected), int(d.ops.lost),
      fixed(d.roundTripsPerOp), int(d.wireBytesPerOp),
    ]),
  ), "");
  out.push("`applied` counts every server-side effect, so it exceeds `enqueued` when ops are applied twice; `duplicates` are replays the server recognised and ignored.", "");

  out.push("### Faults injected, by kind", "");
  out.push(table(["fault kind", ...designs.map(shortLabel)], FAULT_KINDS.map((k) => [k.label, ...designs.map((d) => int(k.get(d.faults)))])), "");
  out.push("The seeds are the same for every design; the faults differ because each design puts different traffic on the wire.", "");

  out.push("## Shortest counterexamples", "");
  const failing = designs.filter((d) => d.counterexample);
  if (failing.length === 0) out.push("No design violated an invariant on these seeds.", "");
  for (const d of failing) out.push(...counterexample(d), "");
  const failingWithout = designs.filter((d) => d.failingRuns > 0 && !d.counterexample);
  for (const d of failingWithout) out.push(`- ${d.spec.label}: ${d.failingRuns} failing runs, but no shrunk counterexample (the failure did not reproduce while shrinking).`, "");

  out.push("## Dedupe trade-off: storage vs double-apply", "");
  out.push("What each server dedupe policy keeps (op_id ledger rows plus writer high-water marks, mean per run at the end) " +
    "against how often a late duplicate request was applied a second time (runs with an S1 violation).", "");
  out.push(table(
    ["policy", "ledger rows kept (mean per run)", "double-apply runs", "double-apply rate", "failing runs", "lost ops"],
    designs.map((d) => [
      d.spec.dedupe ? d.spec.label : `${d.spec.label} (no ledger)`, fixed(d.ledgerRowsPerRun, 1), int(d.doubleApplyRuns),
      percent(d.doubleApplyRuns, d.runs), int(d.failingRuns), int(d.ops.lost),
    ]),
  ), "");
  out.push(...tradeOffChart(dedupeDesigns(data)), "");

  out.push("## Fault and crash-point coverage", "");
  out.push("### Fault kinds exercised (all designs)", "");
  out.push(table(
    ["fault kind", "injected", "exercised"],
    FAULT_KINDS.map((k) => {
      const n = faultTotal(data, k.get);
      return [k.label, int(n), n > 0 ? "yes" : "no"];
    }),
  ), "");
  out.push("### Probe points (durability boundaries)", "");
  out.push("How often each probe point was reached, and how often a node crashed there; the crash column stays 0 unless the scenario injects crashes at probes.", "");
  const points = probePoints(data);
  out.push(table(
    ["probe point", "reached", "crashed at", ...designs.map(shortLabel)],
    points.map((p) => {
      const t = probeTotals(data, p);
      return [code(p), int(t.hit), int(t.crashed), ...designs.map((d) => int(d.coverage.probes[p]?.hit ?? 0))];
    }),
  ), "");

  out.push("## Invariants", "");
  out.push(table(["id", "what it protects"], data.invariants.map((i) => [`**${i.id}**`, i.text]), ["l", "l"]), "");
  return out.join("\n");
}

function counterexample(d: DesignResult): string[] {
  const cx = d.counterexample!;
  const invariants = [...new Set(cx.violations.map((v) => v.invariant))].join(", ");
  return [
    `### ${d.spec.label}: ${invariants}`,
    "",
    `Seed ${cx.seed}, shrunk to ${cx.actions.length} user action${cx.actions.length === 1 ? "" : "s"} and ${cx.faults.length} fault${cx.faults.length === 1 ? "" : "s"}` +
      `${cx.faults.length ? ` (${cx.faults.map(code).join(", ")})` : ""}; ${cx.lines} diagram lines; the shortest of seeds ${cx.tried.join(", ")} (trace ${code(cx.traceHash)}).`,
    "",
    ...cx.violations.slice(0, 5).map((v) => `- **${v.invariant}** ${v.message}`),
    "",
    "Replay:",
    "",
    "```sh",
    cx.replay,
    "```",
    "",
    "```mermaid",
    cx.mermaid,
    "```",
  ];
}

/** The trade-off as a Mermaid xychart (GitHub renders it): double-apply rate by policy, ordered by storage. */
function tradeOffChart(designs: DesignResult[]): string[] {
  if (designs.length === 0) return [];
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
  ];
}
