// The durability report: rendering is a pure function of its data (synthetic data here, so it is
// fast), the conclusion follows the numbers (and refuses to recommend a failing outbox), the
// failing step is marked in every counterexample, the HTML is self-contained, and a small real
// report replays exactly what it shows.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  collectReport, designResult, designSpecs, durabilitySpecs, scenarioVariantFile,
  type Counterexample, type DesignSpec, type ReportData, type ScenarioInfo, type ScenarioResult,
} from "../sim/report/collect.js";
import { renderMarkdown } from "../sim/report/markdown.js";
import { renderHtml } from "../sim/report/html.js";
import { conclude } from "../sim/report/conclusion.js";
import { markedMermaid, markedRange } from "../sim/report/mark.js";
import { tableHtml, tableMarkdown } from "../sim/report/document.js";
import { USER_IMPACT } from "../sim/report/impact.js";
import { barChart, escapeXml, lineChart, niceTicks } from "../sim/report/svg.js";
import { parseSequence, sequenceSvg } from "../sim/report/sequence-svg.js";
import { emptySummary, type CampaignSummary } from "../sim/search/campaign-summary.js";
import { INVARIANTS } from "../sim/check/violations.js";
import { loadScenario } from "../sim/world/scenario.js";
import type { TraceEvent } from "../sim/record/trace.js";
import { ROOT, sturdy } from "./cli-helpers.js";

function summary(fill: Partial<CampaignSummary> = {}): CampaignSummary {
  const s = emptySummary("x", "outbox", "permanent", "batch", false);
  return { ...s, runs: 10, converged: 10, convergenceMs: [100, 200, 300, 900], ...fill, ops: { ...s.ops, enqueued: 500, applied: 500, roundTrips: 120, wireBytes: 200_000, ...fill.ops } };
}

const EVENTS: TraceEvent[] = [
  { step: 1, t: 5, actor: "user", kind: "enqueue", detail: "0 session w-1/1" },
  { step: 2, t: 5, actor: "client", kind: "send", detail: "w-1/b1 [w-1/1]" },
  { step: 3, t: 9, actor: "net", kind: "duplicate", detail: "x1 replayed in 800ms" },
  { step: 4, t: 12, actor: "server", kind: "served", detail: "x1 1 msgs" },
  { step: 4, t: 12, actor: "clock", kind: "fire", detail: "not drawn" },
  { step: 5, t: 14, actor: "client", kind: "ack", detail: "w-1/b1 cursor=1 +1" },
  { step: 6, t: 40, actor: "net", kind: "drop", detail: "x2 request" },
  { step: 7, t: 809, actor: "server", kind: "served-replay", detail: "x1 1 msgs" },
  { step: 8, t: 900, actor: "client", kind: "ack", detail: "w-1/b2 cursor=2 +1" },
];
const S1 = { invariant: "S1" as const, kind: "applied-twice", step: 7, message: "op w-1/1 applied 2 times; {see} #here" };
const MARKED = markedMermaid(EVENTS, S1, 8);

function counterexample(seed: number, replay: string, invariant: "S1" | "C1" | "D1" = "S1"): Counterexample {
  return {
    seed, tried: [seed, seed + 1], ops: 3, actions: [0, 1], faults: ["duplicate#1"],
    violations: [{ ...S1, invariant }, { invariant: "C1", kind: "stale", step: 8, message: "stale: message:m1" }], traceHash: "0123456789abcdef",
    attempts: 12, mermaid: MARKED.diagram, lines: MARKED.lines, replay,
  };
}

function info(name: string, fill: Partial<ScenarioInfo> = {}): ScenarioInfo {
  return { name, description: `${name} description`, transport: "batch", ops: 50, storage: { client: "full", server: "full" }, expectViolations: [], ...fill };
}

type Outcome = Partial<CampaignSummary> & { cx?: Counterexample; unexpected?: number };

/** A scenario from per-design outcomes (by spec id); designs not named are clean. */
function scenario(s: ScenarioInfo, role: ScenarioResult["role"], specs: DesignSpec[], outcomes: Record<string, Outcome> = {}): ScenarioResult {
  return {
    scenario: s, role,
    designs: specs.map((spec) => {
      const { cx, unexpected, ...fill } = outcomes[spec.id] ?? {};
      const ledgerRows = spec.dedupe === "permanent" ? 500 : spec.dedupe === "writer-seq" ? 10 : spec.dedupe?.startsWith("window") ? 40 : 0;
      return designResult(spec, summary({ ledgerRows, ...fill }), cx ?? null, unexpected);
    }),
  };
}

const LEGACY_FAILS: Outcome = {
  failingRuns: 7, doubleApplyRuns: 5, converged: 6, violationsByInvariant: { S1: 5, C1: 3 },
  faults: { ...emptySummary("", "", "", "", false).faults, dropped: 9, duplicated: 4 },
  ops: { enqueued: 500, applied: 480, duplicates: 0, rejected: 0, lost: 42, roundTrips: 20, wireBytes: 40_000 },
};

/** lossy (every design), crashes and power-loss (legacy + exact policies), ack-before-fsync (a demonstration). */
function scenarios(over: { legacy?: Outcome; permanent?: Outcome; writerSeq?: Outcome; crashLegacy?: Outcome } = {}): ScenarioResult[] {
  const window4: Outcome = {
    failingRuns: 9, doubleApplyRuns: 9, violationsByInvariant: { S1: 9 },
    coverage: { probes: { "client.enqueue.committed": { hit: 500, crashed: 2 } }, events: {} },
    cx: counterexample(3, "npx sturdy replay --scenario reports/test/scenarios/lossy.window-4.json --design outbox --seed 3"),
  };
  const legacy = { cx: counterexample(2, "npx sturdy replay --scenario lossy --design legacy --seed 2"), ...LEGACY_FAILS, ...over.legacy };
  const exact = { "outbox-permanent": over.permanent ?? {}, "outbox-writer-seq": over.writerSeq ?? {} };
  const crashLegacy = { failingRuns: 8, violationsByInvariant: { C1: 8 }, ops: { ...LEGACY_FAILS.ops!, lost: 30 }, ...over.crashLegacy };
  const d1 = (n: number): Outcome => ({ failingRuns: n, violationsByInvariant: { D1: n }, unexpected: 0, cx: counterexample(4, "npx sturdy replay --scenario ack-before-fsync --design outbox --seed 4", "D1") });
  return [
    scenario(info("lossy", { description: "a lossy wire | with <script>alert(1)</script> in it" }), "main", designSpecs([4]), { legacy, "outbox-window-4": window4, ...exact }),
    scenario(info("crashes"), "durability", durabilitySpecs(), { legacy: crashLegacy, ...exact }),
    scenario(info("power-loss"), "durability", durabilitySpecs(), { legacy: { failingRuns: 10, violationsByInvariant: { C1: 10 } }, ...exact }),
    scenario(info("ack-before-fsync", { storage: { client: "normal", server: "normal" }, expectViolations: ["D1"] }), "durability", durabilitySpecs(), {
      legacy: { failingRuns: 10, violationsByInvariant: { C1: 10 }, unexpected: 10 }, "outbox-permanent": d1(6), "outbox-writer-seq": d1(5),
    }),
  ];
}

function syntheticData(list = scenarios()): ReportData {
  return {
    seeds: { from: 1, count: 10 },
    version: "0.1.0",
    commit: "abc1234",
    command: "npx sturdy report --scenario lossy --durability crashes,power-loss,ack-before-fsync --seeds 10 --from 1 --windows 4 --out reports/test",
    windows: [4],
    scenarios: list,
    invariants: Object.entries(INVARIANTS).map(([id, text]) => ({ id, text, impact: USER_IMPACT[id as keyof typeof USER_IMPACT] })),
  };
}

function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function h2s(md: string): string[] {
  return [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
}

describe("the conclusion (synthetic summaries)", () => {
  it("recommends the clean outbox policies, least storage first, with numbers from the runs", () => {
    const c = conclude(scenarios());
    expect(c.verdict).toBe("outbox");
    expect(c.recommended).toEqual(["writer-seq", "permanent"]);
    expect(c.text).toMatch(/^Ship the outbox with writer-seq or permanent dedupe: 0 invariant violations and 0 lost or stale rows in 30 runs each across lossy, crashes and power-loss; writer-seq keeps the least dedupe state \(1\.0 rows per run, against 50\.0 for permanent\)\./);
    // Legacy: 7 + 8 + 10 failing of 30 runs; 42 + 30 rows lost.
    expect(c.text).toContain("Legacy ShareNext violated an invariant in 83.3% of its 30 runs (lossy 70.0%, crashes 80.0%, power-loss 100.0%), most often C1 — " + USER_IMPACT.C1);
    expect(c.text).toContain("it lost or left stale 72 of the user's rows");
    expect(c.text).toContain("On lossy, a dedupe window is not enough: window(4) double-applied an edit in 90.0% of runs.");
    // The demonstration is a caveat, not a veto: the worst outbox policy lost acked work in 6 of 10 runs.
    expect(c.text).toContain("On ack-before-fsync (disks synchronous=normal), which is expected to break D1, the outbox did in up to 60.0% of runs — " +
      `${USER_IMPACT.D1} — so keep synchronous=full.`);
  });

  it("changes with the numbers", () => {
    const before = conclude(scenarios()).text;
    const after = conclude(scenarios({ legacy: { failingRuns: 1, violationsByInvariant: { S1: 1 }, ops: { ...LEGACY_FAILS.ops!, lost: 3 } } })).text;
    expect(after).not.toBe(before);
    expect(after).toContain("Legacy ShareNext violated an invariant in 63.3% of its 30 runs (lossy 10.0%, crashes 80.0%, power-loss 100.0%), most often C1");
    expect(after).toContain("it lost or left stale 33 of the user's rows");
  });

  it("does not recommend an outbox policy that fails anywhere healthy; with both failing it recommends neither", () => {
    const writerSeqFails = conclude(scenarios({ writerSeq: { failingRuns: 2, violationsByInvariant: { D1: 2 } } }));
    expect(writerSeqFails.verdict).toBe("outbox");
    expect(writerSeqFails.recommended).toEqual(["permanent"]);
    expect(writerSeqFails.text).toMatch(/^Ship the outbox with permanent dedupe: 0 invariant violations and 0 lost or stale rows in 30 runs across/);

    const both = conclude(scenarios({
      writerSeq: { failingRuns: 2, violationsByInvariant: { D1: 2 } },
      permanent: { failingRuns: 4, violationsByInvariant: { C1: 4 }, ops: { enqueued: 500, applied: 500, duplicates: 0, rejected: 0, lost: 4, roundTrips: 1, wireBytes: 1 } },
    }));
    expect(both.verdict).toBe("neither");
    expect(both.recommended).toEqual([]);
    expect(both.text).not.toMatch(/Ship the outbox/);
    expect(both.text).toMatch(/^Ship neither design yet: every outbox policy violated an invariant across lossy, crashes and power-loss; the best, writer-seq, violated an invariant in 20\.0% of its 30 runs, most often D1 — the user was told their work was saved, and it was lost; legacy ShareNext violated an invariant in 83\.3%/);
  });

  it("keeps legacy when legacy is clean and the outbox is not", () => {
    const clean: Outcome = { failingRuns: 0, violationsByInvariant: {}, ops: { ...LEGACY_FAILS.ops!, lost: 0 } };
    const c = conclude(scenarios({ legacy: { ...clean, cx: undefined }, crashLegacy: clean, writerSeq: { failingRuns: 1, violationsByInvariant: { S2: 1 } }, permanent: { failingRuns: 1, violationsByInvariant: { S2: 1 } } })
      .map((s) => s.role === "durability" && s.scenario.name === "power-loss" ? scenario(s.scenario, "durability", durabilitySpecs(), { "outbox-permanent": { failingRuns: 1, violationsByInvariant: { S2: 1 } }, "outbox-writer-seq": { failingRuns: 1, violationsByInvariant: { S2: 1 } } }) : s));
    expect(c.verdict).toBe("legacy");
    expect(c.text).toMatch(/^Keep legacy ShareNext: 0 invariant violations and 0 lost or stale rows in 30 runs across lossy, crashes and power-loss, while the best outbox policy/);
  });

  it("recommends only policies run on every healthy scenario, and says a clean window ran only on the main one", () => {
    const list = scenarios();
    list[0] = scenario(list[0]!.scenario, "main", designSpecs([64]), { legacy: LEGACY_FAILS });
    const c = conclude(list);
    expect(c.recommended).toEqual(["writer-seq", "permanent"]);
    expect(c.text).toContain("window(64) had no violation on lossy but ran only there.");
  });

  it("says when the demonstration breaks more than it declares, and cannot decide without a healthy scenario", () => {
    const list = scenarios();
    list[3] = scenario(list[3]!.scenario, "durability", durabilitySpecs(), { "outbox-writer-seq": { failingRuns: 10, violationsByInvariant: { D1: 10, L1: 4 }, unexpected: 4 } });
    expect(conclude(list).text).toContain("The outbox also broke invariants that scenario does not declare (L1) in 4 of its 20 runs there.");
    expect(conclude([list[3]!]).verdict).toBe("undecided");
  });
});

describe("the failing step in counterexample diagrams", () => {
  it("puts the failing step's events in a red rect, with the violation in a note after them", () => {
    const lines = MARKED.diagram.split("\n");
    const rect = lines.findIndex((l) => l.trim().startsWith("rect "));
    expect(lines[rect + 1]).toContain("t=809 replayed x1 1 msgs");
    expect(lines[rect + 2]).toBe("  Note over U,S: VIOLATION S1 detected at step 7: op w-1/1 applied 2 times see here");
    expect(lines[rect + 3]).toBe("  end");
    expect(lines[rect + 4]).toContain("ack w-1/b2");
    expect(MARKED.lines).toBe(8);
  });

  it("falls back to the last drawn step before it, and names a check at the end of the run", () => {
    expect(markedRange([1, 2, 4, 4, 6], 4)).toEqual([2, 4]);
    expect(markedRange([1, 2, 4, 4, 6], 5)).toEqual([3, 4]);
    expect(markedRange([3], 1)).toEqual([0, 0]);
    const end = markedMermaid(EVENTS, { invariant: "C1", step: 8, message: "stale" }, 8).diagram;
    expect(end).toContain("Note over U,S: VIOLATION C1 found when the run settled (after step 8): stale");
  });

  it("the SVG draws the marked rows on a band and the violation note in red", () => {
    const parsed = parseSequence(MARKED.diagram);
    expect(parsed.participants.map((p) => p.name)).toEqual(["User", "Client", "Network", "Server"]);
    expect(parsed.steps).toHaveLength(MARKED.lines + 1);
    expect(parsed.steps.filter((s) => s.marked)).toHaveLength(2);
    const svg = sequenceSvg(MARKED.diagram, "cx");
    expect(svg.match(/class="band"/g)).toHaveLength(2);
    expect(svg).toContain(`class="note alarm"`);
    expect(svg).toContain("VIOLATION S1 detected at step 7");
  });
});

describe("report rendering (synthetic data)", () => {
  const data = syntheticData();
  const md = renderMarkdown(data);
  const html = renderHtml(data);

  it("opens with the conclusion, then what the user loses, durability, the dedupe comparison, counterexamples, coverage, invariants", () => {
    expect(md).toMatch(/^# Durability report: lossy, crashes, power-loss, ack-before-fsync\n\n## Conclusion\n\n\*\*Ship the outbox with writer-seq or permanent dedupe/);
    expect(h2s(md)).toEqual(["Conclusion", "What fails, and what the user loses", "Durability: crashes and power loss", "Dedupe policies on lossy",
      "Shortest counterexamples", "Fault and crash-point coverage", "Invariants"]);
    expect(md).toContain("| seeds | 1…10 (10 per scenario and design) |");
    expect(md).toContain("`npx sturdy report --scenario lossy --durability crashes,power-loss,ack-before-fsync --seeds 10 --from 1 --windows 4 --out reports/test`");
    // At a glance: every scenario against every design.
    expect(md).toContain("| scenario (10 runs per design) | legacy | permanent | window(4) | writer-seq |");
    expect(md).toContain("| lossy | 7 (70.0%) | 0 (0.0%) | 9 (90.0%) | 0 (0.0%) |");
    expect(md).toContain("| ack-before-fsync (demo: declares D1) | 10 (100.0%) | 6 (60.0%) | – | 5 (50.0%) |");
    // What a demonstration breaks beyond what it declares is a finding: its own row.
    expect(md).toContain("| ↳ runs breaking an invariant it does not declare | 10 (100.0%) | 0 (0.0%) | – | 0 (0.0%) |");
  });

  it("explains every failing invariant in the user's terms, with runs per design, and only those", () => {
    // Healthy scenarios are counted apart from the demonstration's expected losses.
    expect(md).toContain(`| **S1** | ${INVARIANTS.S1} | ${USER_IMPACT.S1} | lossy | 5 | 0 | 9 | 0 |`);
    expect(md).toContain(`| **D1** | ${INVARIANTS.D1} | ${USER_IMPACT.D1} | ack-before-fsync (demo) | 0 | 0 + 6 demo | 0 | 0 + 5 demo |`);
    expect(md).toContain(`| **C1** | ${INVARIANTS.C1} | ${USER_IMPACT.C1} | lossy, crashes, power-loss, ack-before-fsync (demo) | 21 + 10 demo | 0 | 0 | 0 |`);
    const section = md.slice(md.indexOf("## What fails"), md.indexOf("## Durability"));
    expect(section).not.toContain("**S4**");
    expect(section).toContain("| legacy (of 30 + 10 demo) |");
  });

  it("shows crashes and power loss beside the lossy wire, per design", () => {
    const section = md.slice(md.indexOf("## Durability"), md.indexOf("## Dedupe policies"));
    expect(section).toContain("| crashes | synchronous=full | legacy ShareNext | 10 | 8 (80.0%) | 0 (0.0%) | 30 |");
    expect(section).toContain("| power-loss | synchronous=full | outbox + writer-seq | 10 | 0 (0.0%) | 0 (0.0%) | 0 |");
    expect(section).toContain("| ack-before-fsync (demo: declares D1) | synchronous=normal | outbox + permanent ledger | 10 | 6 (60.0%) | 6 (60.0%) |");
    expect(section).not.toContain("window(4)");
  });

  it("keeps the dedupe comparison: outcome, trade-off, probes, the xychart and one marked diagram per counterexample", () => {
    expect(md).toContain("| legacy ShareNext | 10 | 7 (70.0%) | 42 | 5 (50.0%) | 6/10 (60.0%) | 300 | 900 | 900 |");
    expect(md).toMatch(/\| outbox \+ window\(4\) \| 4\.0 \| 9 \| 90\.0% \| 9 \| 0 \|/);
    expect(md).toMatch(/\| `client\.enqueue\.committed` \| 500 \| 2 \| 500 \/ 2 \| 0 \/ 0 \|/);
    const blocks = mermaidBlocks(md);
    const sequences = blocks.filter((b) => b.startsWith("sequenceDiagram"));
    expect(sequences).toHaveLength(4);
    expect(sequences.every((b) => /\n {2}rect rgb\(254, 226, 226\)\n[\s\S]*Note over U,S: VIOLATION/.test(b))).toBe(true);
    expect(blocks.filter((b) => b.startsWith("xychart-beta"))).toHaveLength(1);
    expect(md).toContain("### ack-before-fsync · outbox + permanent ledger: D1, C1");
    expect(md).toContain(`What the user loses: ${USER_IMPACT.D1}.`);
    expect(md).toContain("**S1** at step 7 (highlighted): op w-1/1 applied 2 times; {see} #here");
    // Every (scenario, design) that failed without a counterexample says so.
    expect(md).toContain("crashes · legacy ShareNext: 8 failing runs, but no shrunk counterexample");
    for (const [id, text] of Object.entries(INVARIANTS)) expect(md).toContain(`| **${id}** | ${text} | ${USER_IMPACT[id as keyof typeof USER_IMPACT]} |`);
    expect(md).toContain("- `lossy` (synchronous=full): a lossy wire | with <script>alert(1)</script> in it");
  });

  it("HTML is one self-contained page: no scripts, no stylesheet links, nothing loaded from the network", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain(`<p class="verdict good"><b>Ship the outbox with writer-seq or permanent dedupe`);
    expect(html.match(/<svg class="chart"/g)?.length).toBe(6);
    expect(html.match(/<svg class="sequence"/g)?.length).toBe(4);
    expect(html.match(/class="band"/g)?.length).toBeGreaterThanOrEqual(4);
    expect(html.match(/<table/g)!.length).toBeGreaterThanOrEqual(12);
    for (const [id, text] of Object.entries(INVARIANTS)) expect(html).toContain(`<td><b>${id}</b></td><td>${escapeXml(text)}</td>`);
  });

  it("is a pure function of the data: the same (or JSON round-tripped) data renders byte for byte the same", () => {
    const again = JSON.parse(JSON.stringify(data)) as ReportData;
    expect(renderMarkdown(again)).toBe(md);
    expect(renderHtml(again)).toBe(html);
  });

  it("a report with no failing design says so and still renders the trade-off", () => {
    const clean = syntheticData(scenarios().slice(0, 3).map((s) => ({ ...s, designs: s.designs.filter((d) => d.failingRuns === 0) })));
    const text = renderMarkdown(clean);
    expect(text).toContain("No design violated an invariant on these seeds.");
    expect(text).toContain("No invariant failed in these runs.");
    expect(mermaidBlocks(text)).toHaveLength(1);
    expect(renderHtml(clean)).toContain("Dedupe trade-off: storage kept vs double-apply rate");
  });
});

describe("the adversarial section (synthetic)", () => {
  const ends = (n: number) => ({
    probes: {},
    events: { "adversary.capnweb-abort": 5 * n, "adversary.answer-refused": 3 * n, "adversary.timed-out": n, "adversary.call-error": 0, "adversary.ended-otherwise": 2 * n },
  });
  const frames = (n: number) => ({ ...emptySummary("", "", "", "", false).faults, frames: { dropped: 4 * n, duplicated: 8 * n, reordered: 3 * n } });
  const adversarial = (outbox: Outcome = {}): ScenarioResult[] => [
    scenario(info("adversarial-frames", { transport: "socket" }), "adversarial", durabilitySpecs(), {
      legacy: { failingRuns: 7, violationsByInvariant: { C1: 7, S1: 1 }, cx: counterexample(1, "npx sturdy replay --scenario adversarial-frames --design legacy --seed 1", "C1"), faults: frames(1), coverage: ends(1) },
      "outbox-permanent": { faults: frames(10), coverage: ends(10), ...outbox },
      "outbox-writer-seq": { faults: frames(10), coverage: ends(10) },
    }),
  ];
  const data = { ...syntheticData(), adversarial: adversarial() };
  const md = renderMarkdown(data);
  const section = md.slice(md.indexOf("## Adversarial frames"), md.indexOf("## Dedupe policies"));

  it("comes after durability, with its own verdict, outcome and the sessions the proxy hit, by how they ended", () => {
    expect(h2s(md)).toEqual(["Conclusion", "What fails, and what the user loses", "Durability: crashes and power loss",
      "Adversarial frames: a broken proxy inside a live session", "Dedupe policies on lossy", "Shortest counterexamples", "Fault and crash-point coverage", "Invariants"]);
    expect(section).toContain("**The outbox failed closed in all 20 runs** (permanent and writer-seq dedupe)");
    expect(section).toContain("Legacy ShareNext violated an invariant in 7 (70.0%) of its 10 runs (runs by invariant: C1 7, S1 1).");
    expect(section).toContain("| adversarial-frames | legacy ShareNext | 10 | 7 (70.0%) | 0 | 1 | 0 | 0 | 10/10 |");
    expect(section).toContain("| adversarial-frames | outbox + permanent ledger | 10 | 0 (0.0%) | 0 | 0 | 0 | 0 | 10/10 |");
    // frames dropped, repeated, overtaken; sessions hit; then how they ended.
    expect(section).toContain("| adversarial-frames | outbox + writer-seq | 40 | 80 | 30 | 110 | 50 | 30 | 10 | 0 | 20 |");
    expect(section).toContain("### adversarial-frames · legacy ShareNext: C1");
    expect(md).toContain("| adversarial mode (own section) | adversarial-frames (socket wire, 50 ops per run, synchronous=full) |");
  });

  it("is kept apart: the conclusion, the glance table, the impact counts and the counterexample list read the other scenarios only", () => {
    const without = renderMarkdown(syntheticData());
    const before = (text: string, heading: string) => text.slice(0, text.indexOf(heading));
    expect(before(md, "## Durability")).toBe(before(without, "## Durability").replace("| seeds |", "| adversarial mode (own section) | adversarial-frames (socket wire, 50 ops per run, synchronous=full) |\n| seeds |"));
    expect(md.slice(md.indexOf("## Dedupe policies"))).toBe(without.slice(without.indexOf("## Dedupe policies")));
  });

  it("says so when the outbox did not fail closed", () => {
    const failing = renderMarkdown({ ...syntheticData(), adversarial: adversarial({ failingRuns: 2, converged: 9, violationsByInvariant: { F1: 2 } }) });
    expect(failing).toContain("**The outbox did not always fail closed**: 2 of its 20 runs (permanent and writer-seq) violated an invariant (10.0%), 1 did not converge.");
    expect(failing).toContain("| adversarial-frames | outbox + permanent ledger | 10 | 2 (20.0%) | 2 | 0 | 0 | 0 | 9/10 |");
  });
});

describe("one table renderer for both formats", () => {
  const table = { head: ["design", "runs", "note"], rows: [["a | b", "1,200", { text: "x", code: true }], ["c", "7 (70.0%)", { text: "<y>", strong: true, tone: "bad" as const }]] };

  it("Markdown: a `|` inside a cell does not break the table; numeric columns align right", () => {
    expect(tableMarkdown(table)).toBe("| design | runs | note |\n| --- | ---: | --- |\n| a \\| b | 1,200 | `x` |\n| c | 7 (70.0%) | **<y>** |");
  });

  it("HTML: escaped, the same alignment, marks as elements", () => {
    expect(tableHtml(table)).toBe(`<div class="scroll"><table><thead><tr><th>design</th><th class="num">runs</th><th>note</th></tr></thead><tbody>` +
      `<tr><td>a | b</td><td class="num">1,200</td><td><code>x</code></td></tr>` +
      `<tr><td>c</td><td class="num">7 (70.0%)</td><td><span class="bad"><b>&lt;y&gt;</b></span></td></tr></tbody></table></div>`);
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
    const parsed = parseSequence(MARKED.diagram);
    expect(parsed.steps.filter((s) => s.kind === "message" && s.lost)).toHaveLength(1);
    const svg = sequenceSvg(MARKED.diagram, "cx");
    expect(svg.match(/class="step( alarm)?"/g)).toHaveLength(MARKED.lines + 1);
    expect(svg).toContain("class=\"cross\"");
  });
});

describe("sturdy report (small real run)", () => {
  it("writes report.md, report.html and report.json; each replay command reproduces its counterexample's trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "sturdy-report-"));
    try {
      const out = relative(ROOT, join(dir, "r"));
      const r = sturdy(["report", "--seeds", "3", "--windows", "4", "--durability", "power-loss,ack-before-fsync", "--adversarial", "adversarial-frames", "--shrink-seeds", "1", "--out", out, "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const data = JSON.parse(readFileSync(join(dir, "r", "report.json"), "utf8")) as ReportData;
      expect(data.scenarios.map((s) => [s.scenario.name, s.role, s.designs.map((d) => d.spec.id)])).toEqual([
        ["lossy", "main", ["legacy", "outbox-permanent", "outbox-window-4", "outbox-writer-seq"]],
        ["power-loss", "durability", ["legacy", "outbox-permanent", "outbox-writer-seq"]],
        ["ack-before-fsync", "durability", ["legacy", "outbox-permanent", "outbox-writer-seq"]],
      ]);
      expect(data.adversarial!.map((s) => [s.scenario.name, s.role, s.designs.map((d) => d.spec.id)])).toEqual([
        ["adversarial-frames", "adversarial", ["legacy", "outbox-permanent", "outbox-writer-seq"]],
      ]);
      expect([...data.scenarios, ...data.adversarial!].every((s) => s.designs.every((d) => d.runs === 3))).toBe(true);
      const md = readFileSync(join(dir, "r", "report.md"), "utf8");
      expect(md).toBe(renderMarkdown(data));
      expect(readFileSync(join(dir, "r", "report.html"), "utf8")).toBe(renderHtml(data));
      expect(md).toContain(`**${conclude(data.scenarios).text.split(". ")[0]}`);
      // Every legacy figure says which server it was measured against.
      expect(md).toMatch(/\| legacy's server \| rmw, a model of today's cloudsession server/);
      expect(data.command).toBe(`npx sturdy report --scenario lossy --durability power-loss,ack-before-fsync --adversarial adversarial-frames --seeds 3 --from 1 --windows 4 --out ${out}`);
      expect(md).toContain("## Adversarial frames: a broken proxy inside a live session");
      expect(data.commit).toMatch(/^([0-9a-f]{4,}|unknown)$/);
      // Nothing machine-specific: the output folder appears only as the relative path it was given.
      expect(md).not.toContain(ROOT);
      expect(md.split(out).join("<out>")).not.toContain(dir);
      // window(4) fails on these seeds; its replay names a scenario file written beside the report.
      const w4 = data.scenarios[0]!.designs.find((d) => d.spec.id === "outbox-window-4")!;
      expect(w4.counterexample).not.toBeNull();
      expect(existsSync(join(dir, "r", "scenarios", scenarioVariantFile(loadScenario("lossy"), "window(4)")))).toBe(true);
      // ack-before-fsync loses acknowledged work (D1), and its diagram marks where.
      const abf = data.scenarios[2]!.designs.find((d) => d.spec.id === "outbox-permanent")!;
      expect(abf.violationsByInvariant.D1).toBeGreaterThan(0);
      for (const s of [...data.scenarios, ...data.adversarial!]) {
        for (const d of s.designs.filter((x) => x.counterexample)) {
          const cx = d.counterexample!;
          expect(cx.mermaid).toContain(`Note over U,S: VIOLATION ${cx.violations[0]!.invariant}`);
          const args = cx.replay.replace(/^npx sturdy /, "").split(" ");
          const replay = sturdy([...args, "--json"]);
          expect(replay.code, replay.stderr).toBe(1);
          expect(replay.json.traceHash).toBe(cx.traceHash);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it("worker threads change nothing: the pool gives the same data as one thread", async () => {
    const options = { scenario: "lossy", durability: ["power-loss"], from: 1, count: 6, windows: [4], shrinkSeeds: 1, version: "v", commit: "c", command: "x" };
    const threads = await collectReport({ ...options, workers: 2 });
    const one = await collectReport({ ...options, workers: 1 });
    expect(JSON.stringify(threads)).toBe(JSON.stringify(one));
    expect(one.scenarios[0]!.designs.find((d) => d.spec.id === "outbox-window-4")!.counterexample).not.toBeNull();
  }, 180_000);

  it("bad arguments are usage errors (exit 2)", () => {
    expect(sturdy(["report", "--windows", "0"]).code).toBe(2);
    expect(sturdy(["report", "--seeds", "x"]).code).toBe(2);
    expect(sturdy(["report", "--scenario", "nope"]).code).toBe(2);
    expect(sturdy(["report", "--durability", "crashes,,power-loss"]).code).toBe(2);
    expect(sturdy(["report", "--durability", "nope"]).code).toBe(2);
    expect(sturdy(["report", "--adversarial", "adversarial-frames,"]).code).toBe(2);
    expect(sturdy(["report", "--adversarial", "nope"]).code).toBe(2);
  });
});
