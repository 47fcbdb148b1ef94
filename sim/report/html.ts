// report.html: ONE self-contained page (inline CSS, inline SVG, no scripts, no network), a pure
// function of the data. Counterexamples are drawn as SVG sequence diagrams from their Mermaid text.
import type { DesignResult, ReportData } from "./collect.js";
import {
  FAULT_KINDS, dedupeDesigns, faultTotal, findings, fixed, int, percent, probePoints, probeTotals, rate, seedRange, shortLabel, tradeOffSentence,
} from "./format.js";
import { barChart, escapeXml as esc, lineChart, PALETTE, type LineSeries } from "./svg.js";
import { sequenceSvg } from "./sequence-svg.js";

const CSS = `
:root{color-scheme:light}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f9fafb;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px 28px 64px;background:#fff;box-shadow:0 0 0 1px #e5e7eb}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #e5e7eb}
h3{font-size:16px;margin:22px 0 8px}p{margin:6px 0 10px}.muted{color:#4b5563;font-size:14px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:13.5px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d1d5db;padding:5px 9px;vertical-align:top}
th{background:#f3f4f6;text-align:left;font-weight:600}td.num,th.num{text-align:right;white-space:nowrap}
tbody tr:nth-child(even){background:#fafafa}td:first-child{white-space:nowrap}
table.meta th{width:120px}table.meta td{max-width:900px}
code,pre{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px}
pre{background:#f3f4f6;padding:10px 12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.scroll{overflow-x:auto}.chart,.sequence{display:block;margin:10px 0 18px;max-width:100%;height:auto}
.bad{color:#b91c1c;font-weight:600}.good{color:#15803d;font-weight:600}
ul.findings li{margin:3px 0}details{margin:6px 0 14px}summary{cursor:pointer;color:#1d4ed8}
.cx{border:1px solid #e5e7eb;border-radius:8px;padding:4px 16px 8px;margin:14px 0}
`;

const NUMERIC = /^[-–\d.,%/ ()]+$/;

/** A table; a column whose cells are all numbers is right-aligned, header included. */
function table(head: string[], rows: string[][], opts: { className?: string } = {}): string {
  const numeric = head.map((_, i) => i > 0 && rows.length > 0 && rows.every((r) => NUMERIC.test(r[i] ?? "")));
  const cls = (i: number) => (numeric[i] ? ` class="num"` : "");
  return `<div class="scroll"><table${opts.className ? ` class="${opts.className}"` : ""}>` +
    `<thead><tr>${head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((v, i) => `<td${cls(i)}>${esc(v)}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;
}

export function renderHtml(data: ReportData): string {
  const designs = data.designs;
  const b: string[] = [];
  const title = `Durability report: ${data.scenario.name}`;
  b.push(`<h1>${esc(title)}</h1>`);
  b.push(`<p class="muted">The same seeds run through every design: today's legacy ShareNext, and the outbox with each server dedupe policy. ` +
    `Every run is a deterministic simulation (real client, real server, faulty in-memory wire); times are virtual.</p>`);
  b.push(`<table class="meta"><tbody>` + [
    ["scenario", `<code>${esc(data.scenario.name)}</code> (${esc(data.scenario.transport)} wire, ${data.scenario.ops} ops per run)${data.scenario.description ? ` — ${esc(data.scenario.description)}` : ""}`],
    ["seeds", `${esc(seedRange(data))} (${data.seeds.count} per design)`],
    ["designs", esc(designs.map((d) => d.spec.label).join("; "))],
    ["sturdy", `${esc(data.version)}, commit <code>${esc(data.commit)}</code>`],
    ["reproduce", `<code>${esc(data.command)}</code>`],
  ].map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join("") + `</tbody></table>`);

  const sentences = findings(data);
  b.push(`<h2>Findings</h2><ul class="findings">${designs.map((d, i) => {
    const cls = d.failingRuns > 0 ? "bad" : "good";
    return `<li><span class="${cls}">${d.failingRuns > 0 ? "✗" : "✓"}</span> ${esc(sentences[i]!)}</li>`;
  }).join("")}</ul>`);
  const tradeOff = tradeOffSentence(data);
  if (tradeOff) b.push(`<p>${esc(tradeOff)}</p>`);

  b.push(`<h2>Per design</h2><h3>Outcome</h3>`);
  b.push(table(
    ["design", "runs", "failing runs", "lost ops", "double-apply runs", "converged", "p50 ms", "p99 ms", "max ms"],
    designs.map((d) => [
      d.spec.label, int(d.runs), `${int(d.failingRuns)} (${percent(d.failingRuns, d.runs)})`, int(d.ops.lost),
      `${int(d.doubleApplyRuns)} (${percent(d.doubleApplyRuns, d.runs)})`, `${d.converged}/${d.runs} (${percent(d.converged, d.runs)})`,
      int(d.convergenceMs.p50), int(d.convergenceMs.p99), int(d.convergenceMs.max),
    ]),
  ));
  b.push(`<p class="muted">Time to convergence: virtual ms after the last fault, over the runs that converged.</p>`);
  b.push(convergenceChart(designs));

  b.push(`<h3>Violations by invariant</h3><p class="muted">Runs in which each invariant was violated (a run can violate several).</p>`);
  const ids = data.invariants.map((i) => i.id);
  b.push(table(["design", ...ids], designs.map((d) => [d.spec.label, ...ids.map((id) => int(d.violationsByInvariant[id] ?? 0))])));
  b.push(violationChart(data));

  b.push(`<h3>Ops and cost on the wire</h3>`);
  b.push(table(
    ["design", "enqueued", "applied", "duplicates", "rejected", "lost", "round trips / op", "wire bytes / op"],
    designs.map((d) => [
      d.spec.label, int(d.ops.enqueued), int(d.ops.applied), int(d.ops.duplicates), int(d.ops.rejected), int(d.ops.lost),
      fixed(d.roundTripsPerOp), int(d.wireBytesPerOp),
    ]),
  ));
  b.push(`<p class="muted"><code>applied</code> counts every server-side effect, so it exceeds <code>enqueued</code> when ops are applied twice; ` +
    `<code>duplicates</code> are replays the server recognised and ignored.</p>`);

  b.push(`<h3>Faults injected, by kind</h3>`);
  b.push(table(["fault kind", ...designs.map(shortLabel)], FAULT_KINDS.map((k) => [k.label, ...designs.map((d) => int(k.get(d.faults)))])));
  b.push(`<p class="muted">The seeds are the same for every design; the faults differ because each design puts different traffic on the wire.</p>`);

  b.push(`<h2>Shortest counterexamples</h2>`);
  const failing = designs.filter((d) => d.counterexample);
  if (failing.length === 0) b.push(`<p>No design violated an invariant on these seeds.</p>`);
  for (const d of failing) b.push(counterexample(d));
  for (const d of designs.filter((x) => x.failingRuns > 0 && !x.counterexample)) {
    b.push(`<p>${esc(d.spec.label)}: ${d.failingRuns} failing runs, but no shrunk counterexample (the failure did not reproduce while shrinking).</p>`);
  }

  b.push(`<h2>Dedupe trade-off: storage vs double-apply</h2>`);
  b.push(`<p class="muted">What each server dedupe policy keeps (op_id ledger rows plus writer high-water marks, mean per run at the end) ` +
    `against how often a late duplicate request was applied a second time (runs with an S1 violation).</p>`);
  b.push(tradeOffChart(data));
  b.push(table(
    ["policy", "ledger rows kept (mean per run)", "double-apply runs", "double-apply rate", "failing runs", "lost ops"],
    designs.map((d) => [
      d.spec.dedupe ? d.spec.label : `${d.spec.label} (no ledger)`, fixed(d.ledgerRowsPerRun, 1), int(d.doubleApplyRuns),
      percent(d.doubleApplyRuns, d.runs), int(d.failingRuns), int(d.ops.lost),
    ]),
  ));

  b.push(`<h2>Fault and crash-point coverage</h2><h3>Fault kinds exercised (all designs)</h3>`);
  const faultRows = FAULT_KINDS.map((k) => ({ label: k.label, n: faultTotal(data, k.get) }));
  b.push(table(["fault kind", "injected", "exercised"], faultRows.map((r) => [r.label, int(r.n), r.n > 0 ? "yes" : "no"])));
  b.push(barChart({
    title: "Faults injected by kind (all designs, all seeds)",
    categories: faultRows.map((r) => r.label),
    series: [{ name: "injected", values: faultRows.map((r) => r.n), color: PALETTE[0] }],
    valueLabel: "faults injected",
    categoryLabel: "fault kind",
  }));
  b.push(`<h3>Probe points (durability boundaries)</h3>`);
  b.push(`<p class="muted">How often each probe point was reached, and how often a node crashed there; the crash column stays 0 unless the scenario injects crashes at probes.</p>`);
  const points = probePoints(data);
  b.push(table(
    ["probe point", "reached", "crashed at", ...designs.map(shortLabel)],
    points.map((p) => {
      const t = probeTotals(data, p);
      return [p, int(t.hit), int(t.crashed), ...designs.map((d) => int(d.coverage.probes[p]?.hit ?? 0))];
    }),
  ));
  b.push(barChart({
    title: "Probe points reached and crashed at (all designs, all seeds)",
    categories: points,
    series: [
      { name: "reached", values: points.map((p) => probeTotals(data, p).hit), color: PALETTE[0] },
      { name: "crashed at", values: points.map((p) => probeTotals(data, p).crashed), color: PALETTE[1] },
    ],
    valueLabel: "times (summed over runs)",
    categoryLabel: "probe point",
  }));

  b.push(`<h2>Invariants</h2>`);
  b.push(table(["id", "what it protects"], data.invariants.map((i) => [i.id, i.text])));

  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>\n${b.join("\n")}\n</main></body></html>\n`;
}

function counterexample(d: DesignResult): string {
  const cx = d.counterexample!;
  const invariants = [...new Set(cx.violations.map((v) => v.invariant))].join(", ");
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `<section class="cx"><h3>${esc(d.spec.label)}: ${esc(invariants)}</h3>` +
    `<p>Seed ${esc(String(cx.seed))}, shrunk to ${plural(cx.actions.length, "user action")} and ${plural(cx.faults.length, "fault")}` +
    `${cx.faults.length ? ` (${cx.faults.map((f) => `<code>${esc(f)}</code>`).join(", ")})` : ""}; ${cx.lines} diagram lines; ` +
    `the shortest of seeds ${esc(cx.tried.join(", "))} (trace <code>${esc(cx.traceHash)}</code>).</p>` +
    `<ul>${cx.violations.slice(0, 5).map((v) => `<li><b>${esc(v.invariant)}</b> ${esc(v.message)}</li>`).join("")}</ul>` +
    `<p>Replay:</p><pre>${esc(cx.replay)}</pre>` +
    `<div class="scroll">${sequenceSvg(cx.mermaid, `Counterexample for ${d.spec.label}`)}</div>` +
    `<details><summary>Mermaid source</summary><pre>${esc(cx.mermaid)}</pre></details></section>`;
}

function convergenceChart(designs: DesignResult[]): string {
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

function violationChart(data: ReportData): string {
  const seen = data.invariants.map((i) => i.id).filter((id) => data.designs.some((d) => (d.violationsByInvariant[id] ?? 0) > 0));
  const ids = seen.length ? seen : ["S1"];
  return barChart({
    title: "Runs violating each invariant, by design",
    categories: data.designs.map((d) => d.spec.label),
    series: ids.map((id, i) => ({ name: id, values: data.designs.map((d) => d.violationsByInvariant[id] ?? 0), color: PALETTE[(i + 1) % PALETTE.length] })),
    valueLabel: `runs (of ${data.seeds.count})`,
    categoryLabel: "design",
  });
}

function tradeOffChart(data: ReportData): string {
  const pct = (d: DesignResult) => rate(d.doubleApplyRuns, d.runs) * 100;
  const point = (d: DesignResult) => ({ x: d.ledgerRowsPerRun, y: pct(d), label: shortLabel(d) });
  const dedupe = dedupeDesigns(data);
  const windows = dedupe.filter((d) => d.spec.dedupe?.startsWith("window("));
  const series: LineSeries[] = [];
  if (windows.length) series.push({ name: "window(N): keeps the last N op_ids", points: windows.map(point), line: true, marker: "circle", color: PALETTE[0] });
  for (const d of dedupe.filter((x) => x.spec.dedupe === "permanent")) series.push({ name: "permanent op_id ledger", points: [point(d)], marker: "square", color: PALETTE[2] });
  for (const d of dedupe.filter((x) => x.spec.dedupe === "writer-seq")) series.push({ name: "writer-seq high-water mark", points: [point(d)], marker: "diamond", color: PALETTE[4] });
  for (const d of data.designs.filter((x) => x.spec.dedupe === null)) {
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
