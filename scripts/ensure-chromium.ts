// Makes sure a Chromium for the browser tests exists at /usr/bin/chromium: if it is missing, installs
// Debian's `chromium` package with apt-get (as root, which is how CI gets it). Never throws: when it
// cannot install (no apt-get, not root, no network) it says why, and the caller skips its tests.
//   npx tsx scripts/ensure-chromium.ts      (exit 0 when Chromium is there, 1 when not)
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export type ChromiumStatus = { ok: true; path: string; installed: boolean } | { ok: false; reason: string };

const APT_TIMEOUT_MS = 5 * 60_000;

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(cmd, args, {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (b: Buffer) => { output = (output + b.toString()).slice(-4000); };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => { clearTimeout(timer); resolve({ code: null, output: String(e) }); });
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":").some((dir) => existsSync(`${dir}/${bin}`));
}

export async function ensureChromium(log: (line: string) => void = () => {}): Promise<ChromiumStatus> {
  if (existsSync(CHROMIUM_PATH)) return { ok: true, path: CHROMIUM_PATH, installed: false };
  if (!onPath("apt-get")) return { ok: false, reason: `${CHROMIUM_PATH} is missing and there is no apt-get to install it` };
  if (process.getuid?.() !== 0) return { ok: false, reason: `${CHROMIUM_PATH} is missing and installing it needs root (apt-get install -y chromium)` };
  log("chromium: apt-get update");
  const update = await run("apt-get", ["update"], APT_TIMEOUT_MS);
  if (update.code !== 0) return { ok: false, reason: `apt-get update failed (${update.code}): ${update.output.trim().split("\n").slice(-3).join(" | ")}` };
  log("chromium: apt-get install -y chromium");
  const install = await run("apt-get", ["install", "-y", "chromium"], APT_TIMEOUT_MS);
  if (install.code !== 0 || !existsSync(CHROMIUM_PATH)) {
    return { ok: false, reason: `apt-get install -y chromium failed (${install.code}): ${install.output.trim().split("\n").slice(-3).join(" | ")}` };
  }
  return { ok: true, path: CHROMIUM_PATH, installed: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const status = await ensureChromium((line) => console.error(line));
  console.log(status.ok ? `chromium: ${status.path}${status.installed ? " (installed now)" : ""}` : `chromium: unavailable: ${status.reason}`);
  process.exitCode = status.ok ? 0 : 1;
}
