// The benchmark's baseline: the same Outbox, Flusher and ShareServer, talking over a bare
// in-memory capnweb pair (sim/net/direct-pair.ts) with no scheduler, no faults, no checks and no trace.
// Virtual time still drives the flusher's timers, by firing them as soon as they are due.
import { openDatabase, ShareServer } from "../../src/server/share-server.js";
import { parsePolicy } from "../../src/server/dedupe.js";
import { Outbox } from "../../src/client/outbox.js";
import { Flusher, DEFAULT_FLUSHER } from "../../src/client/flusher.js";
import type { ShareServerApi } from "../../src/protocol/api.js";
import { SimRng, type Seed } from "../world/rng.js";
import { VirtualClock } from "../world/clock.js";
import { directPair } from "../net/direct-pair.js";
import { generateWorkload, type WorkloadSpec } from "../world/workload.js";
import { settle } from "../world/settle.js";

export async function bareRun(spec: WorkloadSpec, seed: Seed): Promise<number> {
  const rng = new SimRng(seed);
  const server = new ShareServer(openDatabase(), { dedupe: parsePolicy("permanent"), rng: rng.fork("server") });
  const share = server.store.createShare("ses_1");
  const pair = directPair<ShareServerApi>(server.main());
  const clock = new VirtualClock();
  const outbox = new Outbox(openDatabase(), rng.fork("client"));
  outbox.setCredentials(share);
  const flusher = new Flusher(outbox, { main: () => pair.main, abort: () => {} }, clock.scoped("client"), rng.fork("backoff"), DEFAULT_FLUSHER);
  // The user acts at the same virtual times as in the simulated world.
  const ids: string[] = [];
  const user = clock.scoped("user");
  for (const a of generateWorkload(spec, rng.fork("workload"))) {
    if (a.kind !== "enqueue") continue;
    user.setTimer(a.at, () => {
      ids[a.index] = outbox.enqueue(a.item, a.dependsOn.map((i) => ids[i]!));
      flusher.kick();
    });
  }
  for (let guard = 0; guard < 1_000_000; guard++) {
    await settle();
    const due = clock.due();
    if (due.length === 0) {
      const next = clock.nextAt();
      if (next === undefined) break;
      clock.advanceTo(Math.max(next, clock.now()));
      continue;
    }
    for (const t of due) clock.fire(t.id);
  }
  pair.close();
  return outbox.counts().acked;
}
