// `sturdy <command> ...`: exit 0 when every invariant held, 1 when one was violated, 2 on bad usage.
// Commands load lazily: `run` does not pay for the HTTP server or the report renderer.
import { UsageError } from "./commands/args.js";
import { ScenarioError } from "./scenario.js";
import { PLANT_NAMES } from "./plants/index.js";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.js")).runCommand,
  campaign: async () => (await import("./commands/campaign.js")).campaignCommand,
  merge: async () => (await import("./commands/campaign.js")).mergeCommand,
  replay: async () => (await import("./commands/replay.js")).replayCommand,
  serve: async () => (await import("./commands/serve.js")).serveCommand,
  report: async () => (await import("./commands/report.js")).reportCommand,
  explore: async () => (await import("./commands/explore.js")).exploreCommand,
};

const USAGE = `usage: sturdy <command> [options]
  run --scenario <name|file.json> --seed <seed> [--design outbox|legacy] [--swarm] [--plant bug] [--json]
  campaign --scenario <s> [--design d] --seeds N [--from K] [--shard k/n] [--swarm] [--workers W] [--plant bug] [--json]
  merge <campaign.json>... [--json]
  replay --scenario <s> [--design d] --seed <seed> [--ops K] [--actions a,b|none] [--faults a,b|none] [--swarm]
         [--plant bug] [--shrink [--target INVARIANT]] [--mermaid out.md] [--save file.json] [--json]
  explore --scenario tiny [--design d] [--seeds N] [--max-depth N] [--net-faults N] [--crashes N] [--time-limit S]
          [--plant bug] [--seed S --choices 0,1,..] [--json]
  serve [--port N] [--db file] [--dedupe permanent|writer-seq|window(N)] [--share id] [--session id] [--json]
  report [--scenario s] [--seeds N] [--from K] [--windows 4,8,16,32] [--durability s1,s2|none] [--workers W]
         [--shrink-seeds N] [--out reports/<name>] [--quiet]
planted bugs (--plant): ${PLANT_NAMES.join(", ")}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    const known = e instanceof UsageError || e instanceof ScenarioError;
    console.error(`sturdy: ${e instanceof Error ? e.message : String(e)}`);
    if (!known && e instanceof Error && e.stack) console.error(e.stack);
    process.exitCode = known ? 2 : 3;
  },
);
