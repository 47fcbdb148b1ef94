// `sturdy <command> ...`: exit 0 when every invariant held, 1 when one was violated, 2 on bad usage.
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { campaignCommand, mergeCommand } from "./commands/campaign.js";
import { replayCommand } from "./commands/replay.js";
import { UsageError } from "./commands/args.js";
import { ScenarioError } from "./scenario.js";

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  serve: serveCommand,
  campaign: campaignCommand,
  merge: mergeCommand,
  replay: replayCommand,
};

const USAGE = `usage: sturdy <command> [options]
  run --scenario <name|file.json> --seed <seed> [--design outbox|legacy] [--swarm] [--json]
  campaign --scenario <s> [--design d] --seeds N [--from K] [--shard k/n] [--swarm] [--workers W] [--json]
  merge <campaign.json>... [--json]
  replay --scenario <s> [--design d] --seed <seed> [--ops K] [--faults a,b,c|none] [--swarm] [--shrink] [--mermaid out.md] [--save file.json] [--json]
  serve [--port N] [--db file] [--dedupe permanent|writer-seq|window(N)] [--share id] [--session id] [--json]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  return run(rest);
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
