// The CLI's contract (README, "Exit codes"): 0 when every invariant held (or only those the scenario
// declares), 1 when one was violated, 2 on bad usage or input with one line saying why, 3 only for an
// internal error, 130 when a campaign is interrupted. Each case runs the real CLI in a child process.
import { describe, expect, it } from "vitest";
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listScenarios, loadScenario } from "../sim/world/scenario.js";
import type { CommandSpec } from "../sim/commands/args.js";
import { ROOT, sturdy, sturdyAsync, type CliResult } from "./cli-helpers.js";

const tmp = () => mkdtempSync(join(tmpdir(), "sturdy-"));

/** A user mistake: exit 2, the reason on the first stderr line, no stack trace, nothing on stdout. */
function expectUsageError(r: CliResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.split("\n")[0]).toMatch(message);
  expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2); // the reason, and the usage line for a usage error
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error|FATAL|Invalid array length/);
  expect(r.stdout).toBe("");
}

/** Every stdout line of a --json run is JSON, and there is exactly one. */
function expectJsonOnly(r: CliResult): void {
  const lines = r.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(() => JSON.parse(lines[0]!)).not.toThrow();
}

describe("sturdy run", () => {
  it("prints a JSON summary with the documented fields, and only that, on stdout", () => {
    const r = sturdy(["run", "--scenario", "basic", "--seed", "1", "--json"]);
    expect(r.code).toBe(0);
    expectJsonOnly(r);
    expect(r.stderr).toMatch(/all invariants held/);
    for (const key of ["seed", "scenario", "design", "traceHash", "steps", "virtualTimeMs", "faults", "ops", "converged", "violations", "verdict"]) {
      expect(r.json).toHaveProperty(key);
    }
    expect(Object.keys(r.json.faults)).toEqual(expect.arrayContaining(["dropped", "duplicated", "reordered", "delayed", "crashes"]));
    expect(Object.keys(r.json.ops)).toEqual(expect.arrayContaining(["enqueued", "applied", "duplicates", "rejected"]));
    // The workload's 50 writes become at least 50 ops: the session model also shares each model the
    // session uses and ends a turn's unfinished tool calls. Every op it sent was applied.
    expect(r.json.ops.enqueued).toBeGreaterThanOrEqual(50);
    expect(r.json.ops.applied).toBe(r.json.ops.enqueued);
    expect(r.json.verdict).toBe("held");
    expect(r.json.replay).toBeUndefined();
  }, 30_000);

  it("exits 1 when an invariant is violated, and says how to reproduce and shrink it", () => {
    const r = sturdy(["run", "--scenario", "lossy", "--design", "legacy", "--seed", "11"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ violated: C1, S1/);
    expect(r.stdout).toContain("replay: npx sturdy replay --scenario lossy --design legacy --seed 11 --shrink");
    const j = sturdy(["run", "--scenario", "lossy", "--design", "legacy", "--seed", "11", "--json"]);
    expect(j.code).toBe(1);
    expectJsonOnly(j);
    expect(j.json.violations.length).toBeGreaterThan(0);
    expect(j.json.replay).toBe("npx sturdy replay --scenario lossy --design legacy --seed 11 --shrink");
  }, 30_000);

  it("an expected-failure scenario showing only its declared invariants says so and exits 0", () => {
    const r = sturdy(["run", "--scenario", "ack-before-fsync", "--seed", "1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ expected violations only: D1/);
    expect(r.stdout).not.toMatch(/✗ violated/);
  }, 30_000);

  it("--dedupe runs the scenario under another policy, and the replay command it prints carries it", () => {
    const r = sturdy(["run", "--scenario", "two-writers", "--seed", "3", "--dedupe", "window(4)", "--json"]);
    expect(r.code).toBe(1);
    expect(r.json.dedupe).toBe("window(4)");
    expect(r.json.replay).toBe("npx sturdy replay --scenario two-writers --design outbox --dedupe 'window(4)' --seed 3 --shrink");
    const again = sturdy(["replay", "--scenario", "two-writers", "--seed", "3", "--dedupe", "window(4)", "--json"]);
    expect(again.json.traceHash).toBe(r.json.traceHash);
  }, 30_000);

  it("rejects a bad scenario file naming the bad field", () => {
    const file = join(tmp(), "bad.json");
    writeFileSync(file, JSON.stringify({ name: "bad", faults: { drop: 3 } }));
    expectUsageError(sturdy(["run", "--scenario", file, "--seed", "1"]), /faults\.drop/);
    writeFileSync(file, JSON.stringify({ name: "bad", writers: 2, workload: { revokeAfter: [3] } }));
    expectUsageError(sturdy(["run", "--scenario", file, "--seed", "1"]), /writers: several writers per share cannot be combined with workload\.revokeAfter/);
    writeFileSync(file, JSON.stringify({ name: "bad", writers: 4 }));
    expectUsageError(sturdy(["run", "--scenario", file, "--seed", "1"]), /writers/);
    writeFileSync(file, "{ not json");
    expectUsageError(sturdy(["run", "--scenario", file, "--seed", "1"]), /not valid JSON/);
  }, 30_000);
});

describe.concurrent("bad usage and bad input: exit 2, one line, no stack trace", () => {
  const dir = tmp();
  const notDir = join(dir, "a-file");
  writeFileSync(notDir, "x");
  it.each([
    // what node:util parseArgs refuses, in our words
    [["run", "--scenario", "lossy", "--seed", "1.5"], /bad seed/],
    [["run", "--scenario", "lossy", "--seed", "-3"], /--seed needs a value/],
    [["run", "--scenario", "lossy", "--seed", "99999999999"], /out of range/],
    [["run", "--scenario", "nope", "--seed", "1"], /unknown scenario "nope"/],
    [["run", "--scenario", "lossy"], /--seed is required/],
    [["run", "--scenario", "lossy", "--seed", "1", "--design", "magic"], /--design must be/],
    [["run", "--scenario", "lossy", "--seed", "1", "--design", "legacy", "--legacy-server", "cas"], /--legacy-server must be rmw or sync, got "cas"/],
    [["campaign", "--scenario", "lossy", "--legacy-server", "sync"], /--legacy-server chooses the server legacy's client syncs to: add --design legacy/],
    [["run", "--scenario", "lossy", "--seed", "1", "--frobnicate"], /unknown option --frobnicate/],
    [["run", "--scenario", "lossy", "--seed", "1", "--json=yes"], /--json takes no value/],
    [["run", "--scenario", "lossy", "--seed", "1", "stray"], /unexpected argument "stray"/],
    [["launch"], /unknown command "launch"/],
    // repeated flags
    [["run", "--scenario", "lossy", "--seed", "1", "--seed", "2"], /--seed given more than once/],
    [["campaign", "--scenario", "tiny", "--swarm", "--swarm"], /--swarm given more than once/],
    // numeric bounds (and no V8 abort for a huge number)
    [["campaign", "--scenario", "tiny", "--seeds", "0"], /--seeds must be an integer from 1 to 10000000, got "0"/],
    [["campaign", "--scenario", "tiny", "--seeds", "99999999999999999999999999"], /--seeds must be an integer from 1 to 10000000/],
    [["campaign", "--scenario", "tiny", "--from", "4294967295", "--seeds", "2"], /would run seeds up to 4294967296, past the largest seed 4294967295/],
    [["campaign", "--scenario", "tiny", "--from", "99999999999999999999"], /--from must be an integer from 0 to 4294967295/],
    [["campaign", "--scenario", "tiny", "--seeds", "5", "--shard", "3/2"], /--shard must be k\/n with 1 ≤ k ≤ n/],
    [["campaign", "--scenario", "tiny", "--seeds", "5", "--shard", "0/2"], /--shard must be k\/n with 1 ≤ k ≤ n/],
    [["campaign", "--scenario", "tiny", "--seeds", "3", "--shard", "5/10"], /--shard 5\/10 of 3 seeds has no seeds/],
    [["campaign", "--scenario", "tiny", "--workers", "0"], /--workers must be an integer from 1 to 64/],
    [["campaign", "--scenario", "tiny", "--workers", "65"], /--workers must be an integer from 1 to 64/],
    [["replay", "--scenario", "tiny", "--seed", "1", "--ops", "100001"], /--ops must be an integer from 1 to 100000/],
    [["replay", "--scenario", "tiny", "--seed", "1", "--ops", "0"], /--ops must be an integer from 1 to 100000/],
    [["explore", "--scenario", "tiny", "--max-depth", "0"], /--max-depth must be an integer from 1/],
    [["explore", "--scenario", "tiny", "--time-limit", "99999999999999999999"], /--time-limit must be an integer from 1 to 604800/],
    [["report", "--windows", "0"], /--windows: each window must be an integer from 1/],
    [["run", "--scenario", "lossy", "--seed", "1", "--dedupe", "window(0)"], /--dedupe must be permanent, writer-seq or window\(N\) with 1 ≤ N ≤ 999999999, got "window\(0\)"/],
    [["campaign", "--scenario", "tiny", "--dedupe", "lru"], /--dedupe must be permanent, writer-seq or window\(N\)/],
    [["replay", "--scenario", "tiny", "--seed", "1", "--dedupe", "writer-seq", "--save", join(dir, "c.json")], /--save records the scenario as it is and cannot record --dedupe/],
    [["serve", "--db", join(dir, "s.db"), "--dedupe", "window(0)"], /--dedupe window\(N\): N must be an integer from 1 to 999999999, got "0"/],
    [["serve", "--db", join(dir, "s.db"), "--dedupe", "window(99999999999999999999)"], /--dedupe window\(N\): N must be an integer/],
    // options that only make sense with another
    [["replay", "--scenario", "tiny", "--seed", "1", "--target", "C1"], /--target chooses what --shrink keeps: add --shrink/],
    [["explore", "--scenario", "tiny", "--seed", "0", "--choices", "0", "--seeds", "2"], /give its --seed, not --seeds/],
    // decisions that name nothing in the run
    [["replay", "--scenario", "basic", "--seed", "1", "--actions", "999"], /--actions 999: no such user action; this run has \d+ user actions/],
    [["replay", "--scenario", "lossy", "--seed", "1", "--faults", "drop#9999"], /--faults drop#9999: this run reaches no such fault opportunity/],
    [["replay", "--scenario", "lossy", "--seed", "1", "--faults", "drop#9999", "--shrink"], /--faults drop#9999: this run reaches no such fault opportunity/],
    [["explore", "--scenario", "tiny", "--design", "legacy", "--net-faults", "1", "--crashes", "0", "--choices", "1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"], /--choices has 16 choices, but this run makes only \d+ decisions/],
    [["explore", "--scenario", "tiny", "--design", "legacy", "--net-faults", "1", "--crashes", "0", "--choices", "5"], /--choices: choice 1 is 5, but decision 1 \(.*\) has only 2 alternatives/],
    [["explore", "--scenario", "tiny", "--choices", "99999999999"], /--choices must be a comma-separated list of small numbers/],
    // output paths that cannot be written: refused before the run
    [["replay", "--scenario", "tiny", "--seed", "1", "--mermaid", join(dir, "no", "such", "cx.md")], /--mermaid .*: no such directory/],
    [["replay", "--scenario", "tiny", "--seed", "1", "--save", dir], /--save .*: is a directory/],
    [["report", "--seeds", "1", "--out", join(notDir, "r")], /--out .*: .* is a file, not a directory/],
    // files that are not what they should be
    [["merge", join(dir, "missing.json")], /cannot read .*missing\.json: no such file/],
    [["merge", join(ROOT, "package.json")], /package\.json is not a campaign summary: its last line is not JSON/],
    [["merge"], /merge needs one or more campaign JSON files/],
  ])("%j", async (args, message) => {
    expectUsageError(await sturdyAsync(args as string[]), message as RegExp);
  }, 60_000);

  it("a usage error prints the command's usage line on stderr; an input error prints one line", async () => {
    const usage = await sturdyAsync(["campaign", "--scenario", "tiny", "--seeds", "0"]);
    expect(usage.stderr.split("\n")[1]).toMatch(/^usage: sturdy campaign --scenario <name\|file\.json> \[options\]/);
    const input = await sturdyAsync(["merge", join(dir, "missing.json")]);
    expect(input.stderr.trim().split("\n")).toHaveLength(1);
    const none = await sturdyAsync([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/usage: sturdy <command>/);
  }, 60_000);
});

describe("merge", () => {
  it("merges disjoint shards, and refuses overlapping shards and files that are not summaries (exit 2)", () => {
    const dir = tmp();
    const shard = (k: number) => {
      const r = sturdy(["campaign", "--scenario", "basic", "--seeds", "4", "--shard", `${k}/2`, "--workers", "1", "--json"]);
      expect(r.code).toBe(0);
      writeFileSync(join(dir, `${k}.json`), r.stdout);
    };
    shard(1);
    shard(2);
    const merged = sturdy(["merge", join(dir, "1.json"), join(dir, "2.json"), "--json"]);
    expect(merged.code).toBe(0);
    expectJsonOnly(merged);
    expect(merged.json.runs).toBe(4);
    expectUsageError(sturdy(["merge", join(dir, "1.json"), join(dir, "1.json")]), /shards overlap: seed 1 is in .*1\.json/);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ runs: 3 }));
    expectUsageError(sturdy(["merge", join(dir, "1.json"), join(dir, "other.json")]), /other\.json is not a campaign summary: no "scenario"/);
    const broken = { ...JSON.parse(readFileSync(join(dir, "2.json"), "utf8").trim()), failures: [null] };
    writeFileSync(join(dir, "broken.json"), JSON.stringify(broken));
    expectUsageError(sturdy(["merge", join(dir, "1.json"), join(dir, "broken.json")]), /broken\.json is not a campaign summary: a failure without a seed/);
  }, 60_000);
});

describe("help and version", () => {
  const specs: Record<string, () => Promise<{ spec: CommandSpec }>> = {
    run: () => import("../sim/commands/run.js"),
    campaign: () => import("../sim/commands/campaign.js"),
    merge: () => import("../sim/commands/merge.js"),
    replay: () => import("../sim/commands/replay.js"),
    explore: () => import("../sim/commands/explore.js"),
    scenarios: () => import("../sim/commands/scenarios.js"),
    report: () => import("../sim/commands/report.js"),
    serve: () => import("../sim/commands/serve.js"),
  };
  const commands = Object.keys(specs);

  it("sturdy help lists every command; sturdy --version prints the package version", () => {
    const r = sturdy(["help"]);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
    expect(r.stdout).toMatch(/exit codes: 0 .* 1 .*\n.*2 bad usage or input, 3 an internal error, 130 interrupted/);
    const v = sturdy(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  }, 30_000);

  it.concurrent.each(commands)("sturdy %s --help: what it does, every option with its default, an example", async (name) => {
    const { spec } = await specs[name]!();
    const r = await sturdyAsync([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`sturdy ${name}: ${spec.summary}`);
    expect(r.stdout).toMatch(new RegExp(`^usage: sturdy ${name}`, "m"));
    const flat = r.stdout.replace(/\n\s+/g, " ");
    for (const o of spec.options) {
      expect(flat).toContain(`--${o.name}${o.value ? ` <${o.value}>` : ""}`);
      if (o.default !== undefined) expect(flat).toContain(`(default: ${o.default})`);
    }
    expect(r.stdout).toMatch(/^examples?:\n  sturdy /m);
    expect((await sturdyAsync([name, "-h"])).stdout).toBe(r.stdout);
    expect((await sturdyAsync(["help", name])).stdout).toBe(r.stdout);
  }, 60_000);
});

describe("sturdy scenarios", () => {
  it("lists every scenario with its wire, the fault kinds it enables and the invariants it expects to violate", () => {
    const r = sturdy(["scenarios"]);
    expect(r.code).toBe(0);
    for (const name of listScenarios()) {
      const s = loadScenario(name);
      const line = r.stdout.split("\n").find((l) => l.startsWith(`${name} `));
      expect(line, name).toBeDefined();
      expect(line).toContain(` ${s.transport} `);
      if (s.expectViolations.length) expect(line).toContain(s.expectViolations.join(", "));
    }
    expect(r.stdout).toMatch(/^ack-before-fsync\s+batch\s+D1, T1\s+drop, .*powerLoss/m);
    expect(r.stdout).toMatch(/^socket-lossy\s+socket\s+none\s+.*sever/m);
    const j = sturdy(["scenarios", "--json"]);
    expectJsonOnly(j);
    expect(j.json.map((s: { name: string }) => s.name)).toEqual(listScenarios());
    expect(j.json.find((s: { name: string }) => s.name === "window-late-duplicate").expectViolations).toEqual(["S1", "C1", "S3", "H1", "T1"]);
  }, 30_000);
});

describe("sturdy campaign", () => {
  it("each failure carries the replay command of its seed (with --swarm and --plant), which reproduces it", () => {
    const r = sturdy(["campaign", "--scenario", "basic", "--plant", "never-acks", "--swarm", "--seeds", "2", "--workers", "1", "--json"]);
    expect(r.code).toBe(1);
    expectJsonOnly(r);
    expect(r.json.failures.length).toBeGreaterThan(0);
    for (const f of r.json.failures) {
      expect(f.replay).toBe(`npx sturdy replay --scenario basic --design outbox --seed ${f.seed} --swarm --plant never-acks --shrink`);
    }
    const first = r.json.failures[0];
    expect(r.stderr).toContain(`replay: ${first.replay}`);
    const again = sturdy([...first.replay.replace(/^npx sturdy /, "").replace(/ --shrink$/, "").split(" "), "--json"]);
    expect(again.code).toBe(1);
    expect(again.json.traceHash).toBe(first.traceHash);
  }, 60_000);

  it("an expected-failure scenario showing only its declared invariants says so and exits 0", () => {
    const r = sturdy(["campaign", "--scenario", "ack-before-fsync", "--seeds", "3", "--workers", "1", "--json"]);
    expect(r.code).toBe(0);
    expect(r.json.violationsByInvariant).toHaveProperty("D1");
    expect(r.json.expectViolations).toEqual(["D1", "T1"]);
    expect(r.stderr).toMatch(/✓ expected violations only: D1/);
  }, 60_000);

  it("Ctrl-C prints the summary of the runs done so far and exits 130; the progress line shows failures and an ETA", async () => {
    let seen = "";
    const r = await sturdyAsync(["campaign", "--scenario", "basic", "--seeds", "200", "--workers", "1", "--json"], (child) => {
      child.stderr!.on("data", (d: Buffer | string) => {
        const before = seen;
        seen += String(d);
        if (!/progress:/.test(before) && /progress:/.test(seen)) child.kill("SIGINT");
      });
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/progress: 20\/200 runs, 0 failing, [\d.]+ s, ETA /);
    expect(r.stderr).toMatch(/INTERRUPTED \(Ctrl-C\) after \d+ runs/);
    expectJsonOnly(r);
    expect(r.json.interrupted).toBe(true);
    expect(r.json.runs).toBeGreaterThanOrEqual(20);
    expect(r.json.runs).toBeLessThan(200);
    expect(r.json.seeds).toHaveLength(r.json.runs);
  }, 120_000);
});
