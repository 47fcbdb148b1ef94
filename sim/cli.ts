// `sturdy <command> ...`. Exit codes (README, "Exit codes"): 0 every invariant held (or only those the
// scenario declares), 1 an invariant was violated, 2 bad usage or input, 3 an internal error, 130 interrupted.
// Commands load lazily: `run` does not pay for the HTTP server or the report renderer.
import { InputError, parseCommandArgs, UsageError, wantsHelp, type Args, type CommandSpec } from "./commands/args.js";
import { helpText, usageLine } from "./commands/help.js";
import { packageVersion } from "./commands/package-info.js";
import { ScenarioError } from "./world/scenario.js";

interface CommandModule { spec: CommandSpec; run: (args: Args) => Promise<number> }

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import("./commands/run.js"),
  campaign: () => import("./commands/campaign.js"),
  merge: () => import("./commands/merge.js"),
  replay: () => import("./commands/replay.js"),
  explore: () => import("./commands/explore.js"),
  scenarios: () => import("./commands/scenarios.js"),
  report: () => import("./commands/report.js"),
  serve: () => import("./commands/serve.js"),
};

export const EXIT = { held: 0, violated: 1, usage: 2, internal: 3, interrupted: 130 } as const;

const SHORT_USAGE = `usage: sturdy <command> [options]; commands: ${Object.keys(COMMANDS).join(", ")} (sturdy help for more)`;

async function overview(): Promise<string> {
  const specs = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).spec));
  const width = Math.max(...specs.map((s) => s.name.length)) + 2;
  return [
    `sturdy ${packageVersion()}: a durable client outbox and an idempotent server, and the deterministic simulator that tests them`,
    "",
    "usage: sturdy <command> [options]        sturdy <command> --help: what it does, its options and defaults, an example",
    "",
    "commands:",
    ...specs.map((s) => `  ${s.name.padEnd(width)}${s.summary}`),
    `  ${"help".padEnd(width)}this overview; sturdy help <command> is sturdy <command> --help`,
    "",
    "exit codes: 0 every invariant held (or only those the scenario declares), 1 an invariant was violated,",
    "            2 bad usage or input, 3 an internal error, 130 interrupted (Ctrl-C)",
    "",
    "example:",
    "  sturdy run --scenario lossy --seed 7",
  ].join("\n");
}

/** Which command is running, for the prefix of an error line. */
let current = "";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V") {
    console.log(packageVersion());
    return EXIT.held;
  }
  if (command === undefined) {
    console.error(await overview());
    return EXIT.usage;
  }
  if (command === "help" || command === "--help" || command === "-h") {
    if (command === "help" && rest.length > 0) return main([rest[0]!, "--help"]);
    console.log(await overview());
    return EXIT.held;
  }
  const load = COMMANDS[command];
  if (!load) throw new UsageError(`unknown command "${command}"`, SHORT_USAGE);
  current = command;
  const { spec, run } = await load();
  try {
    if (wantsHelp(rest)) {
      console.log(helpText(spec));
      return EXIT.held;
    }
    return await run(parseCommandArgs(rest, spec));
  } catch (e) {
    if (e instanceof UsageError) e.usage ??= `${usageLine(spec)}  (sturdy ${spec.name} --help for more)`;
    throw e;
  }
}

function report(e: unknown): number {
  const prefix = current ? `sturdy ${current}` : "sturdy";
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof UsageError) {
    console.error(`${prefix}: ${message}`);
    console.error(e.usage ?? SHORT_USAGE);
    return EXIT.usage;
  }
  if (e instanceof InputError || e instanceof ScenarioError) {
    console.error(`${prefix}: ${message}`);
    return EXIT.usage;
  }
  console.error(`${prefix}: internal error: ${message}`);
  if (e instanceof Error && e.stack) console.error(e.stack);
  return EXIT.internal;
}

// `sturdy scenarios | head` closes stdout early: not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { process.exitCode = report(e); },
);
