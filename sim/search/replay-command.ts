// The exact command line that reproduces a run, printed by the CLI and written into the report: a
// failing seed's replay, and the same with --shrink to reduce it to a counterexample.
import type { Design } from "../world/scenario.js";
import type { Seed } from "../world/rng.js";

export interface ReplayChoices { ops?: number; actions?: number[]; faults?: string[]; swarm?: boolean; plant?: string; legacyServer?: string; dedupe?: string }

/** The exact `sturdy replay` command of a run (with a shrunk run's ops, actions and faults). */
export function replayCommandLine(scenario: string, design: Design, seed: Seed, c: ReplayChoices = {}): string {
  const list = (xs: (number | string)[]) => (xs.length ? xs.join(",") : "none");
  return [
    `npx sturdy replay --scenario ${scenario} --design ${design}`,
    c.legacyServer ? ` --legacy-server ${c.legacyServer}` : "",
    // window(N)'s parentheses are quoted for the shell the command is pasted into.
    c.dedupe ? ` --dedupe ${/^[a-z-]+$/.test(c.dedupe) ? c.dedupe : `'${c.dedupe}'`}` : "",
    ` --seed ${seed}`,
    c.swarm ? " --swarm" : "",
    c.plant ? ` --plant ${c.plant}` : "",
    c.ops !== undefined ? ` --ops ${c.ops}` : "",
    c.actions !== undefined ? ` --actions ${list(c.actions)}` : "",
    c.faults !== undefined ? ` --faults ${list(c.faults)}` : "",
  ].join("");
}

/**
 * How to reproduce a failing seed and shrink it to a counterexample. Shrinking keeps the run's first
 * violation; `target` (an invariant the scenario does not declare) keeps that one instead.
 */
export function shrinkCommand(scenario: string, design: Design, seed: Seed, c: { swarm?: boolean; plant?: string; target?: string; legacyServer?: string; dedupe?: string }): string {
  return `${replayCommandLine(scenario, design, seed, { swarm: c.swarm, plant: c.plant, legacyServer: c.legacyServer, dedupe: c.dedupe })} --shrink${c.target ? ` --target ${c.target}` : ""}`;
}
