// op_ids are minted by the outbox as `<writer_id>/<writer_seq>`: globally unique and deterministic.
export function formatOpId(writer: string, seq: number): string {
  return `${writer}/${seq}`;
}

export function parseOpId(opID: string): { writer: string; seq: number } | undefined {
  const at = opID.lastIndexOf("/");
  if (at <= 0) return undefined;
  const seq = Number(opID.slice(at + 1));
  return Number.isInteger(seq) && seq > 0 ? { writer: opID.slice(0, at), seq } : undefined;
}
