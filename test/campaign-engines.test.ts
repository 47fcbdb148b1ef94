// Campaigns on the engines teams already run: `--shard auto` reads a GitHub Actions matrix job's or a
// Kubernetes Indexed Job's environment; the shipped workflow and manifest are parsed and their
// structure checked against what `--shard auto` reads, and their own shard and merge scripts are run
// as separate processes, the way each engine runs them, and compared seed for seed with one process.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { SHARD_ENGINES, shardArg, shardFromEnvironment } from "../sim/commands/shard-arg.js";
import { spec as campaignSpec } from "../sim/commands/campaign.js";
import { helpText } from "../sim/commands/help.js";
import { ROOT } from "./cli-helpers.js";

const GITHUB = SHARD_ENGINES.find((e) => e.index === "STURDY_MATRIX_INDEX")!;
const KUBERNETES = SHARD_ENGINES.find((e) => e.index === "JOB_COMPLETION_INDEX")!;
const WORKFLOW = resolve(ROOT, ".github/workflows/campaign.yml");
const MANIFEST = resolve(ROOT, "deploy/k8s/campaign-job.yaml");
/** The CLI's merge as a script calls it: `sturdy merge`, `npx sturdy merge` or `node bin/sturdy.mjs merge`. */
const MERGE = /\bsturdy(?:\.mjs)? merge\b/;
const MERGE_COMPLETE = /\bsturdy(?:\.mjs)? merge --complete\b/;

/** This process's environment without anything `--shard auto` reads (a CI runner of this test may set some). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const read = new Set(SHARD_ENGINES.flatMap((e) => [e.index, e.total]));
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !read.has(k) && k !== "GITHUB_STEP_SUMMARY") env[k] = v;
  return { ...env, ...extra };
}

describe("--shard auto reads the job's environment", () => {
  it("a GitHub Actions matrix job and a Kubernetes Indexed Job: index from 0, shard k from 1", () => {
    expect(shardFromEnvironment({ STURDY_MATRIX_INDEX: "0", STURDY_MATRIX_TOTAL: "3" }).shard).toBe("1/3");
    expect(shardFromEnvironment({ STURDY_MATRIX_INDEX: "2", STURDY_MATRIX_TOTAL: "3" })).toMatchObject({ shard: "3/3", engine: GITHUB });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "1", STURDY_JOB_COMPLETIONS: "2" })).toMatchObject({ shard: "2/2", engine: KUBERNETES });
    // Empty values count as unset (a workflow's `env: X: ""`).
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "0", STURDY_JOB_COMPLETIONS: "1", STURDY_MATRIX_INDEX: "" }).shard).toBe("1/1");
  });

  it("refuses a missing, partial, doubled or out-of-range environment, naming what it looked for", () => {
    const refuses = (env: Record<string, string>, message: RegExp) => expect(() => shardFromEnvironment(env)).toThrow(message);
    refuses({}, /found no shard.*STURDY_MATRIX_INDEX and STURDY_MATRIX_TOTAL.*JOB_COMPLETION_INDEX and STURDY_JOB_COMPLETIONS/);
    refuses({ JOB_COMPLETION_INDEX: "1" }, /Kubernetes Indexed Job needs .* but STURDY_JOB_COMPLETIONS is not set/);
    refuses({ STURDY_MATRIX_TOTAL: "3" }, /but STURDY_MATRIX_INDEX is not set/);
    refuses({ JOB_COMPLETION_INDEX: "0", STURDY_JOB_COMPLETIONS: "2", STURDY_MATRIX_INDEX: "0", STURDY_MATRIX_TOTAL: "2" }, /found a GitHub .* and a Kubernetes .*unset one/);
    refuses({ STURDY_MATRIX_INDEX: "3", STURDY_MATRIX_TOTAL: "3" }, /STURDY_MATRIX_INDEX must be an integer from 0 to 2, got "3"/);
    refuses({ STURDY_MATRIX_INDEX: "-1", STURDY_MATRIX_TOTAL: "3" }, /got "-1"/);
    refuses({ JOB_COMPLETION_INDEX: "0", STURDY_JOB_COMPLETIONS: "0" }, /STURDY_JOB_COMPLETIONS must be an integer from 1/);
    refuses({ JOB_COMPLETION_INDEX: "0", STURDY_JOB_COMPLETIONS: "two" }, /got "two"/);
  });

  it("a shard that gets no seeds is refused, naming where its k/n came from; --help documents auto", () => {
    const env = { JOB_COMPLETION_INDEX: "2", STURDY_JOB_COMPLETIONS: "3" };
    expect(shardArg("auto", 3, env)).toMatchObject({ shard: "3/3", auto: { engine: KUBERNETES } });
    expect(() => shardArg("auto", 2, env)).toThrow(/--shard auto \(3\/3, from a Kubernetes Indexed Job: JOB_COMPLETION_INDEX=2, STURDY_JOB_COMPLETIONS=3\) of 2 seeds has no seeds/);
    expect(shardArg("2/3", 2, env)).toEqual({ shard: "2/3", auto: undefined }); // k/n ignores the environment
    expect(() => shardArg("automatic", 5, env)).toThrow(/k\/n with 1 ≤ k ≤ n ≤ \d+, or auto, got "automatic"/);
    // What `sturdy campaign --help` prints (sim/cli.ts prints helpText(spec)).
    const help = helpText(campaignSpec);
    expect(help).toMatch(/--shard <k\/n\|auto>/);
    for (const e of SHARD_ENGINES) expect(help).toContain(`${e.name}: k = ${e.index} + 1, n = ${e.total}`);
  });

  it("the CLI with neither engine's environment: exit 2, one line naming what it looked for, no stack", async () => {
    const none = await run(process.execPath, ["bin/sturdy.mjs", "campaign", "--scenario", "lossy", "--seeds", "4", "--shard", "auto"], cleanEnv());
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split("\n")).toHaveLength(1);
    expect(none.stderr).toMatch(/^sturdy campaign: --shard auto found no shard in the environment: it reads STURDY_MATRIX_INDEX and STURDY_MATRIX_TOTAL .* or JOB_COMPLETION_INDEX and STURDY_JOB_COMPLETIONS/);
    expect(none.stdout).toBe("");
  });
});

// ---------------------------------------------------------------------------------------------------
// The shipped files, parsed.

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string }
interface WorkflowJob { needs?: string | string[]; env?: Record<string, string>; strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean }; steps: Step[] }
interface Workflow { env: Record<string, string>; defaults?: { run?: { shell?: string } }; jobs: Record<string, WorkflowJob> }

const workflow = (): Workflow => parse(readFileSync(WORKFLOW, "utf8")) as Workflow;

/** The workflow's jobs: the one whose step runs `--shard auto`, and the one that merges. */
function workflowJobs(w: Workflow) {
  const entries = Object.entries(w.jobs);
  const [shardId, shard] = entries.find(([, j]) => j.steps.some((s) => s.run?.includes("--shard auto")))!;
  const [mergeId, merge] = entries.find(([, j]) => j.steps.some((s) => MERGE.test(s.run ?? "")))!;
  const step = (job: WorkflowJob, test: (s: Step) => boolean) => job.steps.find(test)!;
  return {
    shardId, shard, mergeId, merge,
    shardStep: step(shard, (s) => s.run?.includes("--shard auto") === true),
    upload: step(shard, (s) => s.uses?.startsWith("actions/upload-artifact@") === true),
    download: step(merge, (s) => s.uses?.startsWith("actions/download-artifact@") === true),
    mergeStep: step(merge, (s) => MERGE.test(s.run ?? "")),
  };
}

/** The combinations a matrix expands to (its lists multiplied; include/exclude are not used here). */
function matrixSize(matrix: Record<string, unknown>): number {
  expect(Object.keys(matrix).filter((k) => k === "include" || k === "exclude")).toEqual([]);
  return Object.values(matrix).reduce<number>((n, v) => n * (v as unknown[]).length, 1);
}

/** `${{ expr }}` in a workflow value, for the expressions the test knows; any other fails the test. */
function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in vars)) throw new Error(`the test cannot evaluate \${{ ${expr} }} in ${WORKFLOW}`);
    return vars[expr]!;
  });
}

interface Container { name: string; image: string; workingDir?: string; env?: { name: string; value?: string }[]; command: string[]; args?: string[]; volumeMounts?: { name: string; mountPath: string }[] }
interface PodSpec { restartPolicy: string; containers: Container[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] }
interface K8sDoc { kind: string; metadata: { name: string }; spec: Record<string, unknown> & { template?: { spec: PodSpec } } }

function manifest() {
  const docs = parseAllDocuments(readFileSync(MANIFEST, "utf8")).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as K8sDoc;
  });
  const jobs = docs.filter((d) => d.kind === "Job");
  const indexed = jobs.filter((j) => j.spec.completionMode === "Indexed");
  expect(indexed).toHaveLength(1);
  const campaign = indexed[0]!;
  const merge = jobs.find((j) => j !== campaign && MERGE.test(script(j.spec.template!.spec.containers[0]!)))!;
  return { docs, campaign, merge, claims: docs.filter((d) => d.kind === "PersistentVolumeClaim") };
}

const script = (c: Container) => [...c.command, ...(c.args ?? [])].join(" ");
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? ""]));

/** Where a pod's container mounts its claim: the claim's name and the mount path. */
function claimMount(pod: PodSpec, c: Container): { claim: string; path: string } {
  const mount = c.volumeMounts![0]!;
  const volume = pod.volumes!.find((v) => v.name === mount.name)!;
  return { claim: volume.persistentVolumeClaim!.claimName, path: mount.mountPath };
}

describe("the shipped workflow and manifest", () => {
  it(".github/workflows/campaign.yml: a matrix whose env is what --shard auto reads, each shard uploads, the merge job needs them", () => {
    const w = workflow();
    const j = workflowJobs(w);
    expect(matrixSize(j.shard.strategy!.matrix!)).toBeGreaterThanOrEqual(2);
    expect(j.shard.strategy!["fail-fast"]).toBe(false);
    expect(j.shard.env).toMatchObject({ [GITHUB.index]: "${{ strategy.job-index }}", [GITHUB.total]: "${{ strategy.job-total }}" });
    for (const e of SHARD_ENGINES.filter((e) => e !== GITHUB)) for (const v of [e.index, e.total]) expect(j.shard.env).not.toHaveProperty(v);
    expect([j.merge.needs].flat()).toContain(j.shardId);
    expect(j.mergeId).not.toBe(j.shardId);
    // What each shard uploads is found by the merge job's download pattern.
    const pattern = new RegExp(`^${String(j.download.with!.pattern).replace(/[.+?^$()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    for (let i = 0; i < 4; i++) expect(expand(String(j.upload.with!.name), { "strategy.job-index": String(i) })).toMatch(pattern);
    expect(j.upload.with!["if-no-files-found"]).toBe("error");
    expect(j.download.with!.path).toBe("${{ env.RESULTS }}");
    expect(j.mergeStep.run).toMatch(MERGE_COMPLETE);
    expect(w.defaults?.run?.shell).toBe("bash");
  });

  it("deploy/k8s/campaign-job.yaml: an Indexed Job, completions = parallelism = STURDY_JOB_COMPLETIONS, results on a shared claim, a merge Job", () => {
    const { campaign, merge, claims } = manifest();
    const { completions, parallelism } = campaign.spec as { completions: number; parallelism: number };
    expect(Number.isInteger(completions) && completions >= 2).toBe(true);
    expect(parallelism).toBe(completions);
    const pod = campaign.spec.template!.spec;
    expect(pod.restartPolicy).toBe("Never");
    const shard = pod.containers[0]!;
    expect(envOf(shard)[KUBERNETES.total]).toBe(String(completions));
    expect(envOf(shard)).not.toHaveProperty(KUBERNETES.index); // Kubernetes sets it in each pod
    for (const e of SHARD_ENGINES.filter((e) => e !== KUBERNETES)) for (const v of [e.index, e.total]) expect(envOf(shard)).not.toHaveProperty(v);
    expect(script(shard)).toContain("--shard auto");
    const mergePod = merge.spec.template!.spec;
    const merger = mergePod.containers[0]!;
    expect(envOf(merger)[KUBERNETES.total]).toBe(String(completions));
    expect(script(merger)).toMatch(MERGE_COMPLETE);
    expect(merge.spec.backoffLimit).toBe(0);
    // Both write and read the same claim, at the path their RESULTS names, and the claim is in the file.
    const [written, read] = [claimMount(pod, shard), claimMount(mergePod, merger)];
    expect(read).toEqual(written);
    expect(envOf(shard).RESULTS).toBe(written.path);
    expect(envOf(merger).RESULTS).toBe(read.path);
    const claim = claims.find((c) => c.metadata.name === written.claim)!;
    expect(claim.spec.accessModes).toContain("ReadWriteMany");
    expect(merger.image).toBe(shard.image);
    // Both run from the image's checkout (the test runs their scripts from this one).
    const workdir = /^WORKDIR\s+(\S+)$/m.exec(readFileSync(resolve(ROOT, "deploy/k8s/Dockerfile"), "utf8"))?.[1];
    expect([shard.workingDir, merger.workingDir]).toEqual([workdir, workdir]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The scripts, run as the engines run them.

interface Ran { code: number | null; stdout: string; stderr: string }

function run(command: string, args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** A small campaign with failing and passing seeds (the legacy client, no faults: its debounce and append-only diffs fail 9 of these 12), so verdicts differ seed by seed. */
const CAMPAIGN = { SCENARIO: "basic", DESIGN: "legacy", SEEDS: "12" };
const dirs: string[] = [];
const scratch = () => { const d = mkdtempSync(join(tmpdir(), "sturdy-engines-")); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

let whole: Promise<{ code: number | null; json: any }> | undefined;
/** The same campaign in one process, for the seed-for-seed comparison (run once, shared). */
function oneProcess() {
  whole ??= run(process.execPath, ["bin/sturdy.mjs", "campaign", "--scenario", CAMPAIGN.SCENARIO, "--design", CAMPAIGN.DESIGN, "--seeds", CAMPAIGN.SEEDS, "--per-seed", "--json"], cleanEnv())
    .then((r) => ({ code: r.code, json: JSON.parse(r.stdout.trim().split("\n").pop()!) }));
  return whole;
}

/** Shard by shard and merged: the same seeds, verdicts and trace hashes as one process, and the same totals. */
async function expectSameCampaign(shards: any[], merged: any, n: number) {
  const one = (await oneProcess()).json;
  const verdicts = one.perSeed as { seed: number; invariants: string[] }[];
  expect(verdicts).toHaveLength(Number(CAMPAIGN.SEEDS));
  expect(verdicts.some((v) => v.invariants.length === 0) && verdicts.some((v) => v.invariants.length > 0)).toBe(true);
  shards.forEach((s, i) => {
    expect(s.seeds.shard).toBe(`${i + 1}/${n}`);
    expect(s.perSeed).toEqual(verdicts.filter((_, j) => j % n === i));
  });
  expect(merged.perSeed).toEqual(one.perSeed);
  for (const key of ["runs", "faults", "ops", "failingRuns", "violationsByInvariant", "firstFailingSeed", "failures", "converged", "ledgerRows", "doubleApplyRuns", "coverage", "expectViolations"]) {
    expect(merged[key], key).toEqual(one[key]);
  }
  expect([...merged.convergenceMs].sort()).toEqual([...one.convergenceMs].sort());
}

describe("shards as separate processes merge to the single-process campaign, seed for seed", () => {
  it("the workflow's shard step in 3 matrix jobs, then its merge step: exit 1 with the replay command", async () => {
    const w = workflow();
    const j = workflowJobs(w);
    const results = scratch();
    const n = 3;
    const shell = ["--noprofile", "--norc", "-eo", "pipefail", "-c"]; // what GitHub runs for `shell: bash`
    const base = { ...CAMPAIGN, RESULTS: results };
    expect(Object.keys(w.env).sort()).toEqual(Object.keys(base).sort()); // the test sets every variable the workflow does
    const jobEnv = (i: number) => Object.fromEntries(Object.entries(j.shard.env!).map(([k, v]) => [k, expand(v, { "strategy.job-index": String(i), "strategy.job-total": String(n) })]));
    const ran = await Promise.all(Array.from({ length: n }, (_, i) => run("bash", [...shell, j.shardStep.run!], cleanEnv({ ...base, ...jobEnv(i) }))));
    for (const r of ran) expect(r.code, r.stderr).toBe(0);
    const shards = Array.from({ length: n }, (_, i) => {
      const uploaded = expand(String(j.upload.with!.path), { "env.RESULTS": results, "strategy.job-index": String(i) });
      expect(existsSync(uploaded), uploaded).toBe(true);
      return JSON.parse(readFileSync(uploaded, "utf8"));
    });
    const stepSummary = join(results, "step-summary.md");
    const merged = await run("bash", [...shell, j.mergeStep.run!], cleanEnv({ ...base, GITHUB_STEP_SUMMARY: stepSummary }));
    const one = await oneProcess();
    expect(one.code).toBe(1);
    expect(merged.code).toBe(one.code);
    const replay = `replay: ${one.json.failures[0].replay}`;
    expect(merged.stdout).toContain(replay);
    expect(readFileSync(stepSummary, "utf8")).toContain(replay);
    await expectSameCampaign(shards, JSON.parse(readFileSync(join(results, "merged.json"), "utf8")), n);
    // A lost job: --complete (the merge step's) refuses the rest, exit 2.
    const partial = await run(process.execPath, ["bin/sturdy.mjs", "merge", "--complete", join(results, "shard-0.json"), join(results, "shard-2.json")], cleanEnv());
    expect(partial.code).toBe(2);
    expect(partial.stderr.trim()).toBe("sturdy merge: --complete: 4 of seeds 1..12 are in no file, so a shard is missing: 2, 5, 8, 11");
  });

  it("the manifest's shard container in 2 Indexed Job pods, then its merge container: exit 1 with the replay command", async () => {
    const { campaign, merge } = manifest();
    const results = scratch();
    const n = 2;
    const [shard, merger] = [campaign.spec.template!.spec.containers[0]!, merge.spec.template!.spec.containers[0]!];
    // The manifest's env with this test's campaign, results directory and pod count.
    const podEnv = (c: Container, extra: Record<string, string>) => cleanEnv({ ...envOf(c), RESULTS: results, [KUBERNETES.total]: String(n), ...extra });
    const exec = (c: Container, env: Record<string, string>) => run(c.command[0]!, [...c.command.slice(1), ...(c.args ?? [])], env);
    const pods = await Promise.all(Array.from({ length: n }, (_, i) => exec(shard, podEnv(shard, { ...CAMPAIGN, WORKERS: "1", [KUBERNETES.index]: String(i) }))));
    for (const r of pods) expect(r.code, r.stderr).toBe(0);
    const shards = Array.from({ length: n }, (_, i) => JSON.parse(readFileSync(join(results, `shard-${i}.json`), "utf8")));
    expect(existsSync(join(results, "shard-0.json.part"))).toBe(false);
    const merged = await exec(merger, podEnv(merger, {}));
    const one = await oneProcess();
    expect(merged.code).toBe(one.code);
    expect(merged.stderr).toContain(`replay: ${one.json.failures[0].replay}`);
    await expectSameCampaign(shards, JSON.parse(readFileSync(join(results, "merged.json"), "utf8")), n);
  });
});
