// Shrinking a failing run to a minimal counterexample, delta-debugging style: the fewest ops (a
// prefix of the workload), then the fewest user actions, then the fewest faults (by their index in
// the fault stream) that still fail the same way. The result replays exactly:
// (seed, ops, actions, faults).
import { runWorld, type RunResult, type WorldOptions } from "../world/world.js";
import type { Scenario } from "../world/scenario.js";
import type { Seed } from "../world/rng.js";

export interface Counterexample {
  seed: Seed;
  ops: number;
  actions: number[] | undefined;
  faults: string[];
  result: RunResult;
  attempts: number;
}

/**
 * `target`: shrink toward the first violation of this invariant instead of the run's first
 * violation (say, the C1 behind an expected D1).
 */
export async function shrink(scenario: Scenario, seed: Seed, options: WorldOptions, maxAttempts = 600, target?: string): Promise<Counterexample | undefined> {
  const original = await runWorld(scenario, seed, options);
  const first = target === undefined ? original.violations[0] : original.violations.find((v) => v.invariant === target);
  if (!first) return undefined;
  // Keep failing the same way: the (first, or targeted) violation keeps its invariant and kind.
  // "Any of the original invariants" would let a fault-driven counterexample drift to an easier one.
  const firstOf = (r: RunResult) => (target === undefined ? r.violations[0] : r.violations.find((v) => v.invariant === target));
  const sameFailure = (r: RunResult) => firstOf(r)?.invariant === first.invariant && firstOf(r)?.kind === first.kind;
  let attempts = 0;
  let ops = options.ops ?? scenario.workload.ops;
  let best = original;
  const attempt = async (o: number, a: number[] | undefined, f: string[] | undefined): Promise<boolean> => {
    if (attempts >= maxAttempts) return false;
    attempts += 1;
    const r = await runWorld(scenario, seed, { ...options, ops: o, onlyActions: a && new Set(a), onlyFaults: f && new Set(f) });
    if (!sameFailure(r)) return false;
    best = r;
    return true;
  };
  const given = { actions: options.onlyActions && [...options.onlyActions], faults: options.onlyFaults && [...options.onlyFaults] };

  // 1. The shortest workload prefix that fails (unless the caller already chose actions).
  if (!given.actions) {
    for (let n = 1; n < ops; n++) {
      if (await attempt(n, undefined, given.faults)) {
        ops = n;
        break;
      }
    }
  }
  // 2. The fewest user actions, then 3. the fewest faults.
  let actions = await ddmin(given.actions ?? range(best.actionsGenerated), (a) => attempt(ops, a, given.faults));
  let faults = await ddmin(best.decisions.map((d) => d.id), (f) => attempt(ops, actions, f));
  // 4. Move each fault to its earliest occurrence at the same site (crash at the 1st ack, not the 3rd),
  // which often lets more actions go; then one more pass over actions and faults.
  for (let i = 0; i < faults.length; i++) {
    const [site, n] = faults[i]!.split("#") as [string, string];
    for (let m = 1; m < Number(n); m++) {
      const moved: string[] = faults.map((f, j) => (j === i ? `${site}#${m}` : f));
      if (await attempt(ops, actions, moved)) {
        faults = moved;
        break;
      }
    }
  }
  const finalFaults = faults;
  actions = await ddmin(actions, (a) => attempt(ops, a, finalFaults));
  const finalActions = actions;
  faults = await ddmin(faults, (f) => attempt(ops, finalActions, f));
  const result = await runWorld(scenario, seed, { ...options, ops, onlyActions: new Set(actions), onlyFaults: new Set(faults), keepTrace: true });
  // A search cut short by its attempt budget may keep a fault that never fires in the final run:
  // report only those that did (replay refuses a fault opportunity the run never reaches).
  const fired = new Set(result.decisions.map((d) => d.id));
  return { seed, ops, actions, faults: faults.filter((f) => fired.has(f)), result, attempts };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Zeller's ddmin: a 1-minimal subset of `items` for which `fails` holds. */
export async function ddmin<T>(items: T[], fails: (subset: T[]) => Promise<boolean>): Promise<T[]> {
  let current = items;
  let n = 2;
  while (current.length >= 1) {
    const size = Math.ceil(current.length / n);
    let reduced = false;
    for (let start = 0; start < current.length; start += size) {
      const complement = [...current.slice(0, start), ...current.slice(start + size)];
      if (await fails(complement)) {
        current = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size <= 1) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}
