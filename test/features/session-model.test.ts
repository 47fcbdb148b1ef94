// The session model: a SessionStore in the Outbox's own database, so each local change commits in
// one transaction with its enqueue. User messages carry agent+model and are persisted before
// generation; a turn is finalized exactly once; a dropped assistant message never reaches the share.
import { afterEach, describe, expect, it } from "vitest";
import type Database from "better-sqlite3";
import { dump } from "../helpers.js";
import { Outbox } from "../../src/client/outbox.js";
import { SessionStore, type SessionStep } from "../../src/session/session-store.js";
import { foldItems } from "../../src/protocol/fold.js";
import type { ShareRow } from "../../src/protocol/api.js";
import { openDatabase } from "../../src/server/share-server.js";
import { SimRng } from "../../sim/world/rng.js";
import { VirtualClock } from "../../sim/world/clock.js";
import { clientNode, Database as SqliteDatabase, runUntilIdle, tempDir, TestConnector, testServer } from "./harness.js";

const dirs: { cleanup(): void }[] = [];
afterEach(() => { for (const d of dirs.splice(0)) d.cleanup(); });

class Crash extends Error {}

function node(db: Database.Database = openDatabase(), crashAt?: SessionStep) {
  const outbox = new Outbox(db, new SimRng(5, "client"));
  const sessions = new SessionStore(outbox, { beforeCommit: (step) => { if (step === crashAt) throw new Crash(step); } });
  return { db, outbox, sessions };
}

const TURN1 = { sessionID: "ses_1", userMessageID: "msg_0001", agent: "build", model: "anthropic/claude-sonnet" };
const TURN2 = { sessionID: "ses_1", userMessageID: "msg_0002", agent: "plan", model: "openai/gpt-5" };

/** The share's last user message, as the checker reads it (C2): the greatest message id with role user. */
function lastUser(rows: ShareRow[]) {
  const users = rows
    .filter((r) => r.key.startsWith("message:"))
    .map((r) => JSON.parse(r.value) as { id: string; role: string; agent?: string; model?: string })
    .filter((m) => m.role === "user")
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const last = users.at(-1);
  return last && { id: last.id, agent: last.agent, model: last.model };
}

const enqueued = (outbox: Outbox) => outbox.rows().map((r) => r.item);

describe("startTurn", () => {
  it("persists the user message with its agent and model, and enqueues it, before any generation", () => {
    const { outbox, sessions } = node();
    const turn = sessions.startTurn(TURN1);
    expect(turn).toMatchObject({ id: "msg_0001", status: "streaming", assistantMessageID: "msg_0001:assistant" });
    expect(sessions.lastUserChoice("ses_1")).toEqual({ messageID: "msg_0001", agent: "build", model: "anthropic/claude-sonnet" });
    expect(outbox.rows()).toMatchObject([
      // The first turn on a model shares the model too (opencode's share lists the models a session used).
      { state: "pending", item: { type: "model", data: { id: "anthropic/claude-sonnet", provider: "anthropic" } } },
      { state: "pending", item: { type: "message", data: { id: "msg_0001", role: "user", agent: "build", model: "anthropic/claude-sonnet" } } },
    ]);
  });

  it("a model switch shares the new model once; going back to a model already shared shares nothing more", () => {
    const { outbox, sessions } = node();
    sessions.startTurn(TURN1);
    sessions.startTurn(TURN2);
    sessions.startTurn({ ...TURN1, userMessageID: "msg_0003" });
    const models = outbox.rows().filter((r) => r.item.type === "model").map((r) => r.item.type === "model" && r.item.data.id);
    expect(models).toEqual(["anthropic/claude-sonnet", "openai/gpt-5"]);
    expect(sessions.lastUserChoice("ses_1")).toMatchObject({ messageID: "msg_0003", model: "anthropic/claude-sonnet" });
  });

  it("a crash inside startTurn leaves neither the message nor its outbox row", () => {
    const { db, outbox, sessions } = node(openDatabase(), "startTurn");
    const before = dump(db);
    expect(() => sessions.startTurn(TURN1)).toThrow(Crash);
    expect(dump(db)).toBe(before);
    expect(sessions.turn("msg_0001")).toBeUndefined();
    expect(outbox.rows()).toEqual([]);
  });
});

describe("updatePart", () => {
  it("shares the assistant message once, then each part version, each depending on what it belongs to and on the version before", () => {
    const { outbox, sessions } = node();
    const turn = sessions.startTurn(TURN1);
    expect(sessions.updatePart({ turnID: turn.id, partID: "prt_1", text: "he" })).toBe(0);
    expect(sessions.updatePart({ turnID: turn.id, partID: "prt_1", text: "hello" })).toBe(1);
    const rows = outbox.rows().filter((r) => r.item.type !== "model");
    expect(rows.map((r) => [r.item.type, r.depends_on])).toEqual([
      ["message", []],
      ["message", [rows[0]!.op_id]],
      ["part", [rows[1]!.op_id]],
      // The previous version too: with batches overtaking each other, "he" must not land after "hello".
      ["part", [rows[1]!.op_id, rows[2]!.op_id]],
    ]);
    expect(rows[1]!.item).toEqual({ type: "message", data: { id: turn.assistantMessageID, sessionID: "ses_1", role: "assistant", status: "streaming" } });
    expect(rows.slice(2).map((r) => r.item.type === "part" && [r.item.data.text, r.item.data.version])).toEqual([["he", 0], ["hello", 1]]);
  });

  it("is refused once the turn is final", () => {
    const { sessions } = node();
    const turn = sessions.startTurn(TURN1);
    sessions.finalizeTurn(turn.id, "completed");
    expect(() => sessions.updatePart({ turnID: turn.id, partID: "prt_1", text: "late" })).toThrow(/completed/);
  });
});

describe("finalizeTurn", () => {
  it("moves streaming → outcome exactly once; a second finalize is a no-op returning the first outcome", () => {
    const { db, outbox, sessions } = node();
    const turn = sessions.startTurn(TURN1);
    sessions.updatePart({ turnID: turn.id, partID: "prt_1", text: "hi" });
    expect(sessions.finalizeTurn(turn.id, "failed")).toBe("failed");
    const after = dump(db);
    expect(sessions.finalizeTurn(turn.id, "completed")).toBe("failed");
    expect(sessions.finalizeTurn(turn.id, "failed")).toBe("failed");
    expect(dump(db)).toBe(after);
    expect(sessions.turn(turn.id)?.status).toBe("failed");
    const finals = enqueued(outbox).filter((i) => i.type === "message" && i.data.role === "assistant" && i.data.status !== "streaming");
    expect(finals).toEqual([{ type: "message", data: { id: turn.assistantMessageID, sessionID: "ses_1", role: "assistant", status: "failed" } }]);
  });

  it("a crash mid-finalize leaves no half-finalized turn, also across a restart from the database file", () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = dir.path("client.db");
    const crashing = node(new SqliteDatabase(path), "finalizeTurn");
    const turn = crashing.sessions.startTurn(TURN1);
    crashing.sessions.updatePart({ turnID: turn.id, partID: "prt_1", text: "hi" });
    const before = dump(crashing.db);
    expect(() => crashing.sessions.finalizeTurn(turn.id, "completed")).toThrow(Crash);
    expect(dump(crashing.db)).toBe(before); // neither the status nor its enqueue
    crashing.db.close();

    const restarted = node(new SqliteDatabase(path));
    expect(restarted.sessions.turn(turn.id)?.status).toBe("streaming");
    const rowsBefore = restarted.outbox.rows().length;
    expect(restarted.sessions.finalizeTurn(turn.id, "completed")).toBe("completed");
    expect(restarted.sessions.finalizeTurn(turn.id, "completed")).toBe("completed");
    expect(restarted.outbox.rows().length).toBe(rowsBefore + 1);
    restarted.db.close();
  });
});

describe("dropped assistant messages", () => {
  it("a dropped assistant message is never shared, and the share's last user message still has the user's agent and model", async () => {
    const clock = new VirtualClock();
    const { server } = testServer(openDatabase());
    const share = server.store.createShare("ses_1");
    const client = clientNode(openDatabase(), new TestConnector(() => server.main()), clock, { seed: 5 });
    const sessions = new SessionStore(client.outbox);
    client.outbox.setCredentials(share);

    const t1 = sessions.startTurn(TURN1);
    sessions.updatePart({ turnID: t1.id, partID: "prt_1", text: "done" });
    sessions.finalizeTurn(t1.id, "completed");
    const t2 = sessions.startTurn(TURN2);
    expect(sessions.finalizeTurn(t2.id, "aborted", { dropAssistant: true })).toBe("aborted");
    expect(sessions.turn(t2.id)).toMatchObject({ status: "aborted", assistantDropped: true });

    const items = enqueued(client.outbox);
    expect(items.some((i) => i.type === "message" && i.data.id === t2.assistantMessageID)).toBe(false);
    expect(lastUser(foldItems(items))).toEqual({ id: "msg_0002", agent: "plan", model: "openai/gpt-5" });

    client.flusher.kick();
    await runUntilIdle(clock);
    const snapshot = server.store.snapshot(share.id);
    expect(snapshot).toEqual(foldItems(items));
    expect(snapshot.some((r) => r.key === `message:${t2.assistantMessageID}`)).toBe(false);
    expect(lastUser(snapshot)).toEqual({ id: "msg_0002", agent: "plan", model: "openai/gpt-5" });
  });

  it("an assistant message already shared cannot be taken back: dropping it still shares its outcome", () => {
    const { outbox, sessions } = node();
    const turn = sessions.startTurn(TURN1);
    sessions.updatePart({ turnID: turn.id, partID: "prt_1", text: "partial" });
    sessions.finalizeTurn(turn.id, "aborted", { dropAssistant: true });
    expect(sessions.turn(turn.id)).toMatchObject({ status: "aborted", assistantDropped: false });
    const state = foldItems(enqueued(outbox));
    expect(JSON.parse(state.find((r) => r.key === `message:${turn.assistantMessageID}`)!.value)).toMatchObject({ status: "aborted" });
  });
});

describe("tool parts", () => {
  const bash = (status: "pending" | "running" | "completed" | "error") => ({ name: "bash", status });

  it("a tool call only moves forward, and a finished one is final", () => {
    const { sessions } = node();
    const turn = sessions.startTurn(TURN1);
    sessions.updatePart({ turnID: turn.id, partID: "prt_t", text: "", tool: bash("pending") });
    sessions.updatePart({ turnID: turn.id, partID: "prt_t", text: "ls", tool: bash("running") });
    expect(() => sessions.updatePart({ turnID: turn.id, partID: "prt_t", text: "ls", tool: bash("pending") })).toThrow(/cannot become/);
    sessions.updatePart({ turnID: turn.id, partID: "prt_t", text: "ls\nsrc", tool: bash("completed") });
    expect(() => sessions.updatePart({ turnID: turn.id, partID: "prt_t", text: "again", tool: bash("running") })).toThrow(/cannot become/);
  });

  it("a turn that ends with a tool call still running ends the call too, as an error, in the same transaction", () => {
    const { outbox, sessions } = node();
    const turn = sessions.startTurn(TURN1);
    sessions.updatePart({ turnID: turn.id, partID: "prt_t", text: "npm test", tool: bash("running") });
    sessions.finalizeTurn(turn.id, "aborted");
    const state = foldItems(enqueued(outbox));
    expect(JSON.parse(state.find((r) => r.key === "part:prt_t")!.value)).toMatchObject({ version: 1, tool: { name: "bash", status: "error" } });
    expect(JSON.parse(state.find((r) => r.key === `message:${turn.assistantMessageID}`)!.value)).toMatchObject({ status: "aborted" });
  });
});

describe("the session and its diffs", () => {
  it("opening a session shares it once; a retitle is shared after the title it replaces", () => {
    const { outbox, sessions } = node();
    sessions.openSession({ id: "ses_1", title: "a" });
    sessions.openSession({ id: "ses_1", title: "a" });
    sessions.openSession({ id: "ses_1", title: "b" });
    const rows = outbox.rows();
    expect(rows.map((r) => [r.item.type, r.depends_on])).toEqual([["session", []], ["session", [rows[0]!.op_id]]]);
  });

  it("a diff list replaces the one before and is ordered after it", () => {
    const { outbox, sessions } = node();
    sessions.shareDiff("ses_1", [{ file: "a.ts", additions: 1, deletions: 0 }]);
    sessions.shareDiff("ses_1", [{ file: "b.ts", additions: 2, deletions: 1 }]);
    const rows = outbox.rows();
    expect(rows[1]!.depends_on).toEqual([rows[0]!.op_id]);
    expect(foldItems(enqueued(outbox)).map((r) => r.key)).toEqual(['diff:"ses_1":b.ts']);
  });
});

describe("fullSync (a fresh share of the session)", () => {
  it("shares the session's whole current state again, each row after its own write still queued", () => {
    const { outbox, sessions } = node();
    sessions.openSession({ id: "ses_1", title: "t" });
    const turn = sessions.startTurn(TURN1);
    sessions.updatePart({ turnID: turn.id, partID: "prt_1", text: "hi" });
    sessions.finalizeTurn(turn.id, "completed");
    const dropped = sessions.startTurn(TURN2);
    sessions.finalizeTurn(dropped.id, "aborted", { dropAssistant: true });
    sessions.shareDiff("ses_1", [{ file: "a.ts", additions: 1, deletions: 0 }]);
    const before = outbox.rows().length;
    const want = foldItems(enqueued(outbox));

    expect(sessions.fullSync("ses_1")).toBe(outbox.rows().length - before);
    const snapshot = outbox.rows().slice(before);
    expect(foldItems(snapshot.map((r) => r.item))).toEqual(want);
    // Nothing was sent yet, so every snapshot write waits for the row's queued write.
    expect(snapshot.every((r) => r.depends_on.length === 1)).toBe(true);
  });
});
