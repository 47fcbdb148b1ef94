// What a run or a campaign concluded, given the invariants its scenario declares (`expectViolations`):
// a demonstration scenario that shows only those says so and exits 0; anything else it shows is a failure.
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
