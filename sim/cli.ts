// `sturdy <command> ...`: exit 0 when every invariant held, 1 when one was violated, 2 on bad usage.
import { runCommand } from "./commands/run.js";
import { UsageError } from "./commands/args.js";
import { ScenarioError } from "./scenario.js";

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
};

const USAGE = `usage: sturdy <command> [options]
  run --scenario <name|file.json> --seed <seed> [--design outbox|legacy] [--swarm] [--json]`;

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
