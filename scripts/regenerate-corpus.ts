// Rebuilds the seed corpus (test/corpus): each entry is a failing seed shrunk to a minimal
// counterexample. Run after a change that legitimately moves traces: `npx tsx scripts/regenerate-corpus.ts`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadScenario, type Design } from "../sim/scenario.js";
import { shrink } from "../sim/shrink.js";
import { corpusEntry } from "../sim/corpus.js";
import type { PlantName } from "../sim/plants/index.js";

interface Spec { file: string; scenario: string; design: Design; seed: number; plant?: PlantName }

const CORPUS: Spec[] = [
  { file: "legacy-lost-write", scenario: "lossy", design: "legacy", seed: 2 },
  { file: "legacy-duplicated-diff", scenario: "lossy", design: "legacy", seed: 1 },
  { file: "ack-before-fsync-loses-enqueue", scenario: "ack-before-fsync", design: "outbox", seed: 1 },
  { file: "pipelined-without-deps-goes-stale", scenario: "pipelined-no-deps", design: "outbox", seed: 1 },
  { file: "split-ack-crash", scenario: "crashes", design: "outbox", seed: 2, plant: "split-ack" },
  { file: "writer-seq-pipelining-refused-writer", scenario: "writer-seq-pipelined", design: "outbox", seed: 1, plant: "refuse-unknown-writer" },
];

for (const spec of CORPUS) {
  const cx = await shrink(loadScenario(spec.scenario), spec.seed, { design: spec.design, plant: spec.plant });
  if (!cx) throw new Error(`${spec.file}: seed ${spec.seed} no longer fails`);
  const path = join("test", "corpus", `${spec.file}.json`);
  writeFileSync(path, corpusEntry(spec.scenario, spec.design, spec.seed, { plant: spec.plant, ops: cx.ops, actions: cx.actions, faults: cx.faults }, cx.result));
  console.log(`${path}: ${cx.result.violations[0]!.invariant} ${cx.result.violations[0]!.message.slice(0, 100)}`);
}
