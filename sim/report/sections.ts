// The report's reading order, as blocks: the conclusion first (what to ship, in numbers), then what
// each failing invariant costs the user, then durability under crashes and power loss, then the
// adversarial wire mode (kept apart), the dedupe comparison, the counterexamples (failing step
// marked), coverage, and the invariants.
import { mainScenario, type DesignResult, type ReportData } from "./collect.js";
import { conclude } from "./conclusion.js";
import type { Block, Cell, Table } from "./document.js";
import { allDesigns, countOf, designColumns, disks, failingInvariants, int, scenarioLabel, seedRange } from "./format.js";
import { durabilityChart } from "./charts.js";
import { counterexampleSection, coverageSection, dedupeSection } from "./sections-detail.js";
import { adversarialSection } from "./sections-adversarial.js";

export function reportTitle(data: ReportData): string {
  return `Durability report: ${data.scenarios.map((s) => s.scenario.name).join(", ")}`;
}

export function reportBlocks(data: ReportData): Block[] {
  return [
    { kind: "title", text: reportTitle(data) },
    ...conclusionSection(data),
    ...impactSection(data),
    ...durabilitySection(data),
    ...adversarialSection(data),
    ...dedupeSection(data),
    ...counterexampleSection(data),
    ...coverageSection(data),
    ...invariantSection(data),
  ];
}

function conclusionSection(data: ReportData): Block[] {
  const c = conclude(data.scenarios);
  const [headline, ...rest] = splitFirstSentence(c.text);
  return [
    { kind: "heading", level: 2, text: "Conclusion" },
    { kind: "paragraph", text: `**${headline}**${rest.length ? ` ${rest.join(" ")}` : ""}`, tone: c.verdict === "outbox" ? "good" : "bad" },
    { kind: "paragraph", text: "Runs with a violation, by scenario and design (each design runs the same seeds in every scenario):" },
    { kind: "table", table: glanceTable(data) },
    {
      kind: "paragraph", muted: true,
      text: "A scenario that declares invariants is a demonstration of a known weakness (e.g. acks before fsync): its violations are expected " +
        "and count against no design; anything else it shows is counted as unexpected. Every run is a deterministic simulation " +
        "(real client, real server, faulty in-memory wire and disks); times are virtual.",
    },
    { kind: "table", meta: true, table: metaTable(data) },
  ];
}

/** The first sentence (the advice) and the rest. A sentence ends at ". " before a capital letter. */
function splitFirstSentence(text: string): string[] {
  const m = /^(.+?\.)\s+(?=[A-Z])/.exec(text);
  return m ? [m[1]!, text.slice(m[0].length)] : [text];
}

function glanceTable(data: ReportData): Table {
  const columns = designColumns(data);
  const rows: Cell[][] = [];
  for (const s of data.scenarios) {
    const demo = s.scenario.expectViolations.length > 0;
    const cells = (value: (d: DesignResult) => number, tone: boolean) => columns.map((c): Cell => {
      const d = s.designs.find((x) => x.spec.id === c.id);
      if (!d) return "–";
      const text = countOf(value(d), d.runs);
      return tone ? { text, tone: value(d) > 0 ? "bad" : "good" } : text;
    });
    rows.push([scenarioLabel(s), ...cells((d) => d.failingRuns, !demo)]);
    // In a demonstration, what it does not declare is a finding: its own row, in red.
    if (demo && s.designs.some((d) => d.unexpectedRuns > 0)) {
      rows.push([`↳ runs breaking an invariant it does not declare`, ...cells((d) => d.unexpectedRuns, true)]);
    }
  }
  return { head: [`scenario (${int(data.seeds.count)} runs per design)`, ...columns.map((c) => c.short)], rows };
}

function metaTable(data: ReportData): Table {
  const main = mainScenario(data);
  return {
    head: ["", ""],
    rows: [
      ["scenarios", data.scenarios.map((s) => `${s.scenario.name} (${s.scenario.transport} wire, ${s.scenario.ops} ops per run, ${disks(s)})`).join("; ")],
      ...(data.adversarial?.length ? [["adversarial mode (own section)", data.adversarial.map((s) => `${s.scenario.name} (${s.scenario.transport} wire, ${s.scenario.ops} ops per run, ${disks(s)})`).join("; ")]] : []),
      ["seeds", `${seedRange(data)} (${data.seeds.count} per scenario and design)`],
      ...legacyServerRow(data),
      ["designs", `${main.scenario.name}: ${main.designs.map((d) => d.spec.label).join("; ")}` +
        (data.scenarios.length > 1 ? `; the other scenarios: ${data.scenarios.find((s) => s !== main)!.designs.map((d) => d.spec.label).join("; ")}` : "")],
      ["sturdy", `${data.version}, commit ${data.commit}`],
      ["reproduce", { text: data.command, code: true }],
    ],
  };
}

const LEGACY_SERVERS: Record<string, string> = {
  rmw: "rmw, a model of today's cloudsession server (it reads the share's whole record, awaits, and writes it back, with no compare-and-set)",
  sync: "sync, sturdy's own syncShare (one SQLite transaction per sync)",
};

/** Which server legacy ShareNext synced to, so every legacy figure says what it was measured against. */
function legacyServerRow(data: ReportData): [string, string][] {
  const servers = [...new Set(data.scenarios.map((s) => s.scenario.legacyServer).filter((v): v is string => v !== undefined))];
  if (servers.length === 0) return [];
  const text = servers.length === 1 ? LEGACY_SERVERS[servers[0]!] ?? servers[0]! : data.scenarios.map((s) => `${s.scenario.name}: ${s.scenario.legacyServer ?? "?"}`).join("; ");
  return [["legacy's server", text]];
}

function impactSection(data: ReportData): Block[] {
  const failing = failingInvariants(data);
  const blocks: Block[] = [{ kind: "heading", level: 2, text: "What fails, and what the user loses" }];
  if (failing.length === 0) return [...blocks, { kind: "paragraph", text: "No invariant failed in these runs." }];
  const columns = designColumns(data);
  const demos = data.scenarios.filter((s) => s.scenario.expectViolations.length > 0);
  // Healthy scenarios are the evidence; a demonstration's runs are counted apart, so an expected
  // loss there is never read as a defect of the design.
  const count = (id: string, inv: string | null, demo: boolean) => allDesigns(data)
    .filter((p) => p.design.spec.id === id && (p.scenario.scenario.expectViolations.length > 0) === demo)
    .reduce((n, p) => n + (inv === null ? p.design.runs : p.design.violationsByInvariant[inv] ?? 0), 0);
  const both = (id: string, inv: string | null) => {
    const demo = count(id, inv, true);
    return demo > 0 ? `${int(count(id, inv, false))} + ${int(demo)} demo` : int(count(id, inv, false));
  };
  const table: Table = {
    head: ["invariant", "what it checks", "what the user loses", "seen in", ...columns.map((c) => `${c.short} (of ${both(c.id, null)})`)],
    rows: failing.map((id) => {
      const inv = data.invariants.find((i) => i.id === id)!;
      const where = data.scenarios.filter((s) => s.designs.some((d) => (d.violationsByInvariant[id] ?? 0) > 0))
        .map((s) => (s.scenario.expectViolations.length ? `${s.scenario.name} (demo)` : s.scenario.name));
      return [{ text: id, strong: true }, inv.text, inv.impact, where.join(", "), ...columns.map((c) => both(c.id, id))];
    }),
  };
  const demoNote = demos.length
    ? ` "+ N demo" counts runs of ${demos.map((s) => `${s.scenario.name} (which declares ${s.scenario.expectViolations.join(", ")})`).join(" and ")} apart: a demonstration of a known weakness, not evidence against a design.`
    : "";
  return [
    ...blocks,
    { kind: "paragraph", text: "Every invariant that failed in these runs, with what it costs the person sharing a session. Counts are runs with at least one violation of it, summed over the scenarios the design ran (a run can violate several)." + demoNote },
    { kind: "table", table },
  ];
}

function durabilitySection(data: ReportData): Block[] {
  const ids = (data.scenarios.find((s) => s.role === "durability") ?? mainScenario(data)).designs.map((d) => d.spec.id);
  const rows: Cell[][] = [];
  for (const s of data.scenarios) {
    for (const d of s.designs.filter((x) => ids.includes(x.spec.id))) {
      const f = d.faults;
      rows.push([
        scenarioLabel(s), disks(s), d.spec.label, int(d.runs), countOf(d.failingRuns, d.runs), countOf(d.violationsByInvariant.D1 ?? 0, d.runs),
        int(d.ops.lost), int(f.crashes.client), int(f.crashes.server), int(f.powerLosses), `${d.converged}/${d.runs}`,
      ]);
    }
  }
  return [
    { kind: "heading", level: 2, text: "Durability: crashes and power loss" },
    { kind: "paragraph", text: "The same seeds over the lossy wire alone and with nodes crashing: between steps, at every durability boundary, and (half of the crashes) as power losses that drop whatever the disk had not made durable." },
    { kind: "list", items: data.scenarios.map((s) => ({ text: `\`${s.scenario.name}\` (${disks(s)}): ${s.scenario.description}` })) },
    {
      kind: "table",
      table: {
        head: ["scenario", "disks", "design", "runs", "runs with a violation", "acknowledged work lost (D1 runs)", "rows lost or stale", "client crashes", "server crashes", "power losses", "converged"],
        rows,
      },
    },
    {
      kind: "paragraph", muted: true,
      text: "`rows lost or stale`: the user's rows the share did not hold at their latest value once the world was quiet (work D1 already reported lost is not counted twice). " +
        "Legacy keeps its queue in memory and acknowledges nothing, so D1 cannot fail for it: what a crash costs it shows as rows lost or stale (C1).",
    },
    { kind: "chart", svg: durabilityChart(data.scenarios, ids) },
  ];
}

function invariantSection(data: ReportData): Block[] {
  return [
    { kind: "heading", level: 2, text: "Invariants" },
    {
      kind: "table",
      table: { head: ["id", "what it checks", "what the user loses if it fails"], rows: data.invariants.map((i) => [{ text: i.id, strong: true }, i.text, i.impact]) },
    },
  ];
}
