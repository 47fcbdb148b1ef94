// `sturdy report [--scenario S] [--durability S1,S2,…|none] [--adversarial S1,S2,…|none] [--seeds N] [--from K]
//               [--windows 4,8,16,32] [--workers W] [--shrink-seeds N] [--out reports/<name>] [--quiet]`
// Runs the same seeds through every design (legacy; outbox with permanent, window(N) for each N, and
// writer-seq dedupe) on the main scenario, and through legacy and the exact policies on the
// durability scenarios and, in a section of their own, the adversarial wire mode's scenarios, and
// writes report.md, report.html and report.json (the data both are rendered from) into the output
// folder, plus the scenario variants its replay commands name. Defaults: scenario lossy, durability
// crashes,power-loss,ack-before-fsync, adversarial adversarial-frames,adversarial-frames-crashes,
// 300 seeds from 1, windows 4,8,16,32, out reports/<scenario>.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { everyDesign } from "../report/format.js";
import { ADVERSARIAL_SCENARIOS, collectReport, DURABILITY_SCENARIOS, scenarioVariantFile, type ReportData } from "../report/collect.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderHtml } from "../report/html.js";
import { conclude } from "../report/conclusion.js";
import { loadScenario, parseScenario, SCENARIO_DIR } from "../world/scenario.js";
import { stopwatch } from "../perf/stopwatch.js";
import { boundedInt, COMMON, intOption, seedRange, UsageError, workersArg, type Args, type CommandSpec } from "./args.js";
import { checkOutputDir, makeOutputDir, writeOutput } from "./output.js";
import { packageVersion, ROOT } from "./package-info.js";

export const DEFAULT_SCENARIO = "lossy";
/** Window sizes where the trade-off is visible on `lossy` (50 ops per run): from almost always to rarely wrong. */
export const DEFAULT_WINDOWS = [4, 8, 16, 32];
const MAX_WINDOW = 1_000_000;

export const spec: CommandSpec = {
  name: "report",
  summary: "the durability report: every design on lossy and the durability scenarios, as Markdown, HTML and JSON",
  details: ["Runs a campaign per scenario × design, shrinks a few failing seeds of each to counterexamples, and writes", "report.md, report.html and report.json into --out."],
  options: [
    { ...COMMON.scenario, required: false, default: DEFAULT_SCENARIO, help: "the main scenario: every dedupe policy on it" },
    { name: "seeds", value: "N", default: "300", help: "seeds per scenario × design" },
    { name: "from", value: "K", default: "1", help: "the first seed" },
    { name: "windows", value: "4,8,…", default: DEFAULT_WINDOWS.join(","), help: `window(N) dedupe sizes to compare (1 .. ${MAX_WINDOW})` },
    { name: "durability", value: "s1,s2|none", default: DURABILITY_SCENARIOS.join(","), help: "durability scenarios" },
    { name: "adversarial", value: "s1,s2|none", default: ADVERSARIAL_SCENARIOS.join(","), help: "adversarial wire mode scenarios (their own section)" },
    COMMON.workers,
    { name: "shrink-seeds", value: "N", default: "3", help: "failing seeds shrunk per design (1 .. 100)" },
    { name: "out", value: "dir", default: "reports/<scenario>", help: "the output folder" },
    { name: "quiet", help: "print nothing" },
  ],
  examples: ["sturdy report --seeds 150", "sturdy report --seeds 20 --durability none --adversarial none --windows 4,16 --out reports/quick"],
};

export async function run(args: Args): Promise<number> {
  const scenario = scenarioArgument(args.values.get("scenario") ?? DEFAULT_SCENARIO);
  const base = loadScenario(scenario);
  const durability = scenarioList("durability", args.values.get("durability"), DURABILITY_SCENARIOS);
  for (const d of durability) loadScenario(d);
  const adversarial = scenarioList("adversarial", args.values.get("adversarial"), ADVERSARIAL_SCENARIOS);
  for (const a of adversarial) loadScenario(a);
  const { from, count } = seedRange(args, { from: 1, count: 300 });
  const windows = parseWindows(args.values.get("windows"));
  const out = portablePath(args.values.get("out") ?? join("reports", base.name));
  checkOutputDir(out, "out");
  const workers = workersArg(args);
  const shrinkSeeds = intOption(args, "shrink-seeds", { min: 1, max: 100 }, 3);
  const quiet = args.flags.has("quiet");
  const command = `npx sturdy report --scenario ${scenario} --durability ${durability.join(",") || "none"} ` +
    `--adversarial ${adversarial.join(",") || "none"} --seeds ${count} --from ${from} --windows ${windows.join(",")} --out ${out}`;

  const variants = new Map<string, { arg: string; dedupe: string }>();
  const elapsed = stopwatch();
  const tty = process.stderr.isTTY && !quiet;
  const data = await collectReport({
    scenario, durability, adversarial, from, count, windows, workers, shrinkSeeds, command,
    version: packageVersion(),
    commit: gitCommit(),
    scenarioRef: (arg, b, dedupe) => {
      if (dedupe === b.dedupe) return arg;
      const ref = `${out}/scenarios/${scenarioVariantFile(b, dedupe)}`;
      variants.set(ref, { arg, dedupe });
      return ref;
    },
    onProgress: (p) => {
      if (quiet) return;
      const at = `[${(elapsed() / 1000).toFixed(1)} s]`;
      if (p.finished) process.stderr.write(`${tty ? "\r\x1b[K" : ""}${at} ${p.finished}\n`);
      if (tty) process.stderr.write(`\r${at} runs ${p.runs}/${p.totalRuns}, shrinks ${p.shrinks}/${p.totalShrinks}`);
    },
  });
  if (tty) process.stderr.write("\n");

  const dir = resolve(out);
  makeOutputDir(dir);
  // Only the scenario variants a replay command names are written, so every command runs as printed.
  for (const [ref, { arg, dedupe }] of variants) {
    if (!everyDesign(data).some(({ design }) => design.counterexample?.replay.includes(`--scenario ${ref} `))) continue;
    makeOutputDir(resolve(dirname(ref)));
    writeOutput(resolve(ref), scenarioVariant(arg, dedupe));
  }
  writeReport(dir, data);
  const seconds = (elapsed() / 1000).toFixed(1);
  if (!quiet) {
    for (const { scenario: s, design: d } of everyDesign(data)) {
      console.log(`${s.scenario.name.padEnd(18)} ${d.spec.label.padEnd(28)} failing ${d.failingRuns}/${d.runs}, double-apply ${d.doubleApplyRuns}, ` +
        `D1 ${d.violationsByInvariant.D1 ?? 0}, lost or stale ${d.ops.lost}, converged ${d.converged}/${d.runs}`);
    }
    console.log(conclude(data.scenarios).text);
    const pairs = everyDesign(data).length;
    console.log(`wrote ${out}/report.md, ${out}/report.html, ${out}/report.json (${pairs} scenario × design pairs × ${count} seeds in ${seconds} s)`);
  }
  return 0;
}

export function writeReport(dir: string, data: ReportData): void {
  writeOutput(join(dir, "report.md"), renderMarkdown(data));
  writeOutput(join(dir, "report.html"), renderHtml(data));
  writeOutput(join(dir, "report.json"), JSON.stringify(data, null, 1) + "\n");
}

/** The scenario's own JSON with another dedupe policy (same name, so the same traces). */
function scenarioVariant(scenario: string, dedupe: string): string {
  const path = scenario.endsWith(".json") ? resolve(scenario) : join(SCENARIO_DIR, `${scenario}.json`);
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const description = typeof raw.description === "string" ? `${raw.description} ` : "";
  const variant = { ...raw, description: `${description}(Report variant: dedupe ${dedupe}.)`, dedupe };
  parseScenario(variant, `${scenario} with dedupe ${dedupe}`);
  return JSON.stringify(variant, null, 2) + "\n";
}

/** The output folder as written in the report: relative to the working directory, with forward slashes. */
function portablePath(p: string): string {
  const rel = isAbsolute(p) ? relative(process.cwd(), p) || "." : p;
  return rel.split(sep).join("/").replace(/\/+$/, "");
}

/** A scenario name as is; a JSON file as a portable path (it is printed in replay commands). */
function scenarioArgument(arg: string): string {
  return arg.endsWith(".json") ? portablePath(arg) : arg;
}

/** `--durability` or `--adversarial`: scenarios, comma-separated, or "none". */
function scenarioList(option: string, text: string | undefined, defaults: string[]): string[] {
  if (text === undefined) return defaults;
  if (text === "none") return [];
  const list = text.split(",").map((t) => t.trim());
  if (list.some((t) => t === "")) throw new UsageError(`--${option} must be a comma-separated list of scenarios (or "none"), got "${text}"`);
  return [...new Set(list.map(scenarioArgument))];
}

function parseWindows(text: string | undefined): number[] {
  if (text === undefined) return DEFAULT_WINDOWS;
  if (!/^\d+(,\d+)*$/.test(text)) throw new UsageError(`--windows must be a comma-separated list of positive integers like 4,8,16,32, got "${text}"`);
  const sizes = text.split(",").map((n) => boundedInt("--windows: each window", n, { min: 1, max: MAX_WINDOW }));
  return [...new Set(sizes)].sort((a, b) => a - b);
}

export function gitCommit(cwd = ROOT): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, stdio: ["ignore", "pipe", "ignore"], encoding: "utf8" }).trim() || "unknown";
  } catch {
    return "unknown";
  }
}
