// The determinism lint (eslint.config.js) must catch what it bans, including the shapes the old
// per-line regex let through, and allow a banned name only in a file the config names.
import { describe, expect, it } from "vitest";
import { ESLint } from "eslint";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(code: string, filePath = "sim/x.ts"): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId ?? "config"}: ${m.message}`);
}

describe("determinism lint", () => {
  it.each([
    ["template interpolation", "const s = `t=${Date.now()}`;"],
    ["an allow marker inside a string", 'const why = "determinism-allow: measured"; const t = Date.now();'],
    ["crypto.randomInt", 'import * as crypto from "node:crypto";\nconst n = crypto.randomInt(5);'],
    ["a named random import", 'import { randomInt } from "node:crypto";\nconst n = randomInt(5);'],
    ["Reflect.construct(Date, [])", "const d = Reflect.construct(Date, []);"],
    ["a computed globalThis key", 'declare const f: () => void;\nglobalThis["set" + "Immediate"](f);'],
    ["globalThis aliased", "const g = globalThis;"],
    ["Math.random()", "const x = Math.random();"],
    ["setTimeout", "declare const f: () => void;\nsetTimeout(f, 1);"],
    ["new Date()", "const d = new Date();"],
    ["timers/promises", 'import { setTimeout as sleep } from "node:timers/promises";'],
    ["process.hrtime", "const t = process.hrtime.bigint();"],
    ["unseeded seedrandom", 'import seedrandom from "seedrandom";\nconst r = seedrandom();'],
    ["a disable comment", "// eslint-disable-next-line\nconst x = Math.random();"],
  ])("rejects %s", async (_, code) => {
    expect((await problems(code)).filter((p) => !p.startsWith("config"))).not.toEqual([]);
  });

  it("allows a banned name only in a file named for it, and only that name", async () => {
    const code = "export function settle(): Promise<void> {\n  return new Promise((resolve) => setImmediate(resolve));\n}\n";
    expect(await problems(code, "sim/world/settle.ts")).toEqual([]);
    expect(await problems(code, "sim/x.ts")).not.toEqual([]);
    expect(await problems("const t = Date.now();", "sim/world/settle.ts")).not.toEqual([]);
  });

  it("allows what is deterministic: hashes and timingSafeEqual from node:crypto, a seeded seedrandom, mentions in prose", async () => {
    const code = [
      'import { createHash, timingSafeEqual } from "node:crypto";',
      'import seedrandom from "seedrandom";',
      "// never call Date.now() or setTimeout here",
      'export const h = createHash("sha256").update("setTimeout").digest("hex");',
      'export const r = seedrandom("7::net", { state: true });',
      "export const same = timingSafeEqual(Buffer.from(h), Buffer.from(h));",
    ].join("\n");
    expect(await problems(code)).toEqual([]);
  });

  it("allows 70 lines of code in a function, not 71 (blank lines and comments are free)", async () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};\n\n  // why\n`).join("");
    const fn = (n: number) => `export function f(): number {\n  let x = 0;\n${body(n)}  return x;\n}\n`;
    expect(await problems(fn(66))).toEqual([]);
    expect(await problems(fn(67))).toEqual([expect.stringContaining("max-lines-per-function")]);
  });

  it("src/ and sim/ are clean", async () => {
    const results = await eslint.lintFiles(["src", "sim"]);
    const found = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}: ${m.message}`));
    expect(found).toEqual([]);
  });
});

describe("independent oracles", () => {
  // A checker that imports the product's code judges the product by itself: a bug in the shared
  // code is then invisible. sim/check and sim/model may import src/ for types only.
  const files = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f));
  const productValueImports = (source: string): string[] =>
    [...source.matchAll(/^import\s+(?!type\s)([^;]*?)\s+from\s+["']((?:\.\.\/)+src\/[^"']+)["']/gm)].map((m) => m[2]!);

  it.each(["sim/check", "sim/model"])("%s imports nothing from src/ but types", (dir) => {
    const leaks = files(dir).flatMap((f) => productValueImports(readFileSync(f, "utf8")).map((i) => `${f}: ${i}`));
    expect(leaks).toEqual([]);
  });

  it("the rule itself catches a value import", () => {
    expect(productValueImports(`import { foldItems } from "../../src/protocol/fold.js";\nimport type { Op } from "../../src/protocol/envelope.js";\n`)).toEqual(["../../src/protocol/fold.js"]);
  });
});
