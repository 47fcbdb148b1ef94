// Run the real CLI in a child process, as a user would.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

export const ROOT = resolve(fileURLToPath(import.meta.url), "..", "..");

export function sturdy(args: string[]) {
  const r = spawnSync(process.execPath, [resolve(ROOT, "bin/sturdy.mjs"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  const lines = r.stdout.trim().split("\n");
  let json: any;
  try { json = JSON.parse(lines[lines.length - 1] ?? ""); } catch { json = undefined; }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}
