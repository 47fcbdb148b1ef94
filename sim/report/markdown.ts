// report.md: GitHub-renderable Markdown (tables and ```mermaid blocks), a pure function of the data.
// The words and tables are the report's blocks (sections.ts), shared with the HTML page.
import type { ReportData } from "./collect.js";
import { documentMarkdown } from "./document.js";
import { reportBlocks } from "./sections.js";

export function renderMarkdown(data: ReportData): string {
  return documentMarkdown(reportBlocks(data));
}
