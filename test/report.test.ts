// The durability report: rendering is a pure function of its data (synthetic data here, so it is
// fast), the HTML is self-contained, and a small real report replays exactly what it shows.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { collectReport, designResult, designSpecs, scenarioVariantFile, type Counterexample, type ReportData } from "../sim/report/collect.js";
import { renderMarkdown } from "../sim/report/markdown.js";
import { renderHtml } from "../sim/report/html.js";
import { barChart, escapeXml, lineChart, niceTicks } from "../sim/report/svg.js";
import { parseSequence, sequenceSvg } from "../sim/report/sequence-svg.js";
import { emptySummary, type CampaignSummary } from "../sim/campaign-summary.js";
import { traceToMermaid } from "../sim/mermaid.js";
import { INVARIANTS } from "../sim/check/violations.js";
import { loadScenario } from "../sim/scenario.js";
import { ROOT, sturdy } from "./cli-helpers.js";

function summary(design: string, dedupe: string, fill: Partial<CampaignSummary>): CampaignSummary {
  const s = emptySummary("lossy", design, dedupe, "batch", false);
  return { ...s, runs: 10, converged: 10, convergenceMs: [100, 200, 300, 900], ...fill, ops: { ...s.ops, enqueued: 500, applied: 500, roundTrips: 120, wireBytes: 200_000, ...fill.ops } };
}

const MERMAID = traceToMermaid([
  { step: 1, t: 5, actor: "user", kind: "enqueue", detail: "0 session w-1/1" },
  { step: 2, t: 5, actor: "client", kind: "send", detail: "w-1/b1 [w-1/1]" },
  { step: 3, t: 9, actor: "net", kind: "duplicate", detail: "x1 replayed in 800ms" },
  { step: 4, t: 12, actor: "server", kind: "served", detail: "x1 1 msgs" },
  { step: 5, t: 14, actor: "client", kind: "ack", detail: "w-1/b1 cursor=1 +1" },
  { step: 6, t: 40, actor: "net", kind: "drop", detail: "x2 request" },
  { step: 7, t: 809, actor: "server", kind: "served-replay", detail: "x1 1 msgs" },
]);

function counterexample(seed: number, replay: string): Counterexample {
  return {
    seed, tried: [seed, seed + 1], ops: 3, actions: [0, 1], faults: ["duplicate#1"],
    violations: [{ invariant: "S1", message: "op w-1/1 applied 2 times" }], traceHash: "0123456789abcdef",
    attempts: 12, mermaid: MERMAID.diagram, lines: MERMAID.lines, replay,
  };
}

/** Three designs: legacy fails, the permanent ledger holds, window(4) double-applies. */
function syntheticData(): ReportData {
  const [legacy, permanent, window4] = designSpecs([4]);
  return {
    scenario: { name: "lossy", description: "a lossy wire | with <script>alert(1)</script> in it", transport: "batch", ops: 50 },
    seeds: { from: 1, count: 10 },
    version: "0.1.0",
    commit: "abc1234",
    command: "npx sturdy report --scenario lossy --seeds 10 --from 1 --windows 4 --out reports/test",
    windows: [4],
    designs: [
      designResult(legacy!, summary("legacy", "permanent", {
        failingRuns: 7, doubleApplyRuns: 5, converged: 6, violationsByInvariant: { S1: 5, C1: 3 },
        faults: { ...emptySummary("", "", "", "", false).faults, dropped: 9, duplicated: 4 },
        ops: { enqueued: 500, applied: 480, duplicates: 0, rejected: 0, lost: 42, roundTrips: 20, wireBytes: 40_000 },
      }), counterexample(2, "npx sturdy replay --scenario lossy --design legacy --seed 2 --ops 3 --actions 0,1 --faults duplicate#1")),
      designResult(permanent!, summary("outbox", "permanent", { ledgerRows: 500 }), null),
      designResult(window4!, summary("outbox", "window(4)", {
        ledgerRows: 40, failingRuns: 9, doubleApplyRuns: 9, violationsByInvariant: { S1: 9 },
        coverage: { probes: { "client.enqueue.committed": { hit: 500, crashed: 2 } }, events: {} },
      }), counterexample(3, "npx sturdy replay --scenario reports/test/scenarios/lossy.window-4.json --design outbox --seed 3")),
    ],
    invariants: Object.entries(INVARIANTS).map(([id, text]) => ({ id, text })),
  };
}

function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe("report rendering (synthetic data)", () => {
  const data = syntheticData();
  const md = renderMarkdown(data);
  const html = renderHtml(data);

  it("markdown has the header, every section's table, a mermaid counterexample per failing design and the invariants", () => {
    expect(md).toMatch(/^# Durability report: lossy/);
    expect(md).toContain("| seeds | 1…10 (10 per design) |");
    expect(md).toContain("0.1.0, commit `abc1234`");
    expect(md).toContain("`npx sturdy report --scenario lossy --seeds 10 --from 1 --windows 4 --out reports/test`");
    for (const heading of ["## Per design", "### Outcome", "### Violations by invariant", "### Ops and cost on the wire", "### Faults injected, by kind",
      "## Shortest counterexamples", "## Dedupe trade-off: storage vs double-apply", "## Fault and crash-point coverage", "## Invariants"]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("| legacy ShareNext | 10 | 7 (70.0%) | 42 | 5 (50.0%) | 6/10 (60.0%) | 300 | 900 | 900 |");
    expect(md).toMatch(/\| outbox \+ window\(4\) \| 4\.0 \| 9 \| 90\.0% \| 9 \| 0 \|/);
    expect(md).toMatch(/\| `client\.enqueue\.committed` \| 500 \| 2 \|/);
    const blocks = mermaidBlocks(md);
    expect(blocks.filter((b) => b.startsWith("sequenceDiagram"))).toHaveLength(2);
    expect(blocks.filter((b) => b.startsWith("xychart-beta"))).toHaveLength(1);
    expect(md).toContain("--scenario reports/test/scenarios/lossy.window-4.json");
    for (const [id, text] of Object.entries(INVARIANTS)) expect(md).toContain(`| **${id}** | ${text} |`);
    // A `|` inside a cell does not break the table.
    expect(md).toContain("a lossy wire \\| with");
  });

  it("HTML is one self-contained page: no scripts, no stylesheet links, nothing loaded from the network", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html.match(/<svg class="chart"/g)?.length).toBe(5);
    expect(html.match(/<svg class="sequence"/g)?.length).toBe(2);
    expect(html.match(/<table/g)!.length).toBeGreaterThanOrEqual(9);
    for (const [id, text] of Object.entries(INVARIANTS)) expect(html).toContain(`<td>${id}</td><td>${escapeXml(text)}</td>`);
  });

  it("is a pure function of the data: the same (or JSON round-tripped) data renders byte for byte the same", () => {
    const again = JSON.parse(JSON.stringify(data)) as ReportData;
    expect(renderMarkdown(again)).toBe(md);
    expect(renderHtml(again)).toBe(html);
  });

  it("a report with no failing design says so and still renders the trade-off", () => {
    const clean = { ...data, designs: data.designs.filter((d) => d.failingRuns === 0) };
    expect(renderMarkdown(clean)).toContain("No design violated an invariant on these seeds.");
    expect(mermaidBlocks(renderMarkdown(clean))).toHaveLength(1);
    expect(renderHtml(clean)).toContain("Dedupe trade-off: storage kept vs double-apply rate");
  });
});

describe("svg helpers", () => {
  it("ticks are round numbers covering the maximum", () => {
    expect(niceTicks(97)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(1600)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it("charts carry a title, both axis labels and a legend", () => {
    const bars = barChart({ title: "T", categories: ["a", "b"], series: [{ name: "p50", values: [1, 2] }, { name: "p99", values: [3, 4] }], valueLabel: "ms", categoryLabel: "design" });
    for (const s of [">T<", ">ms<", ">design<", ">p50<", ">p99<"]) expect(bars).toContain(s);
    expect(bars.match(/<rect /g)!.length).toBe(4 + 2);
    const line = lineChart({ title: "L", xLabel: "rows", yLabel: "rate", series: [{ name: "window", points: [{ x: 4, y: 90, label: "w4" }, { x: 8, y: 50 }], line: true }], yMax: 100 });
    for (const s of [">L<", ">rows<", ">rate<", ">window<", ">w4<", "<polyline"]) expect(line).toContain(s);
  });

  it("draws our Mermaid sequence diagrams: every message, lost message and note", () => {
    const parsed = parseSequence(MERMAID.diagram);
    expect(parsed.participants.map((p) => p.name)).toEqual(["User", "Client", "Network", "Server"]);
    expect(parsed.steps).toHaveLength(MERMAID.lines);
    expect(parsed.steps.filter((s) => s.kind === "message" && s.lost)).toHaveLength(1);
    const svg = sequenceSvg(MERMAID.diagram, "cx");
    expect(svg.match(/class="step"/g)).toHaveLength(MERMAID.lines);
    expect(svg).toContain("class=\"cross\"");
  });
});

describe("sturdy report (small real run)", () => {
  it("writes report.md, report.html and report.json; each replay command reproduces its counterexample's trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "sturdy-report-"));
    try {
      const out = relative(ROOT, join(dir, "r"));
      const r = sturdy(["report", "--seeds", "3", "--windows", "4", "--shrink-seeds", "1", "--out", out, "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const data = JSON.parse(readFileSync(join(dir, "r", "report.json"), "utf8")) as ReportData;
      expect(data.designs.map((d) => d.spec.id)).toEqual(["legacy", "outbox-permanent", "outbox-window-4", "outbox-writer-seq"]);
      expect(data.designs.every((d) => d.runs === 3)).toBe(true);
      expect(readFileSync(join(dir, "r", "report.md"), "utf8")).toBe(renderMarkdown(data));
      expect(readFileSync(join(dir, "r", "report.html"), "utf8")).toBe(renderHtml(data));
      expect(data.command).toBe(`npx sturdy report --scenario lossy --seeds 3 --from 1 --windows 4 --out ${out}`);
      expect(data.commit).toMatch(/^([0-9a-f]{4,}|unknown)$/);
      const text = readFileSync(join(dir, "r", "report.md"), "utf8");
      // Nothing machine-specific: the output folder appears only as the relative path it was given.
      expect(text).not.toContain(ROOT);
      expect(text.split(out).join("<out>")).not.toContain(dir);
      // window(4) fails on these seeds; its replay names a scenario file written beside the report.
      const w4 = data.designs.find((d) => d.spec.id === "outbox-window-4")!;
      expect(w4.counterexample).not.toBeNull();
      expect(existsSync(join(dir, "r", "scenarios", scenarioVariantFile(loadScenario("lossy"), "window(4)")))).toBe(true);
      for (const d of data.designs.filter((x) => x.counterexample)) {
        const args = d.counterexample!.replay.replace(/^npx sturdy /, "").split(" ");
        const replay = sturdy([...args, "--json"]);
        expect(replay.code, replay.stderr).toBe(1);
        expect(replay.json.traceHash).toBe(d.counterexample!.traceHash);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("worker threads change nothing: the pool gives the same data as one thread", async () => {
    const options = { scenario: "lossy", from: 1, count: 8, windows: [4], shrinkSeeds: 1, version: "v", commit: "c", command: "x" };
    const threads = await collectReport({ ...options, workers: 2 });
    const one = await collectReport({ ...options, workers: 1 });
    expect(JSON.stringify(threads)).toBe(JSON.stringify(one));
    expect(one.designs.find((d) => d.spec.id === "outbox-window-4")!.counterexample).not.toBeNull();
  }, 120_000);

  it("bad arguments are usage errors (exit 2)", () => {
    expect(sturdy(["report", "--windows", "0"]).code).toBe(2);
    expect(sturdy(["report", "--seeds", "x"]).code).toBe(2);
    expect(sturdy(["report", "--scenario", "nope"]).code).toBe(2);
  });
});
