// `sturdy scenarios [--json]`: every scenario under scenarios/, its wire, the faults it enables and
// the invariants it is expected to violate.
import { listScenarios, loadScenario, type Scenario } from "../world/scenario.js";
import type { FaultMix } from "../net/faults.js";
import { COMMON, humanOut, type Args, type CommandSpec } from "./args.js";

export const spec: CommandSpec = {
  name: "scenarios",
  summary: "list the scenarios: wire, fault kinds enabled, invariants each is expected to violate",
  details: [
    "A scenario that expects violations demonstrates a known weakness (expectViolations in its JSON): a run or",
    "campaign that shows only those says \"expected\" and exits 0; any other invariant is a failure.",
  ],
  options: [COMMON.json],
  examples: ["sturdy scenarios", "sturdy scenarios --json"],
};

/** The fault kinds a scenario's mix switches on (latency and downtime are not faults). */
export function faultKinds(f: FaultMix): string[] {
  const on: [string, number][] = [
    ["drop", f.drop], ["dropResponse", f.dropResponse], ["duplicate", f.duplicate], ["reorder", f.reorder],
    ["delay", f.delay.p], ["sever", f.sever], ["partition", f.partition.p], ["outage", f.outage.p],
    ["crashClient", f.crash.client], ["crashServer", f.crash.server], ["crashAtProbe", f.crashAtProbe],
    ["crashAtWrite", f.crashAtWrite], ["powerLoss", f.powerLoss],
    // The adversarial wire mode (opt-in): frame faults inside a live socket session.
    ["frameDrop", f.frames?.drop ?? 0], ["frameDuplicate", f.frames?.duplicate ?? 0], ["frameReorder", f.frames?.reorder ?? 0],
  ];
  return on.filter(([, p]) => p > 0).map(([k]) => k);
}

interface Row { name: string; wire: string; design: string; dedupe: string; ops: number; faults: string[]; expectViolations: string[]; description: string }

function row(s: Scenario): Row {
  return {
    name: s.name, wire: s.transport, design: s.design, dedupe: s.dedupe, ops: s.workload.ops,
    faults: faultKinds(s.faults), expectViolations: [...s.expectViolations], description: s.description,
  };
}

export async function run(args: Args): Promise<number> {
  const rows = listScenarios().map((name) => ({ ...row(loadScenario(name)), name }));
  const out = humanOut(args);
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  out(`${"scenario".padEnd(width)}${"wire".padEnd(8)}${"expected violations".padEnd(21)}fault kinds enabled`);
  for (const r of rows) {
    out(`${r.name.padEnd(width)}${r.wire.padEnd(8)}${(r.expectViolations.join(", ") || "none").padEnd(21)}${r.faults.join(", ") || "none"}`);
  }
  out(`\n${rows.length} scenarios in scenarios/; a scenario JSON file works wherever a name does (--scenario path/to/file.json)`);
  if (args.flags.has("json")) console.log(JSON.stringify(rows));
  return 0;
}
