// One scenario as a campaign over worker threads (sim/search/campaign.ts, as `sturdy campaign` runs it).
// process.cpuUsage() covers every thread of the process, so its delta over the campaign is the
// CPU all workers spent. Each worker first boots tsx and loads the world's modules, a fixed cost
// that a short campaign would spread over few runs: a campaign of one run per worker, measured
// first, estimates it, and `cpuMsPerRunSteady` is the rest per remaining run.
import { runCampaign } from "../search/campaign.js";
import { perRun, timed } from "./cpu.js";

export interface AllCores {
  workers: number;
  runs: number;
  /** Measured wall-clock throughput, lowered by whatever else the machine runs. */
  runsPerSecWall: number;
  /** All workers' CPU over the whole campaign (start-up included) per run. */
  cpuMsPerRun: number;
  /** CPU of a campaign of one run per worker: start-up plus one cold run each. */
  startupCpuMs: number;
  cpuMsPerRunSteady: number;
  /** Runs with an unexpected violation: a bench of a broken build measures the wrong thing. */
  /** Runs that failed a check: a bench of a broken build would measure something else. */
  failures: number;
}

export async function measureAllCores(scenario: string, runs: number, workers: number): Promise<AllCores> {
  const spec = { scenario, design: "outbox" as const, swarm: false, workers };
  const startup = await timed(() => runCampaign({ ...spec, from: 1_000_000, count: workers }));
  let failures = 0;
  const t = await timed(async () => {
    const summary = await runCampaign({ ...spec, from: 1, count: runs });
    failures = summary.failingRuns;
  });
  return {
    workers,
    runs,
    runsPerSecWall: t.wallMs > 0 ? (runs * 1000) / t.wallMs : 0,
    cpuMsPerRun: perRun(t.cpuMs, runs),
    startupCpuMs: startup.cpuMs,
    cpuMsPerRunSteady: perRun(Math.max(0, t.cpuMs - startup.cpuMs), runs - workers),
    failures,
  };
}
