// What a run or a campaign concluded, given the invariants its scenario declares (`expectViolations`):
// a demonstration scenario that shows only those says so and exits 0; anything else it shows is a failure.
import type { Design } from "../scenario.js";
import type { Seed } from "../rng.js";

export type VerdictKind = "held" | "expected" | "violated";

export interface Verdict { kind: VerdictKind; code: 0 | 1; line: string; unexpected: string[] }

export function verdict(violated: Iterable<string>, declared: readonly string[]): Verdict {
  const shown = [...new Set(violated)].sort();
  const unexpected = shown.filter((i) => !declared.includes(i));
  if (shown.length === 0) return { kind: "held", code: 0, line: "✓ every invariant held", unexpected };
  if (unexpected.length === 0) {
    return { kind: "expected", code: 0, line: `✓ expected violations only: ${shown.join(", ")} (the scenario declares ${declared.join(", ")})`, unexpected };
  }
  const note = declared.length ? ` (the scenario declares only ${declared.join(", ")})` : "";
  return { kind: "violated", code: 1, line: `✗ violated: ${shown.join(", ")}${note}`, unexpected };
}

export interface ReplayChoices { ops?: number; actions?: number[]; faults?: string[]; swarm?: boolean; plant?: string }

/** The exact `sturdy replay` command of a run (with a shrunk run's ops, actions and faults). */
export function replayCommandLine(scenario: string, design: Design, seed: Seed, c: ReplayChoices = {}): string {
  const list = (xs: (number | string)[]) => (xs.length ? xs.join(",") : "none");
  return [
    `npx sturdy replay --scenario ${scenario} --design ${design} --seed ${seed}`,
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
export function shrinkCommand(scenario: string, design: Design, seed: Seed, c: { swarm?: boolean; plant?: string; target?: string }): string {
  return `${replayCommandLine(scenario, design, seed, { swarm: c.swarm, plant: c.plant })} --shrink${c.target ? ` --target ${c.target}` : ""}`;
}
