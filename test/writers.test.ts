// Several writers per share: how a writer's workload takes its place beside the others
// (sim/world/writer-workload.ts), that a world without `writers` draws exactly what it always drew,
// and C1's rule for a row several writers wrote (sim/check/convergence.ts).
import { describe, expect, it } from "vitest";
import { generateWorkload, WorkloadSpec, type Action } from "../sim/world/workload.js";
import { REINSTALL_DRAIN_MS, shapeWriterActions } from "../sim/world/writer-workload.js";
import { writerPlans } from "../sim/world/writers.js";
import { loadScenario, parseScenario } from "../sim/world/scenario.js";
import { SimRng } from "../sim/world/rng.js";
import { runWorld } from "../sim/world/world.js";
import { judgeConvergence } from "../sim/check/convergence.js";
import { decodeShare } from "../sim/check/share-reader.js";
import type { Report } from "../sim/check/violations.js";
import type { SyncItem } from "../src/protocol/items.js";
import { foldItems } from "../src/protocol/fold.js";

const enqueues = (actions: readonly Action[]) => actions.filter((a): a is Extract<Action, { kind: "enqueue" }> => a.kind === "enqueue");

describe("a writer's workload beside the others", () => {
  const spec = WorkloadSpec.parse({ ops: 40 });
  const generated = generateWorkload(spec, new SimRng(3, "workload-b"), "ses_1");

  it("writer b's turns are its own; the session row and the diff list are everyone's", () => {
    const { actions } = shapeWriterActions(generated, { letter: "b", causalDeps: true, reinstallAfter: [], downMs: 3_000 });
    const items = enqueues(actions).map((a) => a.item);
    for (const item of items) {
      if (item.type === "message") expect(item.data.id).toMatch(/^msg_b\d{4}_[ua]$/);
      if (item.type === "part") expect([item.data.id, item.data.messageID]).toEqual([expect.stringMatching(/^prt_b/), expect.stringMatching(/^msg_b/)]);
      if (item.type === "session" || item.type === "session_diff") expect(item.type === "session" ? item.data.id : item.data.sessionID).toBe("ses_1");
    }
    const outcomes = items.filter((i) => i.type === "message" && i.data.role === "assistant" && i.data.status !== "streaming").length;
    const sessions = items.filter((i) => i.type === "session");
    expect(sessions.length).toBe(1 + outcomes); // the first write, then a retitle after each finished turn
    expect(sessions[0]).toEqual({ type: "session", data: { id: "ses_1", title: "sim session (writer b)" } });
  });

  it("indexes are renumbered in order, and each retitle depends on the writer's previous write of the row", () => {
    const { actions } = shapeWriterActions(generated, { letter: "b", causalDeps: true, reinstallAfter: [], downMs: 3_000 });
    const list = enqueues(actions);
    expect(list.map((a) => a.index)).toEqual(list.map((_, i) => i));
    let lastSession: number | undefined;
    for (const a of list) {
      for (const d of a.dependsOn) expect(d).toBeLessThan(a.index);
      if (a.item.type !== "session") continue;
      expect(a.dependsOn).toEqual(lastSession === undefined ? [] : [lastSession]);
      lastSession = a.index;
    }
    // Every dependency the generator gave survives the renumbering, pointing at the same write.
    const byOld = enqueues(generated);
    const renamed = list.filter((a) => !(a.item.type === "session" && a.index > 0));
    renamed.forEach((a, i) => expect(a.dependsOn.map((d) => list[d]!.item.type)).toEqual(byOld[i]!.dependsOn.map((d) => byOld[d]!.item.type)));
  });

  it("a reinstall is an exit at the writer's first turn boundary after its op, and what follows waits for it to come back", () => {
    const { actions, reinstalls } = shapeWriterActions(generated, { letter: "", causalDeps: true, reinstallAfter: [10], downMs: 3_000 });
    expect(reinstalls.size).toBe(1);
    const at = actions.findIndex((a) => reinstalls.has(a));
    const tenth = enqueues(generated).find((a) => a.index === 10)!.item;
    const done = actions.slice(0, at).filter((a) => a.kind === "enqueue" && a.item === tenth);
    expect(done).toHaveLength(1); // op 10 comes before it
    const nextAction = actions[at + 1]!;
    expect(nextAction.kind === "enqueue" && nextAction.item.type === "message" && nextAction.item.data.role).toBe("user");
    expect(nextAction.at).toBeGreaterThanOrEqual(actions[at]!.at + REINSTALL_DRAIN_MS + 3_000);
    // Between op 10 and the reinstall, no turn starts: the wipe comes before the next one does.
    const between = actions.slice(actions.findIndex((a) => a.kind === "enqueue" && a.item === tenth) + 1, at);
    expect(between.some((a) => a.kind === "enqueue" && a.item.type === "message" && a.item.data.role === "user")).toBe(false);
  });

  it("without `writers` a session's one writer gets exactly the actions it always had, from the same stream", () => {
    const scenario = loadScenario("lossy");
    const root = new SimRng(9);
    const { plans } = writerPlans(scenario, scenario.workload, root, undefined);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toHaveLength(1);
    expect(plans[0]![0]!.actions).toEqual(generateWorkload(scenario.workload, new SimRng(9).fork("workload"), "ses_1"));
    expect(plans[0]![0]!.names.node).toBe("client");
  });

  it("two writers: their own nodes and streams, and the same share", async () => {
    const scenario = parseScenario({ name: "w3", writers: 3, workload: { ops: 12 } });
    const { plans } = writerPlans(scenario, scenario.workload, new SimRng(1), undefined);
    expect(plans[0]!.map((p) => p.names)).toEqual([
      { node: "client", stream: "client", workload: "workload", letter: "" },
      { node: "client-b", stream: "client-b", workload: "workload-b", letter: "b" },
      { node: "client-c", stream: "client-c", workload: "workload-c", letter: "c" },
    ]);
    const r = await runWorld(scenario, 1, { keepTrace: true });
    expect(r.violations).toEqual([]);
    const ackers = new Set(r.trace!.events.filter((e) => e.kind === "ack").map((e) => e.actor));
    expect([...ackers].sort()).toEqual(["client", "client-b", "client-c"]);
    expect(r.history).toEqual({ shares: 1, folded: 1 });
  });
});

describe("C1 with several writers: a row holds the last write of one of the writers that wrote it", () => {
  const title = (t: string): SyncItem => ({ type: "session", data: { id: "ses_1", title: t } });
  const a = [title("a1"), title("a2")];
  const b = [title("b1")];
  const judge = (stored: SyncItem[]) => {
    const found: string[] = [];
    const report: Report = (invariant, kind) => void found.push(`${invariant} ${kind}`);
    judgeConvergence({ decoded: decodeShare(foldItems(stored)), writers: [a, b], excluded: new Set(), outboxes: [] }, report);
    return found;
  };

  it("either writer's last write is a converged share", () => {
    expect(judge([title("a2")])).toEqual([]);
    expect(judge([title("b1")])).toEqual([]);
  });

  it("a write that is not its writer's last is stale", () => {
    expect(judge([title("a1")])).toEqual(["C1 stale"]);
  });
});
