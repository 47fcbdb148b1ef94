// A hostile client: it cycles through every attack (attacks.ts), one at a time, until told to stop,
// and tallies how each was answered:
//   rejected      the refusal the attack expects (its typed error code, or the close code)
//   unauthorised  the server obeyed an attack without authority: applied a forged, stale or
//                 read-only write, or created a share without the operator token
//   unenforced    the server applied a write a limit or a validation should have refused (to the
//                 attacker's own share, with its own credentials)
//   unreached     no answer because the chaos loop killed the server meanwhile
//   other         any other answer (a sample of each is kept for the report)
import { errorCode } from "../../src/protocol/errors.js";
import { accepted } from "../../sim/world/intruder-op.js";
import { ATTACKS, type Attack, type AttackContext } from "./attacks.js";
import { sleep } from "./serve-process.js";

export type Outcome = "rejected" | "unauthorised" | "unenforced" | "unreached" | "other";

export interface AttackTally { sent: number; rejected: number; unauthorised: number; unenforced: number; unreached: number; other: number; samples: string[] }

export class HostileTally {
  readonly byAttack = new Map<string, AttackTally>();

  count(attack: string, outcome: Outcome, sample?: string): void {
    let t = this.byAttack.get(attack);
    if (!t) this.byAttack.set(attack, (t = { sent: 0, rejected: 0, unauthorised: 0, unenforced: 0, unreached: 0, other: 0, samples: [] }));
    t.sent += 1;
    t[outcome] += 1;
    if (sample && t.samples.length < 3) t.samples.push(sample);
  }

  total(outcome: Outcome | "sent"): number {
    let n = 0;
    for (const t of this.byAttack.values()) n += t[outcome];
    return n;
  }
}

/** How the chaos loop is doing, so an attack the server died under is not blamed on the server. */
export interface ServerState { kills(): number; up(): boolean }

const ATTACK_TIMEOUT_MS = 15_000;

export async function runHostile(ctx: AttackContext, server: ServerState, tally: HostileTally, stopped: () => boolean, offset: number): Promise<void> {
  for (let i = offset; !stopped(); i++) {
    // A request to a server that is not there says nothing about it: wait for the restart.
    while (!server.up() && !stopped()) await sleep(50);
    if (stopped()) return;
    ctx.attempt = i;
    const attack = ATTACKS[i % ATTACKS.length]!;
    const killsBefore = server.kills();
    const { outcome, sample } = await attempt(attack, ctx, () => server.kills() !== killsBefore || !server.up());
    tally.count(attack.name, outcome, sample);
    await sleep(20);
  }
}

async function attempt(attack: Attack, ctx: AttackContext, serverWasDown: () => boolean): Promise<{ outcome: Outcome; sample?: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ATTACK_TIMEOUT_MS} ms`)), ATTACK_TIMEOUT_MS)));
  try {
    const value = await Promise.race([attack.run(ctx), timeout]);
    if (accepted(value) || (value !== null && typeof value === "object" && "secret" in value)) {
      return { outcome: attack.breach ? "unauthorised" : "unenforced", sample: JSON.stringify(value).slice(0, 120) };
    }
    return { outcome: "other", sample: `answered: ${JSON.stringify(value)?.slice(0, 100)}` };
  } catch (e) {
    if (refusedAsExpected(attack, e)) return { outcome: "rejected" };
    if (serverWasDown()) return { outcome: "unreached" };
    return { outcome: "other", sample: `${errorCode(e) ?? ""} ${e instanceof Error ? e.message : String(e)}`.trim().slice(0, 120) };
  } finally {
    clearTimeout(timer);
  }
}

function refusedAsExpected(attack: Attack, e: unknown): boolean {
  if ("code" in attack.refusal) return errorCode(e) === attack.refusal.code;
  return (e as { closeCode?: unknown } | undefined)?.closeCode === attack.refusal.close;
}
