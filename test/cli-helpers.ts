// Run the real CLI in a child process, as a user would.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

export const ROOT = resolve(fileURLToPath(import.meta.url), "..", "..");
const BIN = resolve(ROOT, "bin/sturdy.mjs");

export interface CliResult { code: number | null; stdout: string; stderr: string; json: any }

function result(code: number | null, stdout: string, stderr: string): CliResult {
  const lines = stdout.trim().split("\n");
  let json: any;
  try { json = JSON.parse(lines[lines.length - 1] ?? ""); } catch { json = undefined; }
  return { code, stdout, stderr, json };
}

export function sturdy(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return result(r.status, r.stdout, r.stderr);
}

/** The same, without blocking the test runner: for tests that run several at once. */
export function sturdyAsync(args: string[], onStart?: (child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.on("error", fail);
    child.on("close", (code) => done(result(code, stdout, stderr)));
    onStart?.(child);
  });
}
