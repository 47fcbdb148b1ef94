// Planted: a turn that ends leaves its unfinished tool calls as they were. The share then shows a
// finished answer whose tool call still spins, forever (T1), as opencode showed before it ended
// running tool calls on abort.
import { SessionStore } from "../../src/session/session-store.js";

export class ToolsLeftRunningStore extends SessionStore {
  protected override endOpenToolCalls(): void {}
}
