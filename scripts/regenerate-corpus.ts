// Rebuilds the seed corpus (test/corpus): each entry is the first seed (from 1) whose run shows the
// entry's invariant (and kind), shrunk toward that invariant to a minimal counterexample. Run after a change
// that legitimately moves traces: `npx tsx scripts/regenerate-corpus.ts`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadScenario, type Design, type LegacyServer, type Scenario } from "../sim/world/scenario.js";
import { shrink } from "../sim/search/shrink.js";
import { corpusEntry } from "../sim/search/corpus.js";
import { runWorld } from "../sim/world/world.js";
import type { PlantName } from "../sim/plants/index.js";

interface Spec { file: string; scenario: string; design: Design; invariant: string; kind?: string; plant?: PlantName; legacyServer?: LegacyServer }

const CORPUS: Spec[] = [
  // Legacy's own losses, against sturdy's one-transaction syncShare; the lost update needs the rmw server.
  { file: "legacy-lost-write", scenario: "lossy", design: "legacy", legacyServer: "sync", invariant: "C1", kind: "lost" },
  { file: "legacy-append-only-diff", scenario: "basic", design: "legacy", legacyServer: "sync", invariant: "C1", kind: "diff-diverged" },
  { file: "legacy-duplicated-diff", scenario: "lossy", design: "legacy", legacyServer: "sync", invariant: "S1" },
  { file: "legacy-rmw-lost-update", scenario: "legacy-rmw", design: "legacy", legacyServer: "rmw", invariant: "C1", kind: "lost-update" },
  { file: "ack-before-fsync-loses-enqueue", scenario: "ack-before-fsync", design: "outbox", invariant: "D1" },
  { file: "pipelined-without-deps-goes-stale", scenario: "pipelined-no-deps", design: "outbox", invariant: "C1" },
  { file: "split-ack-crash", scenario: "crashes", design: "outbox", invariant: "S5", plant: "split-ack" },
  { file: "writer-seq-pipelining-refused-writer", scenario: "writer-seq-pipelined", design: "outbox", invariant: "L1", plant: "refuse-unknown-writer" },
  { file: "adversarial-frames-foreign-answer", scenario: "adversarial-frames", design: "outbox", invariant: "F1", plant: "trust-any-answer" },
  { file: "adversarial-frames-broken-session-kept", scenario: "adversarial-frames", design: "outbox", invariant: "L1", plant: "keep-broken-session" },
];
const MAX_SEED = 200;

function scenarioOf(spec: Spec): Scenario {
  const scenario = loadScenario(spec.scenario);
  return spec.legacyServer ? { ...scenario, legacyServer: spec.legacyServer } : scenario;
}

async function firstSeedShowing(spec: Spec): Promise<number> {
  const scenario = scenarioOf(spec);
  for (let seed = 1; seed <= MAX_SEED; seed++) {
    const r = await runWorld(scenario, seed, { design: spec.design, plant: spec.plant });
    const first = r.violations.find((v) => v.invariant === spec.invariant);
    if (first && (spec.kind === undefined || first.kind === spec.kind)) return seed;
  }
  throw new Error(`${spec.file}: no seed in 1..${MAX_SEED} shows ${spec.invariant}`);
}

// `npx tsx scripts/regenerate-corpus.ts NAME…` rebuilds only those entries.
const only = process.argv.slice(2);
for (const spec of CORPUS.filter((s) => only.length === 0 || only.includes(s.file))) {
  const seed = await firstSeedShowing(spec);
  const cx = (await shrink(scenarioOf(spec), seed, { design: spec.design, plant: spec.plant }, undefined, spec.invariant))!;
  const path = join("test", "corpus", `${spec.file}.json`);
  writeFileSync(path, corpusEntry(spec.scenario, spec.design, seed, { plant: spec.plant, legacyServer: spec.legacyServer, ops: cx.ops, actions: cx.actions, faults: cx.faults }, cx.result));
  const v = cx.result.violations.find((x) => x.invariant === spec.invariant)!;
  console.log(`${path}: seed ${seed}, ${cx.actions?.length ?? cx.ops} actions, ${cx.faults.length} faults; ${v.invariant} ${v.message.slice(0, 90)}`);
}
