// T1, the turn lifecycle, judged once the world is quiet. On the share: a part belongs to a message
// the share holds, a reply to a question it holds, and a finished turn has no tool call still
// pending or running. On what the client's session model sent (its outbox, in enqueue order): once
// a turn's outcome is sent, nothing of the turn changes any more; a later op of it may only repeat
// what was already sent (a reshare's full sync does). Written from opencode's turn rules, not from
// src/session: the checker knows only the workload's naming (`msg_N_u` asks, `msg_N_a` answers).
import type Database from "better-sqlite3";
import type { SyncItem } from "../../src/protocol/items.js";
import { stableJson } from "../model/stable-json.js";
import type { ShareView } from "../model/reference.js";
import { pluck } from "./sql.js";
import type { Report } from "./violations.js";

const FINISHED = new Set(["completed", "failed", "aborted"]);
const questionOf = (answerID: string) => answerID.replace(/_a$/, "_u");

/** The share's rows, skipping those D1 already reported lost (`excluded` model keys). */
export function judgeShareTurns(view: ShareView, excluded: ReadonlySet<string>, report: Report): void {
  const held = (key: string) => view.entities.has(key) || excluded.has(key);
  for (const [key, e] of view.entities) {
    if (key.startsWith("part:")) judgePart(key, e, view, held, report);
    if (key.startsWith("message:") && e.role === "assistant" && !held(`message:${questionOf(String(e.id))}`)) {
      report("T1", "answer-without-question", `${key} is on the share without the user message that asked it`);
    }
  }
}

function judgePart(key: string, part: Record<string, unknown>, view: ShareView, held: (key: string) => boolean, report: Report): void {
  const messageKey = `message:${String(part.messageID)}`;
  if (!held(messageKey)) return report("T1", "orphan-part", `${key} is on the share without its message ${messageKey}`);
  const status = (view.entities.get(messageKey)?.status ?? "") as string;
  const tool = part.tool as { name?: string; status?: string } | undefined;
  if (FINISHED.has(status) && tool && (tool.status === "pending" || tool.status === "running")) {
    report("T1", "tool-still-running", `${key}: tool call ${String(tool.name)} is ${tool.status} on the share, but its turn ${messageKey} is ${status}`);
  }
}

/** What the session model sent, in enqueue order: a finished turn only ever repeats itself. */
export function judgeSentTurns(client: Database.Database, report: Report): void {
  const finished = new Map<string, string>();
  const lastSent = new Map<string, string>();
  for (const text of pluck(client, "SELECT item FROM outbox ORDER BY position").all() as string[]) {
    const item = JSON.parse(text) as SyncItem;
    const message = turnMessageOf(item);
    if (message === undefined) continue;
    const key = item.type === "part" ? `part:${item.data.id}` : `message:${message}`;
    const content = stableJson(item.data);
    if (finished.has(message) && lastSent.get(key) !== content) {
      report("T1", "write-after-outcome", `${key} was sent as ${content} after its turn ended (${finished.get(message)})`);
    }
    lastSent.set(key, content);
    if (item.type === "message" && FINISHED.has(String(item.data.status))) finished.set(message, String(item.data.status));
  }
}

/** The assistant message an item belongs to: itself, or a part's message; undefined for the rest. */
function turnMessageOf(item: SyncItem): string | undefined {
  if (item.type === "part") return item.data.messageID;
  if (item.type === "message" && item.data.role === "assistant") return item.data.id;
  return undefined;
}
