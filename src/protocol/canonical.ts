// Canonical JSON (sorted keys) so equal values have equal strings, on both sides and in traces.
// Its output is what op_ledger digests (dedupe.ts opDigest) and share rows are made of, so it must
// not change. A parsed item is not sorted already (zod keeps the schema's key order: type before
// data), and the sort costs ~0.5 µs of ~1.1 per item: kept on the apply path (issue 11).
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
