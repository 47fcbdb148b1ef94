// The determinism lint must catch what it bans, and allow only what says why.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error plain ESM script without types
import { lint } from "../scripts/lint-determinism.mjs";

function lintSource(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "lint-"));
  writeFileSync(join(dir, "x.ts"), source);
  return lint([dir]);
}

describe("determinism lint", () => {
  it.each(["Math.random()", "Date.now()", "new Date()", "setTimeout(f, 1)", "setInterval(f, 1)", "crypto.randomUUID()", "performance.now()"])(
    "flags %s",
    (code) => expect(lintSource(`const x = ${code};\n`)).toHaveLength(1),
  );

  it("ignores mentions in comments and strings, and honours a reasoned allow comment", () => {
    expect(lintSource(`// never call Date.now here\nconst s = "setTimeout";\n`)).toEqual([]);
    expect(lintSource(`const t = performance.now(); // determinism-allow: benchmark stopwatch\n`)).toEqual([]);
    expect(lintSource(`const t = performance.now(); // determinism-allow:\n`)).toHaveLength(1);
  });

  it("src/ and sim/ are clean", () => {
    expect(lint(["src", "sim"])).toEqual([]);
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
