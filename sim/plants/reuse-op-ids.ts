// Planted: the client always believes its last shutdown was clean, so after a power loss that took
// recent commits it keeps its writer id and mints sequence numbers the server already applied with
// other content. The server refuses them (OpIdReused) and the user's new writes never arrive (C1).
import type Database from "better-sqlite3";

export function pretendCleanShutdown(db: Database.Database): void {
  db.prepare("UPDATE sync_state SET running = 0 WHERE id = 1").run();
}
