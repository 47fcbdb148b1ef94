// Several writers per share, as the world runs them: what each writer of each session does (its
// plan: names, actions, which exits are reinstalls; reinstaller.ts carries a reinstall out).
import type { SimRng } from "./rng.js";
import type { Scenario } from "./scenario.js";
import { generateWorkload, type Action, type WorkloadSpec } from "./workload.js";
import { shapeWriterActions, writerNames } from "./writer-workload.js";
import { sessionNames, type WriterPlan } from "./session.js";
/**
 * Every session's writers and what each does, each from its own stream. Without `scenario.writers`
 * a session has its one writer with the actions it always had (the same streams, nothing else
 * drawn). A shrunk replay's `onlyActions` numbers all actions in one sequence: session by session,
 * writer by writer.
 */
export function writerPlans(scenario: Scenario, spec: WorkloadSpec, root: SimRng, only: ReadonlySet<number> | undefined): { plans: WriterPlan[][]; generated: number } {
  let offset = 0;
  const keep = (actions: readonly Action[]) => {
    const kept = only ? actions.filter((_, i) => only.has(offset + i)) : [...actions];
    offset += actions.length;
    return kept;
  };
  const plans = Array.from({ length: scenario.sessions }, (_, k) => {
    const first = sessionNames(k);
    const specs = scenario.writers ?? [undefined];
    return specs.map((writer, w): WriterPlan => {
      const names = writerNames(first, w);
      const generated = generateWorkload(spec, root.fork(names.workload), first.session);
      if (!writer) return { names, actions: keep(generated), reinstalls: new Set() };
      const shaped = shapeWriterActions(generated, { letter: names.letter, causalDeps: spec.causalDeps, reinstallAfter: writer.reinstallAfter, downMs: spec.exitDownMs });
      return { names, actions: keep(shaped.actions), reinstalls: shaped.reinstalls };
    });
  });
  return { plans, generated: offset };
}
