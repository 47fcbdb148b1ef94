// The report in a real browser (headless Chromium via playwright-core): every ```mermaid block of
// report.md parses with the real Mermaid parser, and report.html opens without console errors or
// network requests and shows its charts and tables. Set-up installs Chromium with apt-get when it
// is missing (as CI gets it); where that is impossible the tests skip and say why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_ARGS, ensureChromium } from "../scripts/ensure-chromium.js";
import { collectReport, type ReportData } from "../sim/report/collect.js";
import { renderMarkdown } from "../sim/report/markdown.js";
import { renderHtml } from "../sim/report/html.js";
import { ROOT } from "./cli-helpers.js";

const MERMAID_JS = join(ROOT, "node_modules", "mermaid", "dist", "mermaid.min.js");
const EXAMPLE = join(ROOT, "reports", "example", "report.md");

let browser: Browser | undefined;
let unavailable = "";
let dir = "";
let data: ReportData;

beforeAll(async () => {
  // A small real report: real traces, shrunk counterexamples with their failing step marked, the
  // xychart, and a durability scenario beside the lossy one.
  dir = mkdtempSync(join(tmpdir(), "sturdy-report-browser-"));
  data = await collectReport({
    scenario: "lossy", durability: ["ack-before-fsync"], from: 1, count: 3, windows: [4], workers: 1, shrinkSeeds: 1,
    version: "test", commit: "test", command: "npx sturdy report --seeds 3",
  });
  writeFileSync(join(dir, "report.md"), renderMarkdown(data));
  writeFileSync(join(dir, "report.html"), renderHtml(data));

  const status = await ensureChromium((line) => console.log(line));
  if (!status.ok) {
    unavailable = `skipping browser tests: ${status.reason}`;
    console.warn(unavailable);
    return;
  }
  browser = await chromium.launch({ executablePath: status.path, args: CHROMIUM_ARGS });
}, 6 * 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

async function mermaidPage(): Promise<Page> {
  const page = await browser!.newPage();
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: MERMAID_JS });
  await page.evaluate(() => (globalThis as any).mermaid.initialize({ startOnLoad: false }));
  return page;
}

/** null when Mermaid parses the text, else its error message. */
async function parseError(page: Page, text: string): Promise<string | null> {
  return page.evaluate(async (t) => {
    try {
      await (globalThis as any).mermaid.parse(t);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, text);
}

describe("report in headless Chromium", () => {
  it("every ```mermaid block of report.md parses with the real Mermaid parser", async (ctx) => {
    ctx.skip(!browser, unavailable);
    const page = await mermaidPage();
    try {
      // The validator rejects what is broken (so a pass below means something).
      expect(await parseError(page, "sequenceDiagram\n  participant A\n  A->>B: ok\n  Note over : broken")).not.toBeNull();
      const files = [join(dir, "report.md"), ...(existsSync(EXAMPLE) ? [EXAMPLE] : [])];
      let checked = 0;
      for (const file of files) {
        const blocks = mermaidBlocks(readFileSync(file, "utf8"));
        expect(blocks.some((b) => b.startsWith("sequenceDiagram"))).toBe(true);
        expect(blocks.some((b) => b.startsWith("xychart-beta"))).toBe(true);
        // Every counterexample marks its failing step (a rect with the violation's note).
        expect(blocks.filter((b) => b.startsWith("sequenceDiagram")).every((b) => /\n {2}rect [^\n]+\n[\s\S]*?Note over U,S: VIOLATION/.test(b)), file).toBe(true);
        for (const block of blocks) {
          expect(await parseError(page, block), `${file}:\n${block}`).toBeNull();
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(3);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("report.html opens without console errors or network requests and shows its charts and tables", async (ctx) => {
    ctx.skip(!browser, unavailable);
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
    try {
      await page.goto(pathToFileURL(join(dir, "report.html")).href, { waitUntil: "load" });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const shown = await page.evaluate(() => {
        // Runs in the page (the test's tsconfig has no DOM types).
        const document = (globalThis as any).document;
        const charts = [...document.querySelectorAll("svg.chart")].map((svg: any) => {
          const box = svg.getBoundingClientRect();
          return {
            title: svg.getAttribute("aria-label"),
            width: box.width,
            height: box.height,
            axisLabels: svg.querySelectorAll("text.axis-label").length,
            marks: svg.querySelectorAll("rect, circle, path, polyline").length,
          };
        });
        return {
          charts: charts as { title: string; width: number; height: number; axisLabels: number; marks: number }[],
          sequences: document.querySelectorAll("svg.sequence").length,
          marked: [...document.querySelectorAll("svg.sequence")].map((svg: any) => svg.querySelectorAll("rect.band").length as number),
          verdict: document.querySelector("p.verdict")?.textContent as string | undefined,
          tables: document.querySelectorAll("table").length,
          rows: document.querySelectorAll("tbody tr").length,
          headings: [...document.querySelectorAll("h2")].map((h: any) => h.textContent as string),
        };
      });
      expect(shown.charts.map((c) => c.title)).toEqual([
        "Runs with a violation, by scenario and design (%)",
        "Time to convergence after the last fault (virtual ms)",
        "Runs violating each invariant, by design (lossy)",
        "Dedupe trade-off: storage kept vs double-apply rate",
        "Faults injected by kind (all scenarios, designs and seeds)",
        "Probe points reached and crashed at (all scenarios, designs and seeds)",
      ]);
      for (const c of shown.charts) {
        expect(c.width).toBeGreaterThan(300);
        expect(c.height).toBeGreaterThan(150);
        expect(c.axisLabels).toBe(2);
        expect(c.marks).toBeGreaterThan(3);
      }
      expect(shown.sequences).toBe(data.scenarios.flatMap((s) => s.designs).filter((d) => d.counterexample).length);
      expect(shown.sequences).toBeGreaterThan(0);
      expect(shown.marked.every((n) => n > 0)).toBe(true);
      expect(shown.verdict).toMatch(/^(Ship|Keep|No scenario)/);
      expect(shown.tables).toBeGreaterThanOrEqual(12);
      expect(shown.rows).toBeGreaterThan(40);
      expect(shown.headings).toEqual(["Conclusion", "What fails, and what the user loses", "Durability: crashes and power loss", "Dedupe policies on lossy",
        "Shortest counterexamples", "Fault and crash-point coverage", "Invariants"]);
      // For a human look (scratch/ is not committed).
      mkdirSync(join(ROOT, "scratch"), { recursive: true });
      await page.screenshot({ path: join(ROOT, "scratch", "report-test.png"), fullPage: true });
    } finally {
      await page.close();
    }
  }, 120_000);
});
