// Mutant campaign: does the simulator find realistic bugs? Each test/mutants/NN-name.patch is a
// hand-written bug in src/. For each one: a scratch git worktree of the pinned HEAD commit, the
// patch applied, then simulator campaigns only (every scenario but `tiny`), stopping at the first
// campaign that shows an invariant the scenario does not expect. Results go to
// test/mutants/results.json (per mutant, merged across runs) and test/mutants/RESULTS.md.
//
//   npx tsx scripts/mutants.ts [--only 03,17] [--seeds 200] [--workers 2] [--budget-min 30]
//                              [--scenarios a,b] [--unit] [--unit-only] [--keep]
//
// A kill is an invariant the scenario does not declare in `expectViolations` and that the unpatched
// commit does not show in the same scenario over the same seeds either. HEAD is not always clean,
// and a mutant shifts the fault schedule (one more durable write is one more crash roll), so a
// failure HEAD can produce may surface under a mutant at any seed: such (scenario, invariant)
// pairs are noise, never a kill. The unpatched commit is run once per scenario, lazily, cached in
// results.json by commit and seed count.
// Every loop is bounded: seed ranges are finite, bisection halves them, each campaign has a
// timeout (the mutant's remaining budget), and a mutant stops at its budget.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MUTANTS_DIR = join(ROOT, "test", "mutants");
const RESULTS_JSON = join(MUTANTS_DIR, "results.json");
const RESULTS_MD = join(MUTANTS_DIR, "RESULTS.md");
/** First round of every scenario is this many seeds, then the rest: a kill usually shows early. */
const FIRST_ROUND = 25;
/** Preferred scenario order: cheap and broad first, the slow crash-heavy ones last. */
const ORDER = [
  "basic", "lossy", "two-sessions", "reshare", "session-app", "pipelined", "expected-cursor", "expected-cursor-pipelined", "revocation", "read-only-viewer",
  "socket-lossy", "writer-seq", "writer-seq-pipelined", "window-late-duplicate", "pipelined-no-deps", "crashes", "power-loss",
  "ack-before-fsync", "ack-before-fsync-writer-seq", "long-outages",
];

interface Options {
  only: Set<string> | undefined;
  seeds: number;
  workers: number;
  budgetMs: number;
  scenarios: Set<string> | undefined;
  unit: boolean;
  unitOnly: boolean;
  keep: boolean;
  unitTimeoutMs: number;
}

interface Scenario { name: string; expect: string[] }

interface FailureRecord { seed: number | string; invariants: string[]; message: string }
interface Summary { runs: number; failingRuns: number; violationsByInvariant: Record<string, number>; firstFailingSeed: number | string | null; failures: FailureRecord[] }

interface Kill { scenario: string; invariants: string[]; seed: number | string; message: string }

type Verdict = "killed" | "survived" | "timeout" | "invalid";

interface MutantResult {
  id: string;
  name: string;
  description: string;
  verdict: Verdict;
  kill?: Kill;
  /** Scenarios fully run without an unexpected invariant (for survivors: all of them). */
  cleared: string[];
  /** Unexpected invariants not counted because the unpatched commit shows them too. */
  excused: string[];
  notes: string[];
  campaigns: number;
  elapsedMs: number;
  unit?: {
    verdict: "killed" | "survived" | "timeout" | "error"; detail: string; elapsedMs: number; commit?: string; excluded?: string[];
    /** Failing tests; `traceOnly`: every one of them compares exact traces (a change detector, not a bug detector). */
    failed?: string[]; traceOnly?: boolean;
  };
  commit: string;
  seeds: number;
  at: string;
}

interface BaselineRecord { commit: string; seeds: number; scenario: string; unexpected: string[]; firstSeeds: Record<string, number | string>; violationsByInvariant: Record<string, number> }

/** The unpatched commit's unit suite: files failing there are excluded from every mutant's run. */
interface UnitBaseline { commit: string; failingFiles: string[]; detail: string; elapsedMs: number }

interface ResultsFile { mutants: Record<string, MutantResult>; baseline?: Record<string, BaselineRecord>; unitBaseline?: UnitBaseline; lastRun?: { commit: string; seeds: number; workers: number; elapsedMs: number; mutants: number; at: string } }

// ---------------------------------------------------------------------------------------------
// Processes

interface Proc { code: number | null; stdout: string; stderr: string; timedOut: boolean; ms: number }

/** Runs a command in its own process group; on timeout the whole group is killed. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Proc> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); if (stderr.length > 200_000) stderr = stderr.slice(-100_000); });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, Math.max(1_000, timeoutMs));
    current.add(child.pid!);
    child.on("close", (code) => {
      clearTimeout(timer);
      current.delete(child.pid!);
      done({ code, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

const current = new Set<number>();
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try { process.kill(-pid, "SIGKILL"); } catch { /* already gone */ }
}

async function git(args: string[], cwd = ROOT): Promise<Proc> {
  // Another process may hold a lock for a moment (index.lock, worktree admin files): retry a few times.
  let last: Proc | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    last = await run("git", args, cwd, 120_000);
    if (last.code === 0 || !/\.lock|could not lock|Unable to create/i.test(last.stderr)) return last;
    await sleep(2_000);
  }
  return last!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------
// Worktrees

const worktrees = new Set<string>();

async function addWorktree(commit: string, label: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `sturdy-${label}-`));
  const r = await git(["worktree", "add", "--detach", dir, commit]);
  if (r.code !== 0) throw new Error(`git worktree add failed: ${r.stderr.trim()}`);
  worktrees.add(dir);
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

async function removeWorktree(dir: string): Promise<void> {
  const r = await git(["worktree", "remove", "--force", dir]);
  if (r.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    await git(["worktree", "prune"]);
  }
  worktrees.delete(dir);
}

// ---------------------------------------------------------------------------------------------
// Campaigns

function readScenarios(dir: string, only: Set<string> | undefined): Scenario[] {
  const all = readdirSync(join(dir, "scenarios"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const json = JSON.parse(readFileSync(join(dir, "scenarios", f), "utf8")) as { name?: string; expectViolations?: string[] };
      return { name: json.name ?? basename(f, ".json"), expect: json.expectViolations ?? [] };
    })
    .filter((s) => s.name !== "tiny" && (!only || only.has(s.name)));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return all.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

class OutOfTime extends Error {}

/** A campaign over seeds [from, from + count) in `dir`; throws OutOfTime past the deadline. */
async function campaign(dir: string, scenario: string, from: number, count: number, workers: number, deadline: number, counter: { n: number }): Promise<Summary> {
  const left = deadline - Date.now();
  if (left <= 0) throw new OutOfTime(`budget exhausted before ${scenario} seeds ${from}..${from + count - 1}`);
  counter.n += 1;
  const args = ["tsx", "sim/cli.ts", "campaign", "--scenario", scenario, "--seeds", String(count), "--from", String(from), "--swarm", "--workers", String(Math.min(workers, count)), "--json"];
  const p = await run("npx", args, dir, left);
  if (p.timedOut) throw new OutOfTime(`campaign ${scenario} seeds ${from}..${from + count - 1} still running at the budget`);
  const line = p.stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  if (!line || (p.code !== 0 && p.code !== 1)) {
    throw new HarnessError(scenario, from, `exit ${p.code}: ${(p.stderr.trim() || p.stdout.trim()).split("\n").slice(-6).join(" | ").slice(0, 600)}`);
  }
  return JSON.parse(line) as Summary;
}

class HarnessError extends Error {
  constructor(readonly scenario: string, readonly from: number, detail: string) { super(detail); }
}

function unexpectedOf(invariants: Iterable<string>, expect: string[]): string[] {
  return [...new Set(invariants)].filter((i) => !expect.includes(i)).sort();
}

/**
 * The first seed in [from, from + count) whose run shows an invariant outside `expect`, with its
 * invariants; undefined if none. A summary keeps only the 5 lowest failing seeds, so when they all
 * failed as expected the range is bisected (bounded: log2(count) levels).
 */
async function firstUnexpected(
  dir: string, s: Scenario, from: number, count: number, workers: number, deadline: number, counter: { n: number }, known?: Summary,
): Promise<FailureRecord | undefined> {
  const summary = known ?? (await campaign(dir, s.name, from, count, workers, deadline, counter));
  if (unexpectedOf(Object.keys(summary.violationsByInvariant), s.expect).length === 0) return undefined;
  const hit = summary.failures.find((f) => unexpectedOf(f.invariants, s.expect).length > 0);
  if (hit) return hit;
  if (count <= 1) return undefined; // cannot happen: a one-seed campaign keeps its failure
  const half = Math.floor(count / 2);
  return (await firstUnexpected(dir, s, from, half, workers, deadline, counter))
    ?? (await firstUnexpected(dir, s, from + half, count - half, workers, deadline, counter));
}

/**
 * What the unpatched commit shows in a scenario over the same seeds: its unexpected invariants are
 * noise for every mutant. Run lazily (only for a scenario where a mutant shows something
 * unexpected), once per commit and seed count, kept in results.json.
 */
class Baseline {
  private dir: string | undefined;
  constructor(private readonly commit: string, private readonly seeds: number, private readonly workers: number) {}

  async noise(s: Scenario, counter: { n: number }): Promise<BaselineRecord> {
    const key = `${this.commit}:${this.seeds}:${s.name}`;
    const cached = loadResults().baseline?.[key];
    if (cached) return cached;
    this.dir ??= await addWorktree(this.commit, "baseline");
    log(`    (unpatched ${this.commit.slice(0, 8)}: ${s.name} seeds 1..${this.seeds})`);
    const summary = await campaign(this.dir, s.name, 1, this.seeds, this.workers, Date.now() + 60 * 60_000, counter);
    const unexpected = unexpectedOf(Object.keys(summary.violationsByInvariant), s.expect);
    const firstSeeds: Record<string, number | string> = {};
    for (const inv of unexpected) {
      const hit = await firstUnexpected(this.dir, { name: s.name, expect: [...s.expect, ...unexpected.filter((i) => i !== inv)] }, 1, this.seeds, this.workers, Date.now() + 60 * 60_000, counter, summary);
      if (hit) firstSeeds[inv] = hit.seed;
    }
    const record: BaselineRecord = { commit: this.commit, seeds: this.seeds, scenario: s.name, unexpected, firstSeeds, violationsByInvariant: summary.violationsByInvariant };
    persist((r) => { r.baseline = { ...(r.baseline ?? {}), [key]: record }; });
    if (unexpected.length) log(`    (unpatched ${this.commit.slice(0, 8)} shows ${unexpected.map((i) => `${i} at seed ${firstSeeds[i] ?? "?"}`).join(", ")} in ${s.name}: noise)`);
    return record;
  }

  async close(): Promise<void> {
    if (this.dir) await removeWorktree(this.dir);
    this.dir = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// One mutant

interface Patch { id: string; name: string; file: string; description: string }

function readPatches(only: Set<string> | undefined): Patch[] {
  return readdirSync(MUTANTS_DIR)
    .filter((f) => /^\d+-.+\.patch$/.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(join(MUTANTS_DIR, f), "utf8");
      const header = text.split("\n").filter((l, i, all) => i < all.findIndex((x) => x.startsWith("diff --git")) && l.startsWith("#"));
      return { id: f.split("-")[0]!, name: basename(f, ".patch"), file: join(MUTANTS_DIR, f), description: header.map((l) => l.replace(/^#\s?/, "")).join(" ") };
    })
    .filter((p) => !only || only.has(p.id) || only.has(String(Number(p.id))) || only.has(p.name));
}

async function runMutant(patch: Patch, commit: string, opts: Options, baseline: Baseline, unitExclude: string[]): Promise<MutantResult> {
  const started = Date.now();
  const deadline = started + opts.budgetMs;
  const counter = { n: 0 };
  const result: MutantResult = {
    id: patch.id, name: patch.name, description: patch.description, verdict: "survived", cleared: [], excused: [], notes: [],
    campaigns: 0, elapsedMs: 0, commit, seeds: opts.seeds, at: new Date().toISOString(),
  };
  const dir = await addWorktree(commit, `mutant-${patch.id}`);
  try {
    const applied = await git(["apply", patch.file], dir);
    if (applied.code !== 0) {
      result.verdict = "invalid";
      result.notes.push(`patch does not apply to ${commit.slice(0, 8)}: ${applied.stderr.trim().split("\n")[0]}`);
      return result;
    }
    if (!opts.unitOnly) await hunt(dir, result, opts, deadline, counter, baseline);
    if (opts.unit || opts.unitOnly) {
      const { failedFiles: _files, ...unit } = await unitTests(dir, opts.unitTimeoutMs, unitExclude);
      result.unit = { ...unit, commit };
    }
  } finally {
    result.campaigns = counter.n;
    result.elapsedMs = Date.now() - started;
    if (opts.keep) result.notes.push(`worktree kept at ${dir}`);
    else await removeWorktree(dir);
  }
  return result;
}

/** Scenario by scenario, round by round, until one campaign shows an unexpected invariant. */
async function hunt(dir: string, result: MutantResult, opts: Options, deadline: number, counter: { n: number }, baseline: Baseline): Promise<void> {
  const scenarios = readScenarios(dir, opts.scenarios);
  const first = Math.min(FIRST_ROUND, opts.seeds);
  const rounds: [number, number][] = [[1, first]];
  if (opts.seeds > first) rounds.push([first + 1, opts.seeds - first]);
  try {
    for (const [from, count] of rounds) {
      for (const s of scenarios) {
        const kill = await huntRange(dir, s, from, count, opts, deadline, counter, baseline, result);
        if (kill) {
          kill.message = await violationMessage(dir, kill, deadline) ?? kill.message;
          result.verdict = "killed";
          result.kill = kill;
          log(`    killed by ${kill.scenario} [${kill.invariants.join(",")}] seed ${kill.seed}: ${kill.message.slice(0, 140)}`);
          return;
        }
        if (from + count - 1 >= opts.seeds) result.cleared.push(s.name);
      }
    }
  } catch (e) {
    if (e instanceof OutOfTime) {
      result.verdict = "timeout";
      result.notes.push(e.message);
      return;
    }
    if (e instanceof HarnessError) {
      // The simulator itself fell over under this mutant (an exception escaped the product): a
      // test run would fail too, so it counts, but it is marked as such.
      result.verdict = "killed";
      result.kill = { scenario: e.scenario, invariants: ["HARNESS-ERROR"], seed: e.from, message: e.message };
      return;
    }
    throw e;
  }
}

async function huntRange(
  dir: string, s: Scenario, from: number, count: number, opts: Options, deadline: number, counter: { n: number },
  baseline: Baseline, result: MutantResult,
): Promise<Kill | undefined> {
  const summary = await campaign(dir, s.name, from, count, opts.workers, deadline, counter);
  log(`    ${s.name} ${from}..${from + count - 1}: ${describeCounts(summary.violationsByInvariant)}`);
  const unexpected = unexpectedOf(Object.keys(summary.violationsByInvariant), s.expect);
  if (unexpected.length === 0) return undefined;
  const noise = await baseline.noise(s, { n: 0 }); // the unpatched runs are not this mutant's campaigns
  const own = unexpected.filter((i) => !noise.unexpected.includes(i));
  for (const i of unexpected.filter((x) => noise.unexpected.includes(x))) {
    const note = `${s.name}: ${i} (seeds ${from}..${from + count - 1}), which the unpatched commit shows too (seed ${noise.firstSeeds[i] ?? "?"})`;
    if (!result.excused.includes(note)) result.excused.push(note);
  }
  if (own.length === 0) return undefined;
  const hit = await firstUnexpected(dir, { name: s.name, expect: [...s.expect, ...noise.unexpected] }, from, count, opts.workers, deadline, counter, summary);
  if (!hit) return undefined;
  return { scenario: s.name, invariants: unexpectedOf(hit.invariants, [...s.expect, ...noise.unexpected]), seed: hit.seed, message: hit.message };
}

/** The first message of the killing invariant itself (a summary keeps only a run's first message). */
async function violationMessage(dir: string, kill: Kill, deadline: number): Promise<string | undefined> {
  const left = Math.min(deadline - Date.now(), 5 * 60_000);
  if (left <= 0 || kill.invariants.includes("HARNESS-ERROR")) return undefined;
  const p = await run("npx", ["tsx", "sim/cli.ts", "run", "--scenario", kill.scenario, "--seed", String(kill.seed), "--swarm", "--json"], dir, left);
  const line = p.stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  if (!line) return undefined;
  try {
    const r = JSON.parse(line) as { violations?: { invariant: string; kind: string; message: string }[] };
    const v = r.violations?.find((x) => kill.invariants.includes(x.invariant));
    return v ? `${v.invariant} ${v.kind}: ${v.message}` : undefined;
  } catch {
    return undefined;
  }
}

function describeCounts(v: Record<string, number>): string {
  const e = Object.entries(v);
  return e.length ? e.map(([k, n]) => `${k}:${n}`).join(" ") : "clean";
}

const BROWSER_TEST = "test/report.browser.test.ts";

/**
 * Tests that pin an exact trace (a corpus entry's traceHash, a shrink's exact fault list): any change
 * to the product's durable writes or random draws fails them, bug or not. A mutant failing only
 * these is reported apart: a developer would regenerate the corpus rather than look for a bug.
 */
const TRACE_PINNED = /replays to the same trace|shrunk to one crash|stable traceHash|same decisions/;

async function unitTests(dir: string, timeoutMs: number, exclude: string[]): Promise<NonNullable<MutantResult["unit"]> & { failedFiles: string[] }> {
  // The browser test renders the report in Chromium (and may try to install it): it tests no src/.
  // No --bail: which tests fail matters (trace-pinned ones only, or real checks).
  const args = ["vitest", "run", ...[BROWSER_TEST, ...exclude].flatMap((f) => ["--exclude", f])];
  const p = await run("npx", args, dir, timeoutMs);
  const out = (p.stdout + p.stderr).replace(/\x1b\[[0-9;]*m/g, "");
  const tests = /Tests\s+([^\n]+)/.exec(out)?.[1]?.trim() ?? "";
  const failedFiles = [...new Set([...out.matchAll(/^\s*FAIL\s+(test\/\S+?\.test\.ts)/gm)].map((m) => m[1]!))].sort();
  const failedTests = [...new Set([...out.matchAll(/^\s*FAIL\s+(test\/\S+?\.test\.ts > [^\n]+)/gm)].map((m) => m[1]!.trim()))];
  const base = { elapsedMs: p.ms, excluded: exclude, failedFiles };
  if (p.timedOut) return { ...base, verdict: "timeout", detail: `still running after ${Math.round(timeoutMs / 60000)} min` };
  if (p.code === 0) return { ...base, verdict: "survived", detail: tests };
  if (!tests && failedFiles.length === 0) return { ...base, verdict: "error", detail: out.trim().split("\n").slice(-3).join(" | ").slice(0, 300) };
  const traceOnly = failedTests.length > 0 && failedTests.every((t) => TRACE_PINNED.test(t));
  return { ...base, verdict: "killed", failed: failedTests, traceOnly, detail: `${tests}; ${traceOnly ? "trace-pinned tests only" : `files: ${failedFiles.join(", ")}`}` };
}

/** The unpatched suite, once per commit: what fails there is not a mutant's doing. */
async function unitBaseline(commit: string, timeoutMs: number): Promise<UnitBaseline> {
  const known = loadResults().unitBaseline;
  if (known?.commit === commit) return known;
  log(`unit tests of the unpatched ${commit.slice(0, 8)} (full suite, once)`);
  const dir = await addWorktree(commit, "unit-baseline");
  try {
    const r = await unitTests(dir, timeoutMs, []);
    if (r.verdict === "timeout" || r.verdict === "error") throw new Error(`the unpatched unit suite did not finish: ${r.detail}`);
    const record: UnitBaseline = { commit, failingFiles: r.failedFiles, detail: r.detail, elapsedMs: r.elapsedMs };
    persist((r) => { r.unitBaseline = record; });
    log(`  ${r.verdict === "survived" ? "all pass" : `failing there, excluded for every mutant: ${r.failedFiles.join(", ")} (${r.detail})`}`);
    return record;
  } finally {
    await removeWorktree(dir);
  }
}

// ---------------------------------------------------------------------------------------------
// Report

/**
 * Read-modify-write of results.json, one change at a time: a run only ever replaces its own
 * records, so what another run (or an earlier one) recorded meanwhile is kept.
 */
function persist(update: (r: ResultsFile) => void): ResultsFile {
  const r = loadResults();
  update(r);
  writeFileSync(RESULTS_JSON, `${JSON.stringify(r, null, 2)}\n`);
  return r;
}

/** One run at a time per checkout: two would fight over the CPU (and the campaign timings). */
function takeLock(): () => void {
  const lock = join(tmpdir(), `sturdy-mutants-${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}.lock`);
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8"));
    let alive = false;
    try { process.kill(pid, 0); alive = true; } catch { /* stale lock */ }
    if (alive && pid !== process.pid) throw new Error(`another mutant run (pid ${pid}) is using this checkout; wait for it (lock ${lock})`);
  }
  writeFileSync(lock, String(process.pid));
  return () => { try { if (readFileSync(lock, "utf8") === String(process.pid)) rmSync(lock); } catch { /* gone */ } };
}

function loadResults(): ResultsFile {
  if (!existsSync(RESULTS_JSON)) return { mutants: {} };
  try {
    return JSON.parse(readFileSync(RESULTS_JSON, "utf8")) as ResultsFile;
  } catch {
    return { mutants: {} };
  }
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

function renderMarkdown(results: ResultsFile, patches: Patch[]): string {
  const rows = patches.map((p) => results.mutants[p.name]).filter((r): r is MutantResult => r !== undefined);
  const valid = rows.filter((r) => r.verdict !== "invalid");
  const killed = valid.filter((r) => r.verdict === "killed");
  const rate = valid.length ? ((killed.length / valid.length) * 100).toFixed(1) : "0";
  const commits = [...new Set(rows.map((r) => r.commit.slice(0, 8)))];
  const seeds = [...new Set(rows.map((r) => r.seeds))];
  const unitRows = rows.filter((r) => r.unit);
  const lines = [
    "# Mutant campaign results",
    "",
    "Generated by `npx tsx scripts/mutants.ts` (`npm run mutants`); do not edit by hand. Each mutant is a",
    "hand-written bug in `src/` (`test/mutants/NN-*.patch`, first line says what and why it is plausible),",
    "applied to a scratch worktree and run through simulator campaigns only: every scenario but `tiny`,",
    `\`campaign --swarm\`, seeds 1…${seeds.join("/")}, first ${FIRST_ROUND} seeds of every scenario, then the rest. A mutant is killed by`,
    "the first campaign showing an invariant its scenario does not declare in `expectViolations` and that",
    "the unpatched commit does not show in that scenario over the same seeds either (see Noise below).",
    "",
    `Commit${commits.length > 1 ? "s" : ""}: ${commits.join(", ")}.` +
      (results.lastRun ? ` Last full run: ${results.lastRun.mutants} mutants in ${minutes(results.lastRun.elapsedMs)} (workers ${results.lastRun.workers}, ${results.lastRun.at}).` : "") +
      ` Time in campaigns: ${minutes(rows.reduce((t, r) => t + r.elapsedMs - (r.unit?.elapsedMs ?? 0), 0))}` +
      (unitRows.length ? `; in unit tests: ${minutes(unitRows.reduce((t, r) => t + (r.unit?.elapsedMs ?? 0), 0))}.` : "."),
    "",
    `**Kill rate: ${killed.length} / ${valid.length} = ${rate} %**` +
      (rows.length > valid.length ? ` (${rows.length - valid.length} patch(es) no longer apply and are not counted)` : ""),
    "",
    `| # | mutant | verdict | scenario | invariant(s) | first seed | campaigns | time${unitRows.length ? " | unit tests" : ""} |`,
    `|---|---|---|---|---|---|---|---${unitRows.length ? "|---" : ""}|`,
  ];
  for (const r of rows) {
    const k = r.kill;
    const unit = unitRows.length ? ` | ${r.unit ? `${r.unit.verdict === "killed" && r.unit.traceOnly ? "trace-only" : r.unit.verdict}${r.unit.detail ? ` (${r.unit.detail.replace(/\|/g, "/")})` : ""}` : "—"}` : "";
    lines.push(`| ${r.id} | \`${r.name.replace(/^\d+-/, "")}\` | ${r.verdict === "killed" ? "**killed**" : r.verdict} | ${k?.scenario ?? "—"} | ${k ? k.invariants.join(", ") : "—"} | ${k ? String(k.seed) : "—"} | ${r.campaigns} | ${minutes(r.elapsedMs)}${unit} |`);
  }
  lines.push("", "## Mutants", "");
  for (const r of rows) {
    lines.push(`- **${r.id} ${r.name.replace(/^\d+-/, "")}** — ${r.verdict}${r.kill ? ` by \`${r.kill.scenario}\` (${r.kill.invariants.join(", ")}, seed ${r.kill.seed})` : ""}. ${r.description}`);
    if (r.kill) lines.push(`  - first violation: ${r.kill.message.replace(/\n/g, " ").slice(0, 300)}`);
    for (const n of [...r.notes, ...r.excused.map((x) => `excused: ${x}`)]) lines.push(`  - ${n}`);
  }
  const survivors = rows.filter((r) => r.verdict === "survived" || r.verdict === "timeout");
  lines.push("", "## Survivors", "");
  if (survivors.length === 0) lines.push("None.");
  for (const r of survivors) lines.push(`- ${r.id} \`${r.name.replace(/^\d+-/, "")}\`: ${r.verdict}; scenarios cleared: ${r.cleared.join(", ") || "none"}.`);
  if (unitRows.length) {
    const ub = results.unitBaseline;
    const unitCommits = [...new Set(unitRows.map((r) => r.unit?.commit?.slice(0, 8) ?? "?"))];
    lines.push("", "## Unit tests (for comparison)", "");
    lines.push(`\`npx vitest run\` in the mutant's worktree (commit ${unitCommits.join(", ")}), without \`${BROWSER_TEST}\`` +
      (ub && ub.failingFiles.length ? ` and without ${ub.failingFiles.map((f) => `\`${f}\``).join(", ")}, which already fail on the unpatched commit ${ub.commit.slice(0, 8)} (${ub.detail})` : "") + ".");
    lines.push("A unit kill is \"trace-only\" when every failing test pins an exact trace (corpus traceHash, a shrink's exact fault list): those fail on any change to the product's writes or random draws, bug or not.");
    const unitKills = (r: MutantResult) => r.unit?.verdict === "killed" && !r.unit.traceOnly;
    const both = unitRows.filter((r) => r.verdict === "killed" && unitKills(r)).length;
    const simOnly = unitRows.filter((r) => r.verdict === "killed" && !unitKills(r)).map((r) => r.id);
    const unitOnly = unitRows.filter((r) => r.verdict !== "killed" && unitKills(r)).map((r) => r.id);
    const neither = unitRows.filter((r) => r.verdict !== "killed" && !unitKills(r)).map((r) => r.id);
    const traceOnly = unitRows.filter((r) => r.unit?.verdict === "killed" && r.unit.traceOnly).map((r) => r.id);
    lines.push("", `Unit tests kill ${unitRows.filter(unitKills).length} / ${unitRows.length} (not counting trace-only: ${traceOnly.join(", ") || "none"}). ` +
      `Both kill: ${both}; only the simulator: ${simOnly.join(", ") || "none"}; only the unit tests: ${unitOnly.join(", ") || "none"}; neither: ${neither.join(", ") || "none"}.`);
  }
  const noise = Object.values(results.baseline ?? {}).filter((b) => commits.includes(b.commit.slice(0, 8)));
  lines.push("", "## Noise: the unpatched commit", "");
  lines.push("Scenarios the unpatched commit was run on (only where some mutant showed an unexpected invariant):", "");
  if (noise.length === 0) lines.push("None needed.");
  for (const b of noise) {
    const shown = Object.entries(b.violationsByInvariant).map(([k, n]) => `${k}: ${n} run(s)`).join(", ") || "clean";
    const extra = b.unexpected.length ? ` — **undeclared ${b.unexpected.map((i) => `${i} (first at seed ${b.firstSeeds[i] ?? "?"})`).join(", ")}: not counted as a kill for any mutant**` : "";
    lines.push(`- \`${b.scenario}\` at ${b.commit.slice(0, 8)}, seeds 1…${b.seeds}: ${shown}${extra}`);
  }
  lines.push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Main

function parseOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`--${name} needs a value`);
    return v;
  };
  const known = new Set(["--only", "--seeds", "--workers", "--budget-min", "--scenarios", "--unit", "--unit-only", "--keep", "--unit-timeout-min"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) continue;
    if (!known.has(a)) throw new Error(`unknown flag ${a}`);
  }
  const int = (name: string, dflt: number): number => {
    const v = value(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${v}`);
    return n;
  };
  const list = (name: string) => {
    const v = value(name);
    return v === undefined ? undefined : new Set(v.split(",").map((x) => x.trim()).filter(Boolean));
  };
  return {
    only: list("only"),
    seeds: int("seeds", 200),
    workers: int("workers", 2),
    budgetMs: int("budget-min", 30) * 60_000,
    scenarios: list("scenarios"),
    unit: argv.includes("--unit"),
    unitOnly: argv.includes("--unit-only"),
    keep: argv.includes("--keep"),
    unitTimeoutMs: int("unit-timeout-min", 15) * 60_000,
  };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function cleanup(): Promise<void> {
  for (const pid of current) killGroup(pid);
  for (const dir of [...worktrees]) await removeWorktree(dir);
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const patches = readPatches(opts.only);
  if (patches.length === 0) throw new Error(`no patches selected in ${MUTANTS_DIR}`);
  const commit = (await git(["rev-parse", "HEAD"])).stdout.trim();
  const started = Date.now();
  log(`mutants: ${patches.length} patch(es) against ${commit.slice(0, 8)}, seeds 1..${opts.seeds}, workers ${opts.workers}, budget ${opts.budgetMs / 60000} min each${opts.unit ? ", plus unit tests" : ""}`);
  const release = takeLock();
  const baseline = new Baseline(commit, opts.seeds, opts.workers);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    log("interrupted: removing worktrees");
    void cleanup().then(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const unitExclude = opts.unit || opts.unitOnly ? (await unitBaseline(commit, opts.unitTimeoutMs)).failingFiles : [];
    for (const patch of patches) {
      log(`${patch.name}`);
      const r = await runMutant(patch, commit, opts, baseline, unitExclude);
      persist((all) => {
        const prior = all.mutants[patch.name];
        all.mutants[patch.name] = opts.unitOnly && prior ? { ...prior, unit: r.unit } : r;
      });
      const unitText = r.unit ? `unit tests: ${r.unit.verdict} (${r.unit.detail})` : "";
      if (opts.unitOnly) log(`  → ${unitText} in ${minutes(r.elapsedMs)}`);
      else log(`  → ${r.verdict}${r.kill ? ` by ${r.kill.scenario} [${r.kill.invariants.join(",")}] seed ${r.kill.seed}` : ""}` +
        `${unitText ? `; ${unitText}` : ""} in ${minutes(r.elapsedMs)}, ${r.campaigns} campaign(s)`);
    }
  } finally {
    await baseline.close();
    await cleanup();
    release();
  }
  const elapsedMs = Date.now() - started;
  const results = persist((r) => {
    if (!opts.only && !opts.scenarios && !opts.unitOnly) {
      r.lastRun = { commit, seeds: opts.seeds, workers: opts.workers, elapsedMs, mutants: patches.length, at: new Date().toISOString() };
    }
  });
  const all = readPatches(undefined);
  const md = renderMarkdown(results, all);
  writeFileSync(RESULTS_MD, md);
  // The summary: this run's mutants, then the kill rate over every recorded mutant.
  log("");
  log(`${"mutant".padEnd(44)} ${"verdict".padEnd(9)} ${"scenario".padEnd(22)} ${"invariant".padEnd(12)} seed`);
  for (const p of patches) {
    const r = results.mutants[p.name]!;
    log(`${p.name.padEnd(44)} ${r.verdict.padEnd(9)} ${(r.kill?.scenario ?? "-").padEnd(22)} ${(r.kill?.invariants.join(",") ?? "-").padEnd(12)} ${r.kill?.seed ?? "-"}${r.unit ? `  unit: ${r.unit.verdict === "killed" && r.unit.traceOnly ? "trace-only" : r.unit.verdict}` : ""}`);
  }
  const recorded = all.map((p) => results.mutants[p.name]).filter((r): r is MutantResult => r !== undefined && r.verdict !== "invalid");
  const killed = recorded.filter((r) => r.verdict === "killed").length;
  log("");
  log(`kill rate: ${killed} / ${recorded.length} = ${recorded.length ? ((killed / recorded.length) * 100).toFixed(1) : 0} % (all recorded mutants); this run took ${minutes(elapsedMs)}`);
  log(`written: ${RESULTS_MD}`);
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  async (e: unknown) => {
    await cleanup();
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  },
);
