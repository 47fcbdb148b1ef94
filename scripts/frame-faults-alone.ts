// What one frame fault does on its own. For each seed of adversarial-frames, every frame fault the
// full run took is replayed alone (the same seed, only that fault opportunity may fire), and the
// outcome is tallied by fault, frame kind and direction: how the session it hit ended (as the report
// counts it), what the client's failed calls said, and any invariant violated. It shows which
// single faults capnweb survives, which it aborts on, and which leave a call unanswered or
// answered with another call's result. Deterministic: the same seeds print the same table.
//
//   npx tsx scripts/frame-faults-alone.ts [--seeds N] [--plant NAME]
import { loadScenario } from "../sim/world/scenario.js";
import { runWorld } from "../sim/world/world.js";
import { PLANT_NAMES, type PlantName } from "../sim/plants/index.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const seeds = Number(option("seeds") ?? 15);
const plant = option("plant") as PlantName | undefined;
if (!Number.isInteger(seeds) || seeds < 1 || (plant !== undefined && !PLANT_NAMES.includes(plant))) {
  console.error("usage: npx tsx scripts/frame-faults-alone.ts [--seeds N ≥ 1] [--plant NAME]");
  process.exit(2);
}

const scenario = loadScenario("adversarial-frames");
const table = new Map<string, Map<string, number>>();
const tally = (key: string, outcome: string) => {
  const row = table.get(key) ?? new Map<string, number>();
  row.set(outcome, (row.get(outcome) ?? 0) + 1);
  table.set(key, row);
};

for (let seed = 1; seed <= seeds; seed++) {
  const full = await runWorld(scenario, seed, { plant });
  for (const fault of full.decisions.filter((d) => d.kind.startsWith("frame"))) {
    const alone = await runWorld(scenario, seed, { plant, onlyFaults: new Set([fault.id]), keepTrace: true });
    const taken = alone.decisions.find((d) => d.id === fault.id);
    if (!taken) continue; // the opportunity never came up without the faults before it
    const [channel = "", frame = ""] = taken.detail.split(" ");
    const events = alone.trace!.events;
    const ended = events.filter((e) => e.actor === "adversary").map((e) => e.kind).join(" + ") || "still open at the end";
    // The reason each failed call gave, with numbers and long tails cut so equal outcomes tally together.
    const errors = [...new Set(events.filter((e) => e.kind === "error").map((e) => e.detail.replace(/^\S+ /, "").replace(/\(.*$/, "").replace(/\d+/g, "N").trim()))];
    const violated = [...new Set(alone.violations.map((v) => v.invariant))];
    tally(`${fault.kind} ${frame} ${channel.split(":")[1] ?? ""}`, `${ended}; calls: ${errors.join(" / ") || "none failed"}; ${violated.length ? `VIOLATED ${violated.join(", ")}` : "no violation"}`);
  }
}

console.log(`adversarial-frames, seeds 1-${seeds}${plant ? `, plant ${plant}` : ""}: each frame fault of a run replayed alone`);
for (const [key, outcomes] of [...table].sort(([a], [b]) => (a < b ? -1 : 1))) {
  console.log(key);
  for (const [outcome, n] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${outcome}`);
}
