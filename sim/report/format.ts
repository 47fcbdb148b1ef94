// What every part of the report says the same way: names, numbers, rates, fault kinds, totals.
import type { DesignResult, ReportData, ScenarioResult } from "./collect.js";
import type { FaultCounts } from "../net/faults.js";

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

/** "7 (70.0%)": a count with its share of the runs. */
export function countOf(part: number, whole: number): string {
  return `${int(part)} (${percent(part, whole)})`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
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

/** Every (scenario, design) pair, main scenario first. */
export function allDesigns(data: ReportData): { scenario: ScenarioResult; design: DesignResult }[] {
  return data.scenarios.flatMap((scenario) => scenario.designs.map((design) => ({ scenario, design })));
}

/** allDesigns, then the adversarial mode's pairs (kept apart in the report, but run, shrunk and written alike). */
export function everyDesign(data: ReportData): { scenario: ScenarioResult; design: DesignResult }[] {
  return [...allDesigns(data), ...(data.adversarial ?? []).flatMap((scenario) => scenario.designs.map((design) => ({ scenario, design })))];
}

/** Design columns across scenarios, in the main scenario's order (ids are stable across scenarios). */
export function designColumns(data: ReportData): { id: string; label: string; short: string }[] {
  const seen = new Map<string, { id: string; label: string; short: string }>();
  for (const { design } of allDesigns(data)) {
    if (!seen.has(design.spec.id)) seen.set(design.spec.id, { id: design.spec.id, label: design.spec.label, short: shortLabel(design) });
  }
  return [...seen.values()];
}

/** Probe points in the order of PROBE_POINTS (as the coverage data lists them). */
export function probePoints(data: ReportData): string[] {
  const seen: string[] = [];
  for (const { design } of allDesigns(data)) for (const p of Object.keys(design.coverage.probes)) if (!seen.includes(p)) seen.push(p);
  return seen;
}

export function probeTotals(designs: DesignResult[], point: string): { hit: number; crashed: number } {
  let hit = 0;
  let crashed = 0;
  for (const d of designs) {
    hit += d.coverage.probes[point]?.hit ?? 0;
    crashed += d.coverage.probes[point]?.crashed ?? 0;
  }
  return { hit, crashed };
}

export function faultTotal(designs: DesignResult[], get: (f: FaultCounts) => number): number {
  return designs.reduce((a, d) => a + get(d.faults), 0);
}

/** The designs that dedupe with an op ledger or writer marks (all but legacy). */
export function dedupeDesigns(designs: DesignResult[]): DesignResult[] {
  return designs.filter((d) => d.spec.dedupe !== null);
}

/** Invariant ids violated anywhere in the report, in the order INVARIANTS lists them. */
export function failingInvariants(data: ReportData): string[] {
  return data.invariants.map((i) => i.id).filter((id) => allDesigns(data).some(({ design }) => (design.violationsByInvariant[id] ?? 0) > 0));
}

/** "synchronous=full" or "client normal, server full": how durable the scenario's disks are. */
export function disks(s: ScenarioResult): string {
  const { client, server } = s.scenario.storage;
  return client === server ? `synchronous=${client}` : `client synchronous=${client}, server synchronous=${server}`;
}

/** A scenario's name, and for a demonstration the invariants it declares. */
export function scenarioLabel(s: ScenarioResult): string {
  const declared = s.scenario.expectViolations;
  return declared.length ? `${s.scenario.name} (demo: declares ${declared.join(", ")})` : s.scenario.name;
}
