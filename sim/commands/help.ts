// `sturdy <command> --help`, generated from the command's CommandSpec: what it does, every option
// with its default, and examples. The usage line alone goes to stderr with a usage error.
import type { CommandSpec, OptionSpec } from "./args.js";

const HELP: OptionSpec = { name: "help", help: "print this help (also -h)" };

export function usageLine(spec: CommandSpec): string {
  const needed = spec.options.filter((o) => o.required).map((o) => `--${o.name} <${o.value}>`);
  const optional = spec.options.some((o) => !o.required) ? ["[options]"] : [];
  return ["usage: sturdy", spec.name, ...needed, ...optional, ...(spec.positionals ? [spec.positionals] : [])].join(" ");
}

const LINE = 110;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

export function helpText(spec: CommandSpec): string {
  const options = [...spec.options, HELP];
  const heads = options.map((o) => `--${o.name}${o.value ? ` <${o.value}>` : ""}`);
  const width = Math.min(34, Math.max(...heads.map((h) => h.length)) + 2);
  const rows = options.map((o, i) => {
    const head = heads[i]!;
    const tail = o.required ? " (required)" : o.default !== undefined ? ` (default: ${o.default})` : "";
    const pad = head.length + 2 > width ? `\n  ${" ".repeat(width)}` : " ".repeat(width - head.length);
    return `  ${head}${pad}${wrap(`${o.help}${tail}`, LINE - width - 2).join(`\n  ${" ".repeat(width)}`)}`;
  });
  return [
    `sturdy ${spec.name}: ${spec.summary}`,
    "",
    usageLine(spec),
    ...(spec.details?.length ? ["", ...spec.details] : []),
    "",
    "options:",
    ...rows,
    "",
    spec.examples.length > 1 ? "examples:" : "example:",
    ...spec.examples.map((e) => `  ${e}`),
  ].join("\n");
}
