// The adversarial wire mode's section: a broken proxy inside a live socket session drops, repeats
// or reorders single frames, which capnweb does not promise to survive. Its runs are kept apart
// from the rest of the report (ReportData.adversarial): what is asked of the product here is not
// to survive but to fail closed, and this section says, in numbers, whether it did and how each
// session the proxy hit came to an end.
import type { DesignResult, ReportData, ScenarioResult } from "./collect.js";
import type { Block, Cell, Table } from "./document.js";
import { countOf, int, percent } from "./format.js";
import { counterexampleBox } from "./sections-detail.js";
import { SESSION_ENDS, type SessionEnd } from "../net/frame-adversary.js";

const END_LABELS: Record<SessionEnd, string> = {
  "capnweb-abort": "capnweb aborted it",
  "answer-refused": "client refused an answer",
  "timed-out": "a call timed out",
  "call-error": "a call failed otherwise",
  "ended-otherwise": "ended otherwise (crash, run end)",
};

type Pair = { scenario: ScenarioResult; design: DesignResult };

export function adversarialSection(data: ReportData): Block[] {
  const scenarios = data.adversarial ?? [];
  if (scenarios.length === 0) return [];
  const pairs: Pair[] = scenarios.flatMap((scenario) => scenario.designs.map((design) => ({ scenario, design })));
  const note = (text: string): Block => ({ kind: "paragraph", muted: true, text });
  return [
    { kind: "heading", level: 2, text: "Adversarial frames: a broken proxy inside a live session" },
    {
      kind: "paragraph",
      text: "The adversarial wire mode (opt-in, never part of the default fault mix or of swarm sampling elsewhere): single frames of a live " +
        "WebSocket-style capnweb session are dropped, delivered twice or overtaken while the connection stays up. capnweb pairs answers with " +
        "calls by import and export numbers both ends count in step, and does not promise to survive this; the product must fail closed: " +
        "the session is aborted or the call errors, no answer meant for another call is believed (F1), nothing is applied twice (S1), nothing " +
        "acknowledged is lost (D1, S5), and the share converges once the proxy behaves. These runs are counted here only, not in the tables above.",
    },
    { kind: "list", items: scenarios.map((s) => ({ text: `\`${s.scenario.name}\`: ${s.scenario.description}` })) },
    verdict(pairs),
    { kind: "table", table: outcomeTable(pairs) },
    note("`answer of another call believed`: runs with an F1 violation. `rows lost or stale`: the user's rows the share did not hold at their latest value once the world was quiet."),
    { kind: "heading", level: 3, text: "What the proxy did, and how the sessions it hit ended" },
    { kind: "table", table: endsTable(pairs) },
    note("A session is counted once, when it ends, by why it ended: capnweb itself aborted it (one end met a frame that made no sense for its " +
      "import/export tables, such as a call on, or a release of, an export that does not exist), the client refused an answer that was not its batch's ack " +
      "(a capability, another batch's ack) and gave the session up, a call got no answer in time (a lost frame) and the client gave it up, " +
      "another untyped error made the client give it up, or it ended for a reason of its own with the frames it lost doing no harm."),
    ...pairs.filter(({ design }) => design.failingRuns > 0).map(({ scenario, design }): Block => (design.counterexample
      ? counterexampleBox(scenario, design)
      : { kind: "paragraph", text: `${scenario.scenario.name} · ${design.spec.label}: ${design.failingRuns} failing runs, but no shrunk counterexample.` })),
  ];
}

/** One sentence per design kind: did the outbox fail closed everywhere, and what did legacy do. */
function verdict(pairs: Pair[]): Block {
  const outbox = pairs.filter(({ design }) => design.spec.dedupe !== null);
  const runs = outbox.reduce((n, p) => n + p.design.runs, 0);
  const failing = outbox.reduce((n, p) => n + p.design.failingRuns, 0);
  const unconverged = outbox.reduce((n, p) => n + p.design.runs - p.design.converged, 0);
  const policies = [...new Set(outbox.map((p) => p.design.spec.dedupe!))].join(" and ");
  const legacy = pairs.filter(({ design }) => design.spec.dedupe === null);
  const legacyRuns = legacy.reduce((n, p) => n + p.design.runs, 0);
  const legacyFailing = legacy.reduce((n, p) => n + p.design.failingRuns, 0);
  const legacyText = legacy.length ? ` Legacy ShareNext violated an invariant in ${countOf(legacyFailing, legacyRuns)} of its ${int(legacyRuns)} runs${legacyInvariants(legacy)}.` : "";
  if (outbox.length === 0) return { kind: "paragraph", text: `No outbox design ran in this mode.${legacyText}` };
  const ok = failing === 0 && unconverged === 0;
  const text = ok
    ? `**The outbox failed closed in all ${int(runs)} runs** (${policies} dedupe): no violation of any invariant, and every run converged once the proxy behaved.`
    : `**The outbox did not always fail closed**: ${int(failing)} of its ${int(runs)} runs (${policies}) violated an invariant (${percent(failing, runs)}), ${int(unconverged)} did not converge.`;
  return { kind: "paragraph", tone: ok ? "good" : "bad", text: text + legacyText };
}

function legacyInvariants(legacy: Pair[]): string {
  const by: Record<string, number> = {};
  for (const { design } of legacy) for (const [id, n] of Object.entries(design.violationsByInvariant)) by[id] = (by[id] ?? 0) + n;
  const list = Object.entries(by).sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id} ${int(n)}`);
  return list.length ? ` (runs by invariant: ${list.join(", ")})` : "";
}

function outcomeTable(pairs: Pair[]): Table {
  return {
    head: ["scenario", "design", "runs", "runs with a violation", "answer of another call believed (F1)", "double-apply (S1)", "acknowledged work lost (D1)", "rows lost or stale", "converged"],
    rows: pairs.map(({ scenario, design: d }): Cell[] => [
      scenario.scenario.name, d.spec.label, int(d.runs),
      { text: countOf(d.failingRuns, d.runs), tone: d.failingRuns > 0 ? "bad" : "good" },
      int(d.violationsByInvariant.F1 ?? 0), int(d.violationsByInvariant.S1 ?? 0), int(d.violationsByInvariant.D1 ?? 0),
      int(d.ops.lost), `${d.converged}/${d.runs}`,
    ]),
  };
}

function endsTable(pairs: Pair[]): Table {
  const ends = (d: DesignResult, end: SessionEnd) => d.coverage.events[`adversary.${end}`] ?? 0;
  return {
    head: ["scenario", "design", "frames dropped", "frames repeated", "frames overtaken", "sessions hit", ...SESSION_ENDS.map((e) => END_LABELS[e])],
    rows: pairs.map(({ scenario, design: d }): Cell[] => {
      const f = d.faults.frames ?? { dropped: 0, duplicated: 0, reordered: 0 };
      return [
        scenario.scenario.name, d.spec.label, int(f.dropped), int(f.duplicated), int(f.reordered),
        int(SESSION_ENDS.reduce((n, e) => n + ends(d, e), 0)), ...SESSION_ENDS.map((e) => int(ends(d, e))),
      ];
    }),
  };
}
