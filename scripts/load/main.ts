// `npm run load -- [options]`: a load and fault test of the real server process (see options.ts).
// Exit 0 when every count is 0, 1 when one is not, 2 for bad usage, 3 when the run itself broke.
import { formatReport } from "./report.js";
import { LoadUsageError, parseLoadArgs, USAGE } from "./options.js";
import { runLoad } from "./run.js";

async function main(): Promise<number> {
  let options;
  try {
    options = parseLoadArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof LoadUsageError)) throw e;
    process.stderr.write(`npm run load: ${e.message}\n${USAGE.split("\n")[0]}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const json = options.json;
  const report = await runLoad(options, (line) => process.stderr.write(`${line}\n`));
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`npm run load: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(3);
  },
);
