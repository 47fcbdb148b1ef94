// A counterexample's sequence diagram with the failure marked: the events of the step at which the
// first violation was detected sit in a red `rect`, followed by a note that names the invariant and
// says what broke. A reader then sees where the run went wrong, not only that it did.
// The event lines come from sim/record/mermaid.ts (one event at a time), so the diagram is exactly the
// unmarked one plus the marking.
import { traceToMermaid } from "../record/mermaid.js";
import type { TraceEvent } from "../record/trace.js";

/** What the marking needs of a violation (a `Violation`, or one read back from report.json). */
export interface FailurePoint { invariant: string; step: number; message: string }

/** The highlight's colour: Mermaid's `rect` takes a CSS colour; the SVG drawer uses the same. */
export const MARK_FILL = "rgb(254, 226, 226)";
/** Notes longer than this are cut (the full message is printed beside the diagram). */
const MAX_NOTE = 150;

export interface MarkedDiagram {
  diagram: string;
  /** Event lines, as traceToMermaid counts them (the marking is not counted). */
  lines: number;
}

export function markedMermaid(events: TraceEvent[], failing: FailurePoint | undefined, lastStep: number): MarkedDiagram {
  const header = traceToMermaid([]).diagram.replace(/\n+$/, "");
  const rendered = events.flatMap((e) => {
    const one = traceToMermaid([e]);
    return one.lines === 1 ? [{ step: e.step, line: one.diagram.slice(one.diagram.lastIndexOf("\n") + 1) }] : [];
  });
  const body = rendered.map((r) => r.line);
  if (failing) {
    const [from, to] = markedRange(rendered.map((r) => r.step), failing.step);
    body.splice(from, to - from, `  rect ${MARK_FILL}`, ...body.slice(from, to), `  Note over U,S: ${noteText(failing, lastStep)}`, "  end");
  }
  return { diagram: [header, ...body].join("\n"), lines: rendered.length };
}

/**
 * The event lines to highlight, as [from, to): those of the failing step; when that step drew no
 * line (scheduler bookkeeping is not drawn), the last line drawn before it; when none was, an empty
 * range at the start.
 */
export function markedRange(steps: number[], at: number): [number, number] {
  const from = steps.indexOf(at);
  if (from >= 0) {
    let to = from;
    while (to < steps.length && steps[to] === at) to += 1;
    return [from, to];
  }
  let before = -1;
  steps.forEach((s, i) => { if (s < at) before = i; });
  return before >= 0 ? [before, before + 1] : [0, 0];
}

function noteText(f: FailurePoint, lastStep: number): string {
  // A check at the end of the run (convergence, liveness) carries the last step: say when it ran.
  const when = f.step >= lastStep ? `found when the run settled (after step ${f.step})` : `detected at step ${f.step}`;
  const text = `VIOLATION ${f.invariant} ${when}: ${plain(f.message)}`;
  return text.length > MAX_NOTE ? `${text.slice(0, MAX_NOTE - 1)}…` : text;
}

/** Mermaid reads ; # % < > { } and quotes specially in a note; the note keeps the words. */
function plain(text: string): string {
  return text.replace(/[;#%<>{}"]/g, " ").replace(/\s+/g, " ").trim();
}
