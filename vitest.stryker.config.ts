// The vitest run that StrykerJS (stryker.config.json) drives for each mutant of src/server and
// src/client. It differs from vitest.config.ts in these ways:
//  - tests that cannot see a mutant are left out: they spawn the CLI or a server process (the child
//    runs the sandbox's code without Stryker's active-mutant switch, so it never differs), use
//    worker threads or a browser, or do not import src/ at all;
//  - fast, focused files run first, so that with Stryker's bail-on-first-failure a mutant is usually
//    killed in milliseconds rather than after the slow simulator campaigns;
//  - fast-check runs with a fixed seed (test/mutation-setup.ts), so property tests keep their names;
//  - the simulator's property and scenario sweeps try fewer cases (PROPERTY_RUNS, SCENARIO_SEEDS):
//    each surviving mutant runs every test that covers it, and these dominate the run time.
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Lower runs first; anything unlisted runs last. */
const ORDER: [RegExp, number][] = [
  [/test\/mutation-/, 0],
  [/test\/(server|outbox|bad-input)\.test\.ts$/, 1],
  [/test\/features\//, 2],
  [/test\/fuzz\.test\.ts$/, 3],
  [/test\/property\.test\.ts$/, 4],
  [/test\/[\w-]+-sim\.test\.ts$/, 5],
  [/test\/replay\.test\.ts$/, 6],
  [/test\/(coverage|scenarios)\.test\.ts$/, 7],
  [/test\/explore\.test\.ts$/, 8],
];

function rank(file: string): number {
  const normalized = file.replaceAll("\\", "/");
  return ORDER.find(([re]) => re.test(normalized))?.[1] ?? ORDER.length;
}

class FastFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [
      "**/node_modules/**",
      // spawn processes: the CLI or a separate server, whose code Stryker's switch does not reach
      "test/real-wire.test.ts",
      "test/cli.test.ts",
      "test/determinism.test.ts",
      // worker threads and the CLI (the in-thread campaigns are covered by scenarios/coverage)
      "test/campaign.test.ts",
      // reads source text only
      "test/lint.test.ts",
      // the durability report: rendering (sim/report), the CLI, worker threads, a real browser
      "test/report.test.ts",
      "test/report.browser.test.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    sequence: { sequencer: FastFirstSequencer },
    setupFiles: ["test/mutation-setup.ts"],
    env: {
      PROPERTY_RUNS: process.env.PROPERTY_RUNS ?? "60",
      SCENARIO_SEEDS: process.env.SCENARIO_SEEDS ?? "10",
    },
  },
});
