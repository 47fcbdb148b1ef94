#!/usr/bin/env node
// Determinism lint: src/ and sim/ may not read wall-clock time, real randomness or real timers
// except through the injected Clock and Rng. A line that must (the sim's one event-loop yield, the
// benchmark's stopwatch) says so with a `determinism-allow: <reason>` comment.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const BANNED = [
  [/\bMath\.random\b/, "Math.random"],
  [/\bDate\.now\b/, "Date.now"],
  [/\bnew Date\b/, "new Date"],
  [/(?<!new )\bDate\(\)/, "Date()"],
  [/\bsetTimeout\b/, "setTimeout"],
  [/\bsetInterval\b/, "setInterval"],
  [/\bsetImmediate\b/, "setImmediate"],
  [/\brandomUUID\b/, "randomUUID"],
  [/\bgetRandomValues\b/, "getRandomValues"],
  [/\brandomBytes\b/, "randomBytes"],
  [/\bperformance\.now\b/, "performance.now"],
  [/\bprocess\.hrtime\b/, "process.hrtime"],
];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield path;
  }
}

/** Strip comments and string literals so mentions in prose do not count. */
function codeOnly(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .split("\n")
    .map((line) => line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""').replace(/\/\/.*$/, ""));
}

export function lint(roots) {
  const problems = [];
  for (const root of roots) {
    for (const file of files(root)) {
      const raw = readFileSync(file, "utf8").split("\n");
      codeOnly(readFileSync(file, "utf8")).forEach((line, i) => {
        for (const [re, name] of BANNED) {
          if (re.test(line) && !/determinism-allow:\s*\S/.test(raw[i] ?? "")) {
            problems.push(`${relative(process.cwd(), file)}:${i + 1}: ${name} outside the injected Clock/Rng`);
          }
        }
      });
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const roots = process.argv.length > 2 ? process.argv.slice(2) : ["src", "sim"];
  const problems = lint(roots);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`determinism lint: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`determinism lint: ${roots.join(", ")} clean`);
}
