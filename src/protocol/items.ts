// The SyncData items opencode shares, reduced to the fields the persistence design cares about.
// Every string and array is bounded: the schema is the server's only defence against a hostile
// payload, so nothing a peer sends may grow a row without limit.
// zod's v4 API (shipped inside zod 3.25 as "zod/v4"): the same rules as v3 at a fifth of the CPU or
// less and a tenth of the garbage per op parsed (issue 11).
import { z } from "zod/v4";

/** Upper bounds on item fields (UTF-16 code units / array entries). */
export const ITEM_LIMITS = {
  /** Ids of sessions, messages, parts, models (opencode's are ~30 characters). */
  id: 128,
  /** Short human-facing names: agent, provider. */
  name: 128,
  /** A model name such as "openrouter/anthropic/claude-sonnet-4:beta". */
  model: 256,
  title: 1024,
  /** A file path in a session diff (PATH_MAX). */
  path: 4096,
  /** One part's text: a streamed answer or a tool output; 1 MiB. */
  text: 1 << 20,
  /** Files in one session_diff. */
  diffs: 256,
} as const;

/** One shared instance: a regex literal in the refinement would allocate a RegExp per string checked. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A bounded string that is well-formed UTF-16. A lone surrogate survives JSON but not a round trip
 * through SQLite (it is read back as U+FFFD characters), so a row key would not be the id sent.
 */
export function boundedString(max: number, min = 0) {
  return z.string().min(min).max(max).refine((s) => !LONE_SURROGATE.test(s), { message: "string contains a lone surrogate" });
}

/** A non-negative integer that JSON, JavaScript and SQLite all represent exactly. */
export const Count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const Id = boundedString(ITEM_LIMITS.id, 1);

export const SessionItem = z.object({
  type: z.literal("session"),
  data: z.object({ id: Id, title: boundedString(ITEM_LIMITS.title) }).strict(),
}).strict();

export const MessageItem = z.object({
  type: z.literal("message"),
  data: z.object({
    id: Id,
    sessionID: Id,
    role: z.enum(["user", "assistant"]),
    // A user message carries the agent and model chosen for the turn it starts.
    agent: boundedString(ITEM_LIMITS.name).optional(),
    model: boundedString(ITEM_LIMITS.model).optional(),
    // Turn lifecycle of the assistant message: streaming → completed | failed | aborted.
    status: z.enum(["streaming", "completed", "failed", "aborted"]).optional(),
  }).strict(),
}).strict();

export const PartItem = z.object({
  type: z.literal("part"),
  data: z.object({
    id: Id,
    messageID: Id,
    text: boundedString(ITEM_LIMITS.text),
    // Parts are updated several times while streaming; version makes each update observable.
    version: Count,
    // A tool call's part: which tool, and where its call is (pending → running → completed | error).
    tool: z.object({ name: boundedString(ITEM_LIMITS.name, 1), status: z.enum(["pending", "running", "completed", "error"]) }).strict().optional(),
  }).strict(),
}).strict();

export const FileDiff = z.object({
  file: boundedString(ITEM_LIMITS.path, 1),
  additions: Count,
  deletions: Count,
}).strict();

export const SessionDiffItem = z.object({
  type: z.literal("session_diff"),
  data: z.object({ sessionID: Id, diffs: z.array(FileDiff).max(ITEM_LIMITS.diffs) }).strict(),
}).strict();

export const ModelItem = z.object({
  type: z.literal("model"),
  data: z.object({ id: Id, provider: boundedString(ITEM_LIMITS.name) }).strict(),
}).strict();

const ITEMS = [SessionItem, MessageItem, PartItem, SessionDiffItem, ModelItem] as const;
const ITEM_TYPES = ITEMS.map((item) => JSON.stringify(item.shape.type.value)).join("|");
export const SyncItem = z.discriminatedUnion("type", [...ITEMS], {
  // zod's own message for an unknown type is a bare "Invalid input": name the types instead.
  error: (issue) => (issue.code === "invalid_union" ? `Invalid item type: expected one of ${ITEM_TYPES}` : undefined),
});
export type SyncItem = z.infer<typeof SyncItem>;
export type FileDiff = z.infer<typeof FileDiff>;
