// deploy/worker/wrangler.jsonc read for a local run: what `wrangler deploy` would configure (the
// compatibility date and flags, the Durable Object bindings and which classes are SQLite-backed,
// the vars), as miniflare options. One file is the truth for both; test/workerd-wire.test.ts checks
// this reading against wrangler's own.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface WorkerConfig {
  name: string;
  /** The entry module, absolute. */
  main: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** Binding name → the Durable Object class, and whether a migration made it SQLite-backed. */
  durableObjects: Record<string, { className: string; useSQLite: boolean }>;
  vars: Record<string, string>;
}

interface RawConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  durable_objects?: { bindings: { name: string; class_name: string }[] };
  migrations?: { new_sqlite_classes?: string[] }[];
  vars?: Record<string, string>;
}

export function readWorkerConfig(path: string): WorkerConfig {
  const raw = JSON.parse(stripJsonComments(readFileSync(path, "utf8"))) as RawConfig;
  const sqlite = new Set((raw.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  const durableObjects: WorkerConfig["durableObjects"] = {};
  for (const b of raw.durable_objects?.bindings ?? []) durableObjects[b.name] = { className: b.class_name, useSQLite: sqlite.has(b.class_name) };
  return {
    name: raw.name,
    main: resolve(dirname(path), raw.main),
    compatibilityDate: raw.compatibility_date,
    compatibilityFlags: raw.compatibility_flags ?? [],
    durableObjects,
    vars: raw.vars ?? {},
  };
}

/** JSONC → JSON: drops `//` and `/* *\/` comments outside strings (wrangler.jsonc has no trailing commas). */
export function stripJsonComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      out += text.slice(start, i + 1);
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2);
      if (i < 0) throw new Error("unterminated /* comment");
      i++;
    } else out += c;
  }
  return out;
}
