// The SyncData items opencode shares, reduced to the fields the persistence design cares about.
import { z } from "zod";

export const SessionItem = z.object({
  type: z.literal("session"),
  data: z.object({ id: z.string().min(1), title: z.string() }).strict(),
}).strict();

export const MessageItem = z.object({
  type: z.literal("message"),
  data: z.object({
    id: z.string().min(1),
    sessionID: z.string().min(1),
    role: z.enum(["user", "assistant"]),
    // A user message carries the agent and model chosen for the turn it starts.
    agent: z.string().optional(),
    model: z.string().optional(),
    // Turn lifecycle of the assistant message: streaming → completed | failed | aborted.
    status: z.enum(["streaming", "completed", "failed", "aborted"]).optional(),
  }).strict(),
}).strict();

export const PartItem = z.object({
  type: z.literal("part"),
  data: z.object({
    id: z.string().min(1),
    messageID: z.string().min(1),
    text: z.string(),
    // Parts are updated several times while streaming; version makes each update observable.
    version: z.number().int().nonnegative(),
  }).strict(),
}).strict();

export const FileDiff = z.object({
  file: z.string().min(1),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
}).strict();

export const SessionDiffItem = z.object({
  type: z.literal("session_diff"),
  data: z.object({ sessionID: z.string().min(1), diffs: z.array(FileDiff).max(256) }).strict(),
}).strict();

export const ModelItem = z.object({
  type: z.literal("model"),
  data: z.object({ id: z.string().min(1), provider: z.string() }).strict(),
}).strict();

export const SyncItem = z.discriminatedUnion("type", [SessionItem, MessageItem, PartItem, SessionDiffItem, ModelItem]);
export type SyncItem = z.infer<typeof SyncItem>;
export type FileDiff = z.infer<typeof FileDiff>;
