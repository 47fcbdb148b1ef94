// The report's first paragraph: which design to ship and why, in numbers from the runs. It is a
// function of the per-scenario results and nothing else, so when the runs change the advice
// changes with them; test/report.test.ts feeds it synthetic results, including an outbox that fails.
//
// The rule: a healthy scenario (one that declares no violations) is evidence; a demonstration
// scenario (it declares what it breaks, like ack-before-fsync) is a caveat. An outbox policy is
// recommended only if it ran on every healthy scenario and none of its runs violated an invariant
// or lost a row there.
import type { DesignResult, ScenarioResult } from "./collect.js";
import { USER_IMPACT, userImpact } from "./impact.js";
import { fixed, int, percent } from "./format.js";

export type Verdict = "outbox" | "legacy" | "neither" | "undecided";

export interface Conclusion {
  verdict: Verdict;
  /** The recommended dedupe policies (for verdict "outbox"), least storage first. */
  recommended: string[];
  /** The paragraph: the advice first, then the numbers behind it. */
  text: string;
}

/** One design summed over the scenarios it ran in. */
interface Totals {
  name: string;
  legacy: boolean;
  runs: number;
  failing: number;
  lost: number;
  ledgerRows: number;
  byInvariant: Record<string, number>;
  scenarios: string[];
  perScenario: { scenario: string; failing: number; runs: number }[];
}

export function conclude(scenarios: ScenarioResult[]): Conclusion {
  const healthy = scenarios.filter((s) => s.scenario.expectViolations.length === 0);
  if (healthy.length === 0) {
    return {
      verdict: "undecided", recommended: [],
      text: "No scenario in this report expects a clean run (each declares the invariants it violates), so it cannot recommend a design: " +
        "add a healthy scenario such as lossy.",
    };
  }
  const basis = healthy.map((s) => s.scenario.name);
  const all = totals(healthy);
  const legacy = all.find((t) => t.legacy);
  const outbox = all.filter((t) => !t.legacy);
  const everywhere = outbox.filter((t) => basis.every((b) => t.scenarios.includes(b)));
  const clean = (t: Totals) => t.failing === 0 && t.lost === 0;
  const candidates = everywhere.filter(clean).sort((a, b) => a.ledgerRows / a.runs - b.ledgerRows / b.runs);
  const best = [...(everywhere.length ? everywhere : outbox)].sort((a, b) => a.failing / a.runs - b.failing / b.runs)[0];
  const tail = [...windowSentences(scenarios, new Set(everywhere.map((t) => t.name)), basis), ...demonstrationSentences(scenarios, healthy)];
  let verdict: Verdict;
  let head: string[];
  if (candidates.length > 0) {
    verdict = "outbox";
    head = [shipSentence(candidates, basis), legacy ? legacySentence(legacy) : ""];
  } else if (legacy && clean(legacy)) {
    verdict = "legacy";
    head = [`Keep legacy ShareNext: ${noViolations(`${int(legacy.runs)} runs`, basis)}` +
      (best ? `, while the best outbox policy, ${best.name}, ${failureClause(best)}.` : ".")];
  } else {
    verdict = "neither";
    head = [neitherSentence(best, legacy, basis)];
  }
  return { verdict, recommended: verdict === "outbox" ? candidates.map((c) => c.name) : [], text: [...head, ...tail].filter(Boolean).join(" ") };
}

function totals(scenarios: ScenarioResult[]): Totals[] {
  const by = new Map<string, Totals>();
  for (const s of scenarios) {
    for (const d of s.designs) {
      const t = by.get(d.spec.id) ?? {
        name: d.spec.dedupe ?? "legacy", legacy: d.spec.dedupe === null, runs: 0, failing: 0, lost: 0, ledgerRows: 0,
        byInvariant: {}, scenarios: [], perScenario: [],
      };
      t.runs += d.runs;
      t.failing += d.failingRuns;
      t.lost += d.ops.lost;
      t.ledgerRows += d.ledgerRowsPerRun * d.runs;
      for (const [id, n] of Object.entries(d.violationsByInvariant)) t.byInvariant[id] = (t.byInvariant[id] ?? 0) + n;
      t.scenarios.push(s.scenario.name);
      t.perScenario.push({ scenario: s.scenario.name, failing: d.failingRuns, runs: d.runs });
      by.set(d.spec.id, t);
    }
  }
  return [...by.values()];
}

function shipSentence(candidates: Totals[], basis: string[]): string {
  const runs = candidates.map((c) => c.runs);
  const same = runs.every((r) => r === runs[0]);
  const runText = `${int(Math.min(...runs))}${same ? "" : " or more"} runs${candidates.length > 1 ? " each" : ""}`;
  let storage = "";
  if (candidates.length > 1) {
    const [least, ...rest] = candidates;
    storage = `; ${least!.name} keeps the least dedupe state (${rowsPerRun(least!)} rows per run, against ` +
      `${andList(rest.map((c) => `${rowsPerRun(c)} for ${c.name}`))})`;
  }
  return `Ship the outbox with ${orList(candidates.map((c) => c.name))} dedupe: ${noViolations(runText, basis)}${storage}.`;
}

function legacySentence(legacy: Totals): string {
  if (legacy.failing === 0) return `Legacy ShareNext had no violation in its ${int(legacy.runs)} runs either.`;
  return `Legacy ShareNext ${failureClause(legacy, true)}; it lost or left stale ${int(legacy.lost)} of the user's rows.`;
}

function neitherSentence(best: Totals | undefined, legacy: Totals | undefined, basis: string[]): string {
  const outbox = best
    ? `every outbox policy violated an invariant across ${andList(basis)}; the best, ${best.name}, ${failureClause(best)}`
    : "no outbox policy ran";
  const old = legacy ? `; legacy ShareNext ${failureClause(legacy)}` : "";
  return `Ship neither design yet: ${outbox}${old}. Fix what the counterexamples below show first.`;
}

/** "violated an invariant in 76.0% of its 900 runs (lossy 80.0%, …), most often C1 — the shared session differs …". */
function failureClause(t: Totals, byScenario = false): string {
  const top = topInvariant(t.byInvariant);
  const where = byScenario && t.perScenario.length > 1 ? ` (${t.perScenario.map((p) => `${p.scenario} ${percent(p.failing, p.runs)}`).join(", ")})` : "";
  const most = top ? `, most often ${top} — ${userImpact(top)}` : "";
  return `violated an invariant in ${percent(t.failing, t.runs)} of its ${int(t.runs)} runs${where}${most}`;
}

function noViolations(runs: string, basis: string[]): string {
  return `0 invariant violations and 0 lost or stale rows in ${runs} across ${andList(basis)}`;
}

function topInvariant(by: Record<string, number>): string | undefined {
  const order = Object.keys(USER_IMPACT);
  const ids = Object.keys(by).filter((id) => (by[id] ?? 0) > 0);
  ids.sort((a, b) => by[b]! - by[a]! || order.indexOf(a) - order.indexOf(b));
  return ids[0];
}

/** What the dedupe windows did: the cheap policies the recommendation passes over, and why. */
function windowSentences(scenarios: ScenarioResult[], everywhere: Set<string>, basis: string[]): string[] {
  const out: string[] = [];
  for (const s of scenarios) {
    const windows = s.designs.filter((d) => d.spec.dedupe?.startsWith("window("));
    const failing = windows.filter((d) => d.failingRuns > 0);
    if (failing.length > 0) {
      const doubled = failing.filter((d) => d.doubleApplyRuns > 0);
      const other = failing.filter((d) => d.doubleApplyRuns === 0);
      const parts = [
        ...doubled.map((d, i) => `${d.spec.dedupe}${i === 0 ? " double-applied an edit" : ""} in ${percent(d.doubleApplyRuns, d.runs)}${i === 0 ? " of runs" : ""}`),
        ...other.map((d) => `${d.spec.dedupe} violated an invariant in ${percent(d.failingRuns, d.runs)} of runs`),
      ];
      out.push(`On ${s.scenario.name}, a dedupe window is not enough: ${andList(parts)}.`);
    }
    // A window clean here but not run on every healthy scenario is not evidence enough to recommend.
    const partial = windows.filter((d) => d.failingRuns === 0 && !everywhere.has(d.spec.dedupe!));
    if (partial.length > 0 && basis.length > 1) {
      out.push(`${andList(partial.map((d) => d.spec.dedupe!))} had no violation on ${s.scenario.name} but ran only there.`);
    }
  }
  return out;
}

/**
 * Demonstration scenarios: what they are expected to break, measured on the outbox, and what to
 * keep because of it. (Legacy keeps nothing on disk and acknowledges nothing, so it has no D1 to
 * demonstrate; its losses there are in the tables.)
 */
function demonstrationSentences(scenarios: ScenarioResult[], healthy: ScenarioResult[]): string[] {
  return scenarios.filter((s) => s.scenario.expectViolations.length > 0).flatMap((s) => {
    const declared = s.scenario.expectViolations;
    const outbox = s.designs.filter((d) => d.spec.dedupe !== null);
    if (outbox.length === 0) return [];
    const storage = storageAdvice(s, healthy);
    const impact = declared.map(userImpact).join("; ");
    return [`On ${s.scenario.name}${storage.where}, which is expected to break ${declared.join(" and ")}, the outbox did in ` +
      `${declaredRate(outbox, declared)} of runs — ${impact}${storage.advice}.${unexpectedNote(outbox, declared)}`];
  });
}

/** The share of runs showing a declared invariant; "up to" the worst design when several differ. */
function declaredRate(designs: DesignResult[], declared: string[]): string {
  const rates = designs.map((d) => {
    const hit = Math.max(0, ...declared.map((id) => d.violationsByInvariant[id] ?? 0));
    return { hit, runs: d.runs, value: d.runs > 0 ? hit / d.runs : 0 };
  });
  const worst = rates.reduce((a, b) => (b.value > a.value ? b : a));
  const differ = rates.some((r) => r.value !== worst.value);
  return `${differ ? "up to " : ""}${percent(worst.hit, worst.runs)}`;
}

function storageAdvice(s: ScenarioResult, healthy: ScenarioResult[]): { where: string; advice: string } {
  const mode = (r: ScenarioResult) => `${r.scenario.storage.client}/${r.scenario.storage.server}`;
  const healthyModes = new Set(healthy.map(mode));
  if (healthyModes.has(mode(s)) || healthyModes.size !== 1) return { where: "", advice: "" };
  const keep = healthy[0]!.scenario.storage;
  const same = (x: { client: string; server: string }) => (x.client === x.server ? x.client : `${x.client} (client), ${x.server} (server)`);
  return { where: ` (disks synchronous=${same(s.scenario.storage)})`, advice: ` — so keep synchronous=${same(keep)}` };
}

/** A demonstration that also breaks what it does not declare is a finding, not a caveat: say so. */
function unexpectedNote(outbox: DesignResult[], declared: string[]): string {
  const runs = outbox.reduce((n, d) => n + d.unexpectedRuns, 0);
  if (runs === 0) return "";
  const total = outbox.reduce((n, d) => n + d.runs, 0);
  const ids = [...new Set(outbox.flatMap((d) => Object.keys(d.violationsByInvariant)))].filter((id) => !declared.includes(id));
  return ` The outbox also broke invariants that scenario does not declare (${ids.join(", ")}) in ${int(runs)} of its ${int(total)} runs there.`;
}

function rowsPerRun(t: Totals): string {
  return fixed(t.runs > 0 ? t.ledgerRows / t.runs : 0, 1);
}

export function andList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
