// A worker thread of the report's pool: runs the tasks it is sent, one at a time, and answers each.
import { parentPort } from "node:worker_threads";
import { runTask, type Task } from "./tasks.js";

parentPort!.on("message", (task: Task) => {
  runTask(task).then(
    (result) => parentPort!.postMessage({ result }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
});
